/**
 * Training batches drawn from the shapes world, each a pure function of (seed, step): the same step gives
 * the same images, captions and noise on every machine, which is what makes resumed runs exact.
 */
import { preprocessForClip } from '../../image/clipPreprocess';
import { GaussianRng } from '../../diffusion/gaussianRng';
import { ClipTokenizer } from '../../sd/tokenizer/clipTokenizer';
import {
  captionWithoutShape,
  SHAPE_KINDS,
  WorldRng,
  worldSample,
  type CaptionVocabulary,
  type SceneConstraints,
  type WorldSample,
} from '../../world';
import { TOY_IMAGE_SIZE } from './toyConfigs';
import { toyVocabulary } from './toyVocabulary';
import { defaultPadToken, type ModelFamily } from '../../sd/weights/modelFamily';

/** One batch of world samples in the layouts the models take. */
export interface WorldBatch {
  readonly samples: readonly WorldSample[];
  readonly captions: readonly string[];
  /** NCHW, values in [-1, 1] (the VAE's input). */
  readonly images: Float32Array;
  /** NHWC, values in [0, 1], as rendered. */
  readonly nhwc: Float32Array;
}

/** The shape-only caption of a sample: "a star", or "a shape" for a kind the vocabulary never names. */
function shapeOnlyCaption(sample: WorldSample, vocabulary: CaptionVocabulary): string {
  const named = SHAPE_KINDS.find((k) => k.name === sample.scene.shape)?.named ?? false;
  return `a ${vocabulary === 'scoring' || named ? sample.scene.shape : 'shape'}`;
}

/** How a batch's captions are drawn (`worldBatch`); every field optional. */
export interface BatchCaptions {
  /**
   * Share of captions that name only the shape ("a star"): contrastive training otherwise matches batches by
   * colour alone and never learns shapes (measured: zero-shot shape accuracy at chance after 1200 steps).
   */
  readonly shapeOnlyRate?: number;
  /**
   * Share of captions (after the shape-only ones are drawn) with the shape word dropped ("a small red on a
   * blue background", `captionWithoutShape`): what CLIP-T reads once a placeholder is deleted from a prompt.
   */
  readonly shapelessRate?: number;
  /** Narrows the scenes (the CLIP curriculum's first phases fix the colours). */
  readonly constraints?: SceneConstraints;
  /** How often a named kind is called by its name rather than "shape" (the world's default when undefined). */
  readonly shapeNameRate?: number;
}

/** Samples `step·batch … step·batch + batch − 1` of the world with seed `seed`, captioned as `captions` says. */
export function worldBatch(
  seed: number,
  step: number,
  batch: number,
  vocabulary: CaptionVocabulary,
  captions: BatchCaptions = {},
): WorldBatch {
  const { shapeOnlyRate = 0, shapelessRate = 0, constraints = {}, shapeNameRate } = captions;
  const size = TOY_IMAGE_SIZE;
  const rng = new WorldRng(seed, 2_000_000 + step);
  // its own stream: dropping shape words leaves every other draw of the batch as it was
  const shapeless = new WorldRng(seed, 3_000_000 + step);
  const samples = Array.from({ length: batch }, (_, i) => {
    const sample = worldSample(seed, step * batch + i, constraints, {
      imageSize: size,
      vocabulary,
      ...(shapeNameRate === undefined ? {} : { shapeNameRate }),
    });
    const caption = rng.bernoulli(shapeOnlyRate) ? shapeOnlyCaption(sample, vocabulary) : sample.caption;
    return shapeless.bernoulli(shapelessRate)
      ? { ...sample, caption: captionWithoutShape(caption, sample.scene) }
      : { ...sample, caption };
  });
  const nhwc = new Float32Array(batch * size * size * 3);
  samples.forEach((s, i) => nhwc.set(s.image.rgb, i * size * size * 3));
  return {
    samples,
    captions: samples.map((s) => s.caption),
    images: nhwcToSignedNchw(nhwc, batch, size),
    nhwc,
  };
}

/** The batch CLIP-normalised, NCHW (the vision tower's input); only the CLIP stages need it. */
export function clipPixels(b: WorldBatch): Float32Array {
  const size = TOY_IMAGE_SIZE;
  return preprocessForClip({ data: b.nhwc, shape: [b.samples.length, size, size, 3] }, { imageSize: size })
    .data;
}

/** HWC images in [0, 1] → NCHW in [-1, 1]. */
export function nhwcToSignedNchw(nhwc: Float32Array, batch: number, size: number): Float32Array {
  const plane = size * size;
  const out = new Float32Array(batch * 3 * plane);
  for (let b = 0; b < batch; b++)
    for (let p = 0; p < plane; p++)
      for (let ch = 0; ch < 3; ch++) out[(b * 3 + ch) * plane + p] = nhwc[(b * plane + p) * 3 + ch]! * 2 - 1;
  return out;
}

const tokenizers: Partial<Record<ModelFamily, ClipTokenizer>> = {};

/** Token ids [batch, 77] of captions in the toy vocabulary, padded as `family`'s tokenizer pads (EOS / "!"). */
export function toyCaptionIds(captions: readonly string[], family: ModelFamily = 'sd1'): Int32Array {
  tokenizers[family] ??= new ClipTokenizer(toyVocabulary(), { padToken: defaultPadToken(family) });
  return tokenizers[family].encodeBatch(captions);
}

/** Row-stochastic positives for the contrastive loss: pairs with identical captions share the mass. */
export function captionPositives(captions: readonly string[]): Float32Array {
  const n = captions.length;
  const out = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    const same = captions.map((c) => (c === captions[i] ? 1 : 0));
    const count = same.reduce<number>((a, b) => a + b, 0);
    for (let j = 0; j < n; j++) out[i * n + j] = same[j]! / count;
  }
  return out;
}

/** Standard normal noise for `step` of a stage (its own Philox stream per stage seed). */
export function stepNoise(seed: number, step: number, count: number): Float32Array {
  return new GaussianRng(`${seed}${String(step).padStart(8, '0')}`).normal(count);
}
