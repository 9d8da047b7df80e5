/**
 * Training images as the recipe prepares them: centre crop to a square (the shorter side), Pillow-style
 * bicubic resize to `resolution`, optional horizontal flip, then [0, 1] → [-1, 1] in NCHW for the VAE.
 */
import { resizeBicubic } from '../../image/bicubicResize';
import { createImage, type ImageTensor } from '../../image/imageIO';

/** One image of `images` centre-cropped to a square, resized, as interleaved HWC RGB in [0, 1]. */
export function squareImage(images: ImageTensor, index: number, resolution: number): Float32Array {
  const [n, h, w, c] = images.shape;
  if (index < 0 || index >= n) throw new Error(`image ${index} is outside the batch of ${n}`);
  if (c < 3) throw new Error(`training images need 3 colour channels, got ${c}`);
  const crop = Math.min(h, w);
  const top = Math.floor((h - crop) / 2);
  const left = Math.floor((w - crop) / 2);
  const square = new Float32Array(crop * crop * 3);
  for (let y = 0; y < crop; y++) {
    for (let x = 0; x < crop; x++) {
      const src = ((index * h + top + y) * w + left + x) * c;
      square.set(images.data.subarray(src, src + 3), (y * crop + x) * 3);
    }
  }
  if (crop === resolution) return square;
  return resizeBicubic({ data: square, width: crop, height: crop, channels: 3 }, resolution, resolution).data;
}

/** HWC [0, 1] → NCHW [1, 3, size, size] in [-1, 1], mirrored left-right when `flip`. */
export function toVaePixels(hwc: Float32Array, size: number, flip: boolean): Float32Array {
  const plane = size * size;
  const out = new Float32Array(3 * plane);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const src = (y * size + (flip ? size - 1 - x : x)) * 3;
      for (let ch = 0; ch < 3; ch++) out[ch * plane + y * size + x] = hwc[src + ch]! * 2 - 1;
    }
  }
  return out;
}

/** Every image of `batches` centre-cropped to a square and resized to `size`, as one IMAGE batch. */
export function squareBatch(batches: readonly ImageTensor[], size: number): ImageTensor {
  const total = batches.reduce((n, b) => n + b.shape[0], 0);
  const out = createImage(total, size, size, 3);
  let at = 0;
  for (const batch of batches) {
    for (let i = 0; i < batch.shape[0]; i++)
      out.data.set(squareImage(batch, i, size), at++ * size * size * 3);
  }
  return out;
}
