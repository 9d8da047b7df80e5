/**
 * Training and test data of the world: sample `index` of a seed is a pure function of (seed, index,
 * constraints, options), drawn from its own random stream, so any slice can be regenerated on its own.
 */
import { captionScene, type CaptionVocabulary } from './captions';
import { renderScene, type RenderedImage } from './renderScene';
import { sampleScene, type Scene, type SceneConstraints } from './scene';
import { WorldRng } from './worldRng';

/** One sample of the world: its scene, image and caption. */
export interface WorldSample {
  readonly index: number;
  readonly scene: Scene;
  readonly image: RenderedImage;
  readonly caption: string;
}

/** Options for `worldSample` / `worldSamples`. */
export interface WorldSampleOptions {
  /** Image width and height in pixels (default 32). */
  readonly imageSize?: number;
  /** Caption vocabulary (default 'generator'). */
  readonly vocabulary?: CaptionVocabulary;
  /** Probability that a named kind is called by its name (default CAPTION_PROBABILITIES.shapeName). */
  readonly shapeNameRate?: number;
}

/** Sample `index` of the world of `seed`. */
export function worldSample(
  seed: number,
  index: number,
  constraints: SceneConstraints = {},
  options: WorldSampleOptions = {},
): WorldSample {
  const rng = new WorldRng(seed, index);
  const scene = sampleScene(rng, constraints);
  const caption = captionScene(scene, rng, {
    vocabulary: options.vocabulary ?? 'generator',
    ...(options.shapeNameRate === undefined ? {} : { shapeNameRate: options.shapeNameRate }),
  });
  return { index, scene, image: renderScene(scene, options.imageSize ?? 32), caption };
}

/** Samples 0..count-1 of the world of `seed`. */
export function worldSamples(
  seed: number,
  count: number,
  constraints: SceneConstraints = {},
  options: WorldSampleOptions = {},
): WorldSample[] {
  if (!Number.isInteger(count) || count < 0) {
    throw new Error(`sample count ${count} is not a non-negative integer; pass a whole number`);
  }
  return Array.from({ length: count }, (_, index) => worldSample(seed, index, constraints, options));
}
