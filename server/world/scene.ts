/**
 * A scene is everything the renderer and captioner need: one shape in one colour on a plain background,
 * with size, position and rotation jitter. Geometry is in fractions of the image width, so one scene
 * renders alike at any image size.
 */
import { COLOUR_NAMES, hasContrast, type ColourName } from './palette';
import { rotatedExtent } from './shapeGeometry';
import { SHAPE_NAMES, type ShapeName } from './shapeKinds';
import type { WorldRng } from './worldRng';

/** The two size words. */
export const SIZE_CLASSES = ['small', 'large'] as const;

/** A size word. */
export type SizeClass = (typeof SIZE_CLASSES)[number];

/** One scene. */
export interface Scene {
  readonly shape: ShapeName;
  readonly colour: ColourName;
  readonly background: ColourName;
  readonly size: SizeClass;
  /** Radius of the circle of equal area, as a fraction of the image width (within SCALE_RANGES[size]). */
  readonly scale: number;
  /** Shape centroid, as fractions of the image width and height (x right, y down). */
  readonly cx: number;
  readonly cy: number;
  /** Degrees, counter-clockwise on screen, within ±MAX_ROTATION_DEG. */
  readonly rotation: number;
}

/** Scale range of each size word; the gap between them keeps the words unambiguous. */
export const SCALE_RANGES: Readonly<Record<SizeClass, readonly [number, number]>> = {
  small: [0.16, 0.2],
  large: [0.25, 0.3],
};

/** Scale below which a shape reads as small (between the two ranges). */
export const SIZE_THRESHOLD = 0.22;

/** Rotation jitter bound: small enough that a square never reads as a diamond. */
export const MAX_ROTATION_DEG = 20;

/** Clear space between the shape and the image edge, as a fraction of the width (1 px at 32 px). */
export const EDGE_MARGIN = 1 / 32;

/** Fixed fields for sampling: one value, or a list of allowed values drawn uniformly. */
export interface SceneConstraints {
  readonly shape?: ShapeName | readonly ShapeName[];
  readonly colour?: ColourName | readonly ColourName[];
  readonly background?: ColourName | readonly ColourName[];
  readonly size?: SizeClass | readonly SizeClass[];
}

function allowed<T extends string>(
  field: string,
  all: readonly T[],
  fixed: T | readonly T[] | undefined,
): T[] {
  if (fixed === undefined) return [...all];
  const list: readonly T[] = typeof fixed === 'string' ? [fixed] : (fixed as readonly T[]);
  for (const value of list) {
    if (!all.includes(value)) {
      throw new Error(`unknown ${field} "${value}" in scene constraints; expected one of ${all.join(', ')}`);
    }
  }
  if (list.length === 0)
    throw new Error(`empty ${field} list in scene constraints; expected one of ${all.join(', ')}`);
  return [...list];
}

/**
 * Draws one scene; fields in `constraints` are fixed (or drawn from the allowed list). The background is
 * never the shape colour nor one too close to it (see `hasContrast`).
 */
export function sampleScene(rng: WorldRng, constraints: SceneConstraints = {}): Scene {
  const shape = rng.choice(allowed('shape', SHAPE_NAMES, constraints.shape));
  const colour = rng.choice(allowed('colour', COLOUR_NAMES, constraints.colour));
  const backgrounds = allowed('background', COLOUR_NAMES, constraints.background).filter((c) =>
    hasContrast(colour, c),
  );
  if (backgrounds.length === 0) {
    const clash = COLOUR_NAMES.filter((c) => !hasContrast(colour, c)).join(', ');
    throw new Error(
      `scene constraints leave no background for colour "${colour}"; allow a background other than ${clash}`,
    );
  }
  const background = rng.choice(backgrounds);
  const size = rng.choice(allowed('size', SIZE_CLASSES, constraints.size));
  const [lo, hi] = SCALE_RANGES[size];
  const scale = rng.uniform(lo, hi);
  const rotation = rng.uniform(-MAX_ROTATION_DEG, MAX_ROTATION_DEG);
  const extent = rotatedExtent(shape, rotation);
  const cx = rng.uniform(EDGE_MARGIN - extent.left * scale, 1 - EDGE_MARGIN - extent.right * scale);
  const cy = rng.uniform(EDGE_MARGIN - extent.top * scale, 1 - EDGE_MARGIN - extent.bottom * scale);
  return { shape, colour, background, size, scale, cx, cy, rotation };
}

/** Size word of a scale (fraction of the image width). */
export function sizeClassOf(scale: number): SizeClass {
  return scale < SIZE_THRESHOLD ? 'small' : 'large';
}
