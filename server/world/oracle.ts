/**
 * The world's pixel-level oracle: judges an image (a render, or a diffusion model's output) by what the
 * world could have drawn — background and shape colour from pixel statistics, shape kind by IoU against
 * rendered masks of every kind, size word from the fitted scale. Says 'none' rather than guessing when
 * there is no clear background, no foreground, or no kind fits.
 */
import { readForeground } from './oracleForeground';
import type { ColourName } from './palette';
import { sizeClassOf, type SizeClass } from './scene';
import { fitAllShapes } from './shapeMatch';
import { SHAPE_NAMES, type ShapeName } from './shapeKinds';

/** Best IoU below which the oracle reports no shape. */
export const MIN_SHAPE_IOU = 0.5;
/** Best IoU and runner-up margin from which a classification is confident. */
export const CONFIDENT_IOU = 0.75;
export const CONFIDENT_MARGIN = 0.05;
/** How much worse the runner-up colour must explain the shape's pixels for a confident colour. */
export const CONFIDENT_COLOUR_MARGIN = 0.03;

/** Why a reading fell short, or null when every part was read. */
export type OracleProblem = 'no-background' | 'no-foreground' | 'poor-match' | null;

/** What the oracle sees in one image. */
export interface OracleVerdict {
  readonly background: ColourName | 'none';
  readonly colour: ColourName | 'none';
  readonly shape: ShapeName | 'none';
  readonly size: SizeClass | 'none';
  /** IoU of the best-fitting kind (0 without foreground). */
  readonly iou: number;
  /** The second-best kind and how much lower its IoU is. */
  readonly runnerUp: ShapeName | 'none';
  readonly margin: number;
  /** Best IoU of every kind (all 0 without foreground). */
  readonly perKind: Readonly<Record<ShapeName, number>>;
  /** Fitted scale of the best kind as a fraction of the image width (0 without foreground). */
  readonly scale: number;
  /** Pixels in the foreground mask. */
  readonly foregroundPixels: number;
  /** Whether every part was read clearly (see CONFIDENT_*). */
  readonly confident: boolean;
  readonly problem: OracleProblem;
}

function zeroPerKind(): Record<ShapeName, number> {
  return Object.fromEntries(SHAPE_NAMES.map((name) => [name, 0])) as Record<ShapeName, number>;
}

/** Classifies a `size`×`size` HWC RGB image (values nominally in [0, 1]; clipped). */
export function classifyImage(rgb: Float32Array, size: number): OracleVerdict {
  if (!Number.isInteger(size) || size < 8 || rgb.length !== size * size * 3) {
    throw new Error(
      `image of ${rgb.length} values does not match size ${size}; pass HWC RGB of length size·size·3`,
    );
  }
  const reading = readForeground(rgb, size);
  const nothing = {
    colour: 'none',
    shape: 'none',
    size: 'none',
    iou: 0,
    runnerUp: 'none',
    margin: 0,
    perKind: zeroPerKind(),
    scale: 0,
    confident: false,
  } as const;
  if (reading.kind === 'no-background') {
    return { ...nothing, background: 'none', foregroundPixels: 0, problem: 'no-background' };
  }
  if (reading.kind === 'no-foreground') {
    return {
      ...nothing,
      background: reading.background,
      foregroundPixels: reading.foregroundPixels,
      problem: 'no-foreground',
    };
  }
  const fits = fitAllShapes(reading.mask, size);
  const ranked = [...SHAPE_NAMES].sort((a, b) => fits[b].iou - fits[a].iou);
  const [best, second] = ranked;
  const iou = fits[best].iou;
  const margin = iou - fits[second].iou;
  const matched = iou >= MIN_SHAPE_IOU;
  const scale = fits[best].placement.scale / size;
  return {
    background: reading.background,
    colour: reading.colour,
    shape: matched ? best : 'none',
    size: matched ? sizeClassOf(scale) : 'none',
    iou,
    runnerUp: second,
    margin,
    perKind: Object.fromEntries(SHAPE_NAMES.map((name) => [name, fits[name].iou])) as Record<
      ShapeName,
      number
    >,
    scale,
    foregroundPixels: reading.foregroundPixels,
    confident:
      matched &&
      iou >= CONFIDENT_IOU &&
      margin >= CONFIDENT_MARGIN &&
      reading.colourMargin >= CONFIDENT_COLOUR_MARGIN,
    problem: matched ? null : 'poor-match',
  };
}
