/**
 * First half of the oracle: from pixels alone, the background colour (robust statistic of the border),
 * the shape colour (the palette colour whose mixtures with the background best explain the off-background
 * pixels, so blurred edges don't read as a third colour) and the shape's binary mask (mixing fraction
 * above one half, largest connected blob; smoothed first when the border shows strong pixel noise).
 */
import { COLOUR_NAMES, nearestColour, PALETTE, rgbDistance, type ColourName, type Rgb } from './palette';
import { keepLargestBlob } from './largestBlob';

/** Border pixels closer than this to the background colour count as agreeing with it. */
const BACKGROUND_TOLERANCE = 0.25;
/** Fraction of border pixels that must agree for a clear background. */
const MIN_BACKGROUND_AGREEMENT = 0.6;
/** Pixels farther than this from the background colour are foreground candidates. */
const CANDIDATE_DISTANCE = 0.2;
/** Smallest foreground, as a fraction of the image area (the smallest shape covers ≈ 8 %). */
export const MIN_FOREGROUND_FRACTION = 0.02;
/** Noise in mixing-fraction units above which the fraction map is 3×3-averaged before thresholding. */
const SMOOTHING_NOISE = 0.15;

interface BackgroundReading {
  readonly background: ColourName;
  /** Fraction of border pixels near the background colour. */
  readonly backgroundAgreement: number;
  /** Per-channel pixel noise seen on the border (robust standard deviation). */
  readonly noise: number;
}

/** What the pixels say before any shape is matched. */
export type ForegroundReading =
  | (BackgroundReading & { readonly kind: 'no-background' })
  | (BackgroundReading & { readonly kind: 'no-foreground'; readonly foregroundPixels: number })
  | (BackgroundReading & {
      readonly kind: 'foreground';
      readonly colour: ColourName;
      /** Mean distance of shape pixels from the background–colour mixing segment. */
      readonly colourResidual: number;
      /** How much worse the runner-up colour explains the shape pixels (same units). */
      readonly colourMargin: number;
      /** 1 where the shape is, row-major size·size. */
      readonly mask: Uint8Array;
      readonly foregroundPixels: number;
    });

function median(values: number[]): number {
  const sorted = values.sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function readBackground(px: Float32Array, size: number): BackgroundReading {
  const border: number[] = [];
  for (let x = 0; x < size; x++) border.push(x, (size - 1) * size + x);
  for (let y = 1; y < size - 1; y++) border.push(y * size, y * size + size - 1);
  const channel = (c: number): number => median(border.map((i) => px[3 * i + c]));
  const background = nearestColour([channel(0), channel(1), channel(2)]);
  const bg = PALETTE[background];
  const agreeing = border.filter(
    (i) => Math.hypot(px[3 * i] - bg[0], px[3 * i + 1] - bg[1], px[3 * i + 2] - bg[2]) < BACKGROUND_TOLERANCE,
  ).length;
  // robust σ: 1.4826 · median absolute deviation from the palette colour
  const noise = 1.4826 * median(border.flatMap((i) => [0, 1, 2].map((c) => Math.abs(px[3 * i + c] - bg[c]))));
  return { background, backgroundAgreement: agreeing / border.length, noise };
}

/** Mean distance of the pixels `indices` from the segment bg → fg (each pixel at most a mixture of the two). */
function mixtureResidual(px: Float32Array, indices: readonly number[], bg: Rgb, fg: Rgb): number {
  const d0 = fg[0] - bg[0];
  const d1 = fg[1] - bg[1];
  const d2 = fg[2] - bg[2];
  const dd = d0 * d0 + d1 * d1 + d2 * d2;
  let sum = 0;
  for (const i of indices) {
    const q0 = px[3 * i] - bg[0];
    const q1 = px[3 * i + 1] - bg[1];
    const q2 = px[3 * i + 2] - bg[2];
    const t = Math.min(1, Math.max(0, (q0 * d0 + q1 * d1 + q2 * d2) / dd));
    sum += Math.hypot(q0 - t * d0, q1 - t * d1, q2 - t * d2);
  }
  return sum / indices.length;
}

/** The palette colour (not the background) that best explains the pixels `indices`, and its margin. */
function fitColour(px: Float32Array, indices: readonly number[], background: ColourName) {
  const ranked = COLOUR_NAMES.filter((name) => name !== background)
    .map((name) => ({ name, residual: mixtureResidual(px, indices, PALETTE[background], PALETTE[name]) }))
    .sort((a, b) => a.residual - b.residual);
  return {
    colour: ranked[0].name,
    residual: ranked[0].residual,
    margin: ranked[1].residual - ranked[0].residual,
  };
}

/** Shape mask: mixing fraction along bg → fg above one half (3×3-averaged when `smooth`), largest blob. */
function shapeMask(px: Float32Array, size: number, bg: Rgb, fg: Rgb, smooth: boolean): Uint8Array {
  const d = [fg[0] - bg[0], fg[1] - bg[1], fg[2] - bg[2]];
  const dd = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
  const alpha = new Float32Array(size * size);
  for (let i = 0; i < alpha.length; i++) {
    alpha[i] =
      ((px[3 * i] - bg[0]) * d[0] + (px[3 * i + 1] - bg[1]) * d[1] + (px[3 * i + 2] - bg[2]) * d[2]) / dd;
  }
  const mask = new Uint8Array(size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let a = alpha[y * size + x];
      if (smooth) {
        let sum = 0;
        let count = 0;
        for (let ny = Math.max(0, y - 1); ny <= Math.min(size - 1, y + 1); ny++) {
          for (let nx = Math.max(0, x - 1); nx <= Math.min(size - 1, x + 1); nx++, count++)
            sum += alpha[ny * size + nx];
        }
        a = sum / count;
      }
      mask[y * size + x] = a > 0.5 ? 1 : 0;
    }
  }
  keepLargestBlob(mask, size);
  return mask;
}

