/**
 * Pillow-style bicubic resampling (Image.resize with BICUBIC, as transformers' CLIP processor uses it):
 * the cubic kernel with a = -0.5 stretched by the scale factor when shrinking (antialiasing), weights
 * normalised per output pixel, a horizontal pass then a vertical pass. Works on float data; values are
 * clipped to [lo, hi] after each pass as Pillow clips 8-bit images (Pillow also rounds to 8 bits; we don't).
 */

const SUPPORT = 2;
const A = -0.5;

/** Pillow's bicubic kernel. */
export function bicubicKernel(x: number): number {
  const t = Math.abs(x);
  if (t < 1) return ((A + 2) * t - (A + 3)) * t * t + 1;
  if (t < 2) return (((t - 5) * t + 8) * t - 4) * A;
  return 0;
}

/** For each output pixel: the first input index and the normalised weights (Pillow's precompute_coeffs). */
export interface ResampleCoefficients {
  start: Int32Array;
  weights: Float64Array[];
}

/** Coefficients resampling `inSize` pixels to `outSize`. */
export function resampleCoefficients(inSize: number, outSize: number): ResampleCoefficients {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = SUPPORT * filterScale;
  const start = new Int32Array(outSize);
  const weights: Float64Array[] = [];
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xmax = Math.min(Math.trunc(center + support + 0.5), inSize);
    const k = new Float64Array(xmax - xmin);
    let total = 0;
    for (let x = 0; x < k.length; x++) {
      k[x] = bicubicKernel((x + xmin - center + 0.5) / filterScale);
      total += k[x];
    }
    if (total !== 0) for (let x = 0; x < k.length; x++) k[x] /= total;
    start[xx] = xmin;
    weights.push(k);
  }
  return { start, weights };
}

/** An interleaved image: `data[(y * width + x) * channels + c]`. */
export interface Plane {
  data: Float32Array;
  width: number;
  height: number;
  channels: number;
}

function clip(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/** Resizes one interleaved image to width × height, clipping each pass to [lo, hi]. */
export function resizeBicubic(image: Plane, width: number, height: number, lo = 0, hi = 1): Plane {
  const { channels } = image;
  let current = image;
  if (width !== image.width) {
    const { start, weights } = resampleCoefficients(image.width, width);
    const out = new Float32Array(width * image.height * channels);
    for (let y = 0; y < image.height; y++) {
      for (let x = 0; x < width; x++) {
        const k = weights[x];
        for (let c = 0; c < channels; c++) {
          let sum = 0;
          for (let j = 0; j < k.length; j++)
            sum += k[j] * image.data[(y * image.width + start[x] + j) * channels + c];
          out[(y * width + x) * channels + c] = clip(sum, lo, hi);
        }
      }
    }
    current = { data: out, width, height: image.height, channels };
  }
  if (height !== current.height) {
    const { start, weights } = resampleCoefficients(current.height, height);
    const out = new Float32Array(width * height * channels);
    for (let y = 0; y < height; y++) {
      const k = weights[y];
      for (let x = 0; x < width; x++) {
        for (let c = 0; c < channels; c++) {
          let sum = 0;
          for (let j = 0; j < k.length; j++)
            sum += k[j] * current.data[((start[y] + j) * width + x) * channels + c];
          out[(y * width + x) * channels + c] = clip(sum, lo, hi);
        }
      }
    }
    current = { data: out, width, height, channels };
  }
  return current === image ? { ...image, data: image.data.slice() } : current;
}
