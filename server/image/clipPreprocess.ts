/**
 * CLIP image preprocessing for scoring (transformers CLIPImageProcessor): resize the shortest side to the
 * model's image_size (bicubic, antialiased), centre crop to a square, normalise with the CLIP mean/std.
 * Input is an NHWC float batch in [0, 1]; output the NCHW `pixel_values` the CLIP vision tower takes.
 */
import { resizeBicubic } from './bicubicResize';

/** OpenAI CLIP normalisation constants (CLIPImageProcessor defaults). */
export const CLIP_IMAGE_MEAN = [0.48145466, 0.4578275, 0.40821073] as const;
export const CLIP_IMAGE_STD = [0.26862954, 0.26130258, 0.27577711] as const;

/** A batch of images, NHWC, float in [0, 1]. */
export interface ImageBatch {
  data: Float32Array;
  shape: readonly [number, number, number, number];
}

/** Options of the preprocessing; `imageSize` is the vision config's image_size (224 for real CLIP). */
export interface ClipPreprocessOptions {
  imageSize: number;
  mean?: readonly number[];
  std?: readonly number[];
}

/** transformers' `get_resize_output_image_size` with default_to_square=False: (height, width). */
export function shortestSideSize(height: number, width: number, size: number): [number, number] {
  const short = Math.min(height, width);
  const long = Math.max(height, width);
  if (short === size) return [height, width];
  const newLong = Math.trunc((size * long) / short);
  return width <= height ? [newLong, size] : [size, newLong];
}

/** Preprocesses a batch to `{data, shape: [n, 3, imageSize, imageSize]}` (NCHW, normalised). */
export function preprocessForClip(
  images: ImageBatch,
  options: ClipPreprocessOptions,
): { data: Float32Array; shape: [number, number, number, number] } {
  const [n, h, w, c] = images.shape;
  const size = options.imageSize;
  const mean = options.mean ?? CLIP_IMAGE_MEAN;
  const std = options.std ?? CLIP_IMAGE_STD;
  if (images.data.length !== n * h * w * c) {
    throw new Error(
      `image batch has ${images.data.length} values but shape [${images.shape.join(', ')}] needs ${n * h * w * c}`,
    );
  }
  if (c !== 1 && c !== 3 && c !== 4) throw new Error(`images need 1, 3 or 4 channels (NHWC), got ${c}`);
  if (!Number.isInteger(size) || size < 1)
    throw new Error(`imageSize must be a positive integer, got ${size}`);
  const [rh, rw] = shortestSideSize(h, w, size);
  if (rh < size || rw < size) throw new Error(`image ${w}x${h} cannot be cropped to ${size}x${size}`);
  const top = Math.floor((rh - size) / 2);
  const left = Math.floor((rw - size) / 2);
  const out = new Float32Array(n * 3 * size * size);
  const plane = size * size;
  for (let b = 0; b < n; b++) {
    const image = {
      data: images.data.subarray(b * h * w * c, (b + 1) * h * w * c),
      width: w,
      height: h,
      channels: c,
    };
    const resized = resizeBicubic(image, rw, rh);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const src = ((top + y) * rw + left + x) * c;
        for (let ch = 0; ch < 3; ch++) {
          const value = resized.data[src + (c === 1 ? 0 : ch)];
          out[(b * 3 + ch) * plane + y * size + x] = (value - mean[ch]) / std[ch];
        }
      }
    }
  }
  return { data: out, shape: [n, 3, size, size] };
}
