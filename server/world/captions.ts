/**
 * Captions from one template, "a {size} {colour} {shape} on a {background} background", with parts
 * dropped at random. Generator captions never name the concept kind (it is only ever "shape"), and name
 * the other kinds only some of the time, so the word "shape" means "any shape". Scoring captions name
 * every kind, the concept included (the scoring CLIP's last phase also drops the shape word from some of them:
 * `captionWithoutShape`).
 */
import { COLOUR_NAMES } from './palette';
import type { Scene } from './scene';
import { SIZE_CLASSES } from './scene';
import { NAMED_SHAPES, SHAPE_NAMES } from './shapeKinds';
import type { WorldRng } from './worldRng';

/** Which words a caption may use for the shape. */
export type CaptionVocabulary = 'generator' | 'scoring';

/** Options for `captionScene`. */
export interface CaptionOptions {
  /** 'generator' (training captions; the concept kind is unnamed) or 'scoring' (every kind named). */
  readonly vocabulary: CaptionVocabulary;
  /** Probability that a named kind is called by its name rather than "shape" (CAPTION_PROBABILITIES.shapeName). */
  readonly shapeNameRate?: number;
}

/** Probability that each optional part of the template appears. */
export const CAPTION_PROBABILITIES = {
  /** "small" / "large" */
  size: 0.5,
  /** the shape's colour */
  colour: 0.7,
  /** "on a {background} background" */
  background: 0.5,
  /** a named kind's own name rather than "shape" (generator vocabulary only) */
  shapeName: 0.7,
} as const;

/** The generic shape word; the textual-inversion initializer. */
export const GENERIC_SHAPE_WORD = 'shape';

/** Every word any caption can contain (each one BPE token in the world's vocabulary). */
export const WORLD_WORDS: readonly string[] = [
  'a',
  'an',
  'on',
  'background',
  ...SIZE_CLASSES,
  GENERIC_SHAPE_WORD,
  ...SHAPE_NAMES,
  ...COLOUR_NAMES,
];

/** The indefinite article before `nextWord`: "an orange", "a red". */
export function article(nextWord: string): string {
  return /^[aeiou]/.test(nextWord) ? 'an' : 'a';
}

/** Which optional parts a caption has. */
interface CaptionParts {
  readonly size: boolean;
  readonly colour: boolean;
  readonly background: boolean;
}

/** The words of a caption with the given parts present. */
function compose(scene: Scene, shapeWord: string, parts: CaptionParts): string {
  const noun = [...(parts.size ? [scene.size] : []), ...(parts.colour ? [scene.colour] : []), shapeWord];
  const words = [article(noun[0]), ...noun];
  if (parts.background) words.push('on', article(scene.background), scene.background, 'background');
  return words.join(' ');
}

/** A random caption of `scene` (draws from `rng`; probabilities in CAPTION_PROBABILITIES). */
export function captionScene(scene: Scene, rng: WorldRng, options: CaptionOptions): string {
  const parts = {
    size: rng.bernoulli(CAPTION_PROBABILITIES.size),
    colour: rng.bernoulli(CAPTION_PROBABILITIES.colour),
    background: rng.bernoulli(CAPTION_PROBABILITIES.background),
  };
  const useName = rng.bernoulli(options.shapeNameRate ?? CAPTION_PROBABILITIES.shapeName);
  return compose(scene, shapeWord(scene, options.vocabulary, useName), parts);
}

/** The complete caption of `scene`, every part present: "a small red ring on a blue background". */
export function fullCaption(scene: Scene, vocabulary: CaptionVocabulary): string {
  return compose(scene, shapeWord(scene, vocabulary, true), { size: true, colour: true, background: true });
}

/**
 * `caption` without its shape word, as CLIP-T scores a prompt whose placeholder was deleted: "a small red
 * ring on a blue background" → "a small red on a blue background", "a ring" → "a". The article is made again
 * for the word that now follows it (an empty noun takes "a": "a on a green background").
 */
export function captionWithoutShape(caption: string, scene: Scene): string {
  const [first, ...rest] = caption.split(' ').filter((w) => w !== scene.shape);
  const next = rest[0];
  if (first !== 'a' && first !== 'an') return [first, ...rest].join(' ');
  return [next === undefined || next === 'on' ? 'a' : article(next), ...rest].join(' ');
}

function shapeWord(scene: Scene, vocabulary: CaptionVocabulary, useName: boolean): string {
  if (vocabulary === 'scoring') return scene.shape;
  return NAMED_SHAPES.includes(scene.shape) && useName ? scene.shape : GENERIC_SHAPE_WORD;
}
