/**
 * First half of the oracle: from pixels alone, the background colour (robust statistic of the border),
 * the shape colour (the palette colour whose mixtures with the background best explain the off-background
 * pixels, so blurred edges don't read as a third colour) and the shape's binary mask (mixing fraction
 * above one half, largest connected blob).
 */
import { COLOUR_NAMES, nearestColour, PALETTE, type ColourName } from './palette';
import { keepLargestBlob } from './largestBlob';

/** Border pixels closer than this to the background colour count as agreeing with it. */
const BACKGROUND_TOLERANCE = 0.25;
/** Fraction of border pixels that must agree for a clear background. */
const MIN_BACKGROUND_AGREEMENT = 0.6;
/** Pixels farther than this from the background colour are foreground candidates. */
const CANDIDATE_DISTANCE = 0.2;
/** Smallest foreground, as a fraction of the image area (the smallest shape covers ≈ 8 %). */
export const MIN_FOREGROUND_FRACTION = 0.02;

interface BackgroundReading {
  readonly background: ColourName;
  /** Fraction of border pixels near the background colour. */
  readonly backgroundAgreement: number;
}

/** What the pixels say before any shape is matched. */
export type ForegroundReading =
  | (BackgroundReading & { readonly kind: 'no-background' })
  | (BackgroundReading & { readonly kind: 'no-foreground'; readonly foregroundPixels: number })
  | (BackgroundReading & {
      readonly kind: 'foreground';
      readonly colour: ColourName;
      /** Mean distance of candidate pixels from the background–colour mixing segment. */
      readonly colourResidual: number;
      /** 1 where the shape is, row-major size·size. */
      readonly mask: Uint8Array;
      readonly foregroundPixels: number;
    });

function median(values: number[]): number {
  const sorted = values.sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function borderIndices(size: number): number[] {
  const indices: number[] = [];
  for (let x = 0; x < size; x++) indices.push(x, (size - 1) * size + x);
  for (let y = 1; y < size - 1; y++) indices.push(y * size, y * size + size - 1);
  return indices;
}

/** Offset of pixel `i` from the background, per channel, into `q`. */
function offset(px: Float32Array, i: number, bg: readonly number[], q: number[]): void {
  for (let c = 0; c < 3; c++) q[c] = px[3 * i + c] - bg[c];
}

function readBackground(px: Float32Array, size: number): BackgroundReading {
  const border = borderIndices(size);
  const channel = (c: number): number => median(border.map((i) => px[3 * i + c]));
  const background = nearestColour([channel(0), channel(1), channel(2)]);
  const [r, g, b] = PALETTE[background];
  const agreeing = border.filter(
    (i) => Math.hypot(px[3 * i] - r, px[3 * i + 1] - g, px[3 * i + 2] - b) < BACKGROUND_TOLERANCE,
  ).length;
  return { background, backgroundAgreement: agreeing / border.length };
}

/** Reads background, shape colour and shape mask of a `size`×`size` HWC RGB image. */
export function readForeground(rgb: Float32Array, size: number): ForegroundReading {
  const px = rgb.map((v) => (v > 1 ? 1 : v > 0 ? v : 0));
  const backgroundReading = readBackground(px, size);
  if (backgroundReading.backgroundAgreement < MIN_BACKGROUND_AGREEMENT) {
    return { ...backgroundReading, kind: 'no-background' };
  }
  const bg = PALETTE[backgroundReading.background];
  const pixels = size * size;
  const q = [0, 0, 0];
  const candidates: number[] = [];
  for (let i = 0; i < pixels; i++) {
    offset(px, i, bg, q);
    if (Math.hypot(q[0], q[1], q[2]) > CANDIDATE_DISTANCE) candidates.push(i);
  }
  const minPixels = MIN_FOREGROUND_FRACTION * pixels;
  if (candidates.length < minPixels) {
    return { ...backgroundReading, kind: 'no-foreground', foregroundPixels: candidates.length };
  }
  let colour: ColourName = backgroundReading.background;
  let colourResidual = Infinity;
  for (const name of COLOUR_NAMES) {
    if (name === backgroundReading.background) continue;
    const fg = PALETTE[name];
    const d = [fg[0] - bg[0], fg[1] - bg[1], fg[2] - bg[2]];
    const dd = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
    let sum = 0;
    for (const i of candidates) {
      offset(px, i, bg, q);
      // distance from the segment bg → fg: the pixel as a mixture of the two at most
      const t = Math.min(1, Math.max(0, (q[0] * d[0] + q[1] * d[1] + q[2] * d[2]) / dd));
      sum += Math.hypot(q[0] - t * d[0], q[1] - t * d[1], q[2] - t * d[2]);
    }
    if (sum / candidates.length < colourResidual) {
      colourResidual = sum / candidates.length;
      colour = name;
    }
  }
  const fg = PALETTE[colour];
  const d = [fg[0] - bg[0], fg[1] - bg[1], fg[2] - bg[2]];
  const dd = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
  const mask = new Uint8Array(pixels);
  for (let i = 0; i < pixels; i++) {
    offset(px, i, bg, q);
    mask[i] = (q[0] * d[0] + q[1] * d[1] + q[2] * d[2]) / dd > 0.5 ? 1 : 0; // coverage above one half
  }
  const foregroundPixels = keepLargestBlob(mask, size);
  if (foregroundPixels < minPixels) return { ...backgroundReading, kind: 'no-foreground', foregroundPixels };
  return { ...backgroundReading, kind: 'foreground', colour, colourResidual, mask, foregroundPixels };
}