/** Reads background, shape colour and shape mask of a `size`×`size` HWC RGB image. */
export function readForeground(rgb: Float32Array, size: number): ForegroundReading {
  const px = rgb.map((v) => (v > 1 ? 1 : v > 0 ? v : 0));
  const backgroundReading = readBackground(px, size);
  if (backgroundReading.backgroundAgreement < MIN_BACKGROUND_AGREEMENT) {
    return { ...backgroundReading, kind: 'no-background' };
  }
  const { background, noise } = backgroundReading;
  const bg = PALETTE[background];
  const pixels = size * size;
  const candidates: number[] = [];
  for (let i = 0; i < pixels; i++) {
    const distance = Math.hypot(px[3 * i] - bg[0], px[3 * i + 1] - bg[1], px[3 * i + 2] - bg[2]);
    if (distance > CANDIDATE_DISTANCE) candidates.push(i);
  }
  const minPixels = MIN_FOREGROUND_FRACTION * pixels;
  if (candidates.length < minPixels) {
    return { ...backgroundReading, kind: 'no-foreground', foregroundPixels: candidates.length };
  }
  // fit on every candidate, then refit on the shape's blob alone (scattered noise pixels drop out)
  const first = fitColour(px, candidates, background);
  const maskFor = (colour: ColourName): Uint8Array =>
    shapeMask(px, size, bg, PALETTE[colour], noise / rgbDistance(bg, PALETTE[colour]) > SMOOTHING_NOISE);
  const firstMask = maskFor(first.colour);
  const firstBlob = indicesOf(firstMask);
  if (firstBlob.length < minPixels) {
    return { ...backgroundReading, kind: 'no-foreground', foregroundPixels: firstBlob.length };
  }
  const fit = fitColour(px, firstBlob, background);
  const mask = fit.colour === first.colour ? firstMask : maskFor(fit.colour);
  const foregroundPixels = indicesOf(mask).length;
  if (foregroundPixels < minPixels) return { ...backgroundReading, kind: 'no-foreground', foregroundPixels };
  const { colour, residual: colourResidual, margin: colourMargin } = fit;
  return {
    ...backgroundReading,
    kind: 'foreground',
    colour,
    colourResidual,
    colourMargin,
    mask,
    foregroundPixels,
  };
}

function indicesOf(mask: Uint8Array): number[] {
  const indices: number[] = [];
  for (let i = 0; i < mask.length; i++) if (mask[i]) indices.push(i);
  return indices;
}
