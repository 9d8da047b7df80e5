/**
 * Public API of the shapes world: scenes, renders, captions and the pixel-level oracle. Imports nothing
 * else of the project, so diffusion, training and scoring code can all depend on it.
 */
export {
  article,
  CAPTION_PROBABILITIES,
  captionScene,
  captionWithoutShape,
  fullCaption,
  GENERIC_SHAPE_WORD,
  WORLD_WORDS,
} from './captions';
export type { CaptionOptions, CaptionVocabulary } from './captions';
export { toImageBytes } from './imageBytes';
export { addGaussianNoise, boxBlur3 } from './imageDegradations';
export { judge } from './judge';
export type { Expectation, ExpectationChecks, Judgement } from './judge';
export { classifyImage, CONFIDENT_IOU, CONFIDENT_MARGIN, MIN_SHAPE_IOU } from './oracle';
export type { OracleProblem, OracleVerdict } from './oracle';
export {
  COLOUR_NAMES,
  hasContrast,
  isColourName,
  MIN_CONTRAST,
  nearestColour,
  PALETTE,
  rgbDistance,
} from './palette';
export type { ColourName, Rgb } from './palette';
export { renderScene, shapeCoverage } from './renderScene';
export type { RenderedImage, ShapePlacement } from './renderScene';
export {
  EDGE_MARGIN,
  MAX_ROTATION_DEG,
  sampleScene,
  SCALE_RANGES,
  SIZE_CLASSES,
  SIZE_THRESHOLD,
  sizeClassOf,
} from './scene';
export type { Scene, SceneConstraints, SizeClass } from './scene';
export { isShapeName, NAMED_SHAPES, SHAPE_KINDS, SHAPE_NAMES, UNNAMED_SHAPES } from './shapeKinds';
export type { ShapeKindDefinition, ShapeName } from './shapeKinds';
export { worldSample, worldSamples } from './worldSamples';
export type { WorldSample, WorldSampleOptions } from './worldSamples';
export { WorldRng } from './worldRng';
