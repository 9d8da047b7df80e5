/**
 * The world's colours. One palette serves shapes and backgrounds; the colours are far apart in RGB
 * (min pairwise distance ≈ 0.43) so that the oracle never confuses them under noise or blur.
 */

/** Names of the palette colours, in palette order. */
export const COLOUR_NAMES = ['red', 'green', 'blue', 'yellow', 'purple', 'orange', 'white', 'black'] as const;

/** A palette colour name. */
export type ColourName = (typeof COLOUR_NAMES)[number];

/** An RGB triple in [0, 1]. */
export type Rgb = readonly [number, number, number];

/** RGB value of each colour. */
export const PALETTE: Readonly<Record<ColourName, Rgb>> = {
  red: [0.9, 0.08, 0.08],
  green: [0.1, 0.72, 0.15],
  blue: [0.1, 0.2, 0.92],
  yellow: [1, 0.92, 0.1],
  purple: [0.55, 0.12, 0.75],
  orange: [1, 0.5, 0],
  white: [0.96, 0.96, 0.96],
  black: [0.04, 0.04, 0.04],
};

/** Euclidean RGB distance. */
export function rgbDistance(a: Rgb, b: Rgb): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
}

/** The palette colour nearest to `rgb` (optionally never `exclude`). */
export function nearestColour(rgb: Rgb, exclude?: ColourName): ColourName {
  let best: ColourName = COLOUR_NAMES[0] === exclude ? COLOUR_NAMES[1] : COLOUR_NAMES[0];
  let bestDistance = Infinity;
  for (const name of COLOUR_NAMES) {
    if (name === exclude) continue;
    const d = rgbDistance(rgb, PALETTE[name]);
    if (d < bestDistance) {
      bestDistance = d;
      best = name;
    }
  }
  return best;
}

/** Smallest RGB distance between a shape colour and its background (rules out orange on red or yellow). */
export const MIN_CONTRAST = 0.45;

/** Whether `colour` may be drawn on `background`: different, and at least MIN_CONTRAST apart. */
export function hasContrast(colour: ColourName, background: ColourName): boolean {
  return rgbDistance(PALETTE[colour], PALETTE[background]) >= MIN_CONTRAST;
}

/** Whether `value` is a palette colour name. */
export function isColourName(value: string): value is ColourName {
  return (COLOUR_NAMES as readonly string[]).includes(value);
}
