/** Degradations that the oracle must see through: pixel noise and blur, as a sampler's output may have. */
import type { WorldRng } from './worldRng';

/** A copy of `rgb` with N(0, sigma²) added to every value, clipped to [0, 1]. */
export function addGaussianNoise(rgb: Float32Array, sigma: number, rng: WorldRng): Float32Array {
  const out = new Float32Array(rgb.length);
  for (let i = 0; i < rgb.length; i++) out[i] = Math.min(1, Math.max(0, rgb[i] + sigma * rng.normal()));
  return out;
}

/** A 3×3 box blur of a `size`×`size` HWC RGB image, edges replicated. */
export function boxBlur3(rgb: Float32Array, size: number): Float32Array {
  const out = new Float32Array(rgb.length);
  const clamp = (v: number): number => (v < 0 ? 0 : v >= size ? size - 1 : v);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        for (let dy = -1; dy <= 1; dy++) {
          for (let dx = -1; dx <= 1; dx++) sum += rgb[3 * (clamp(y + dy) * size + clamp(x + dx)) + c];
        }
        out[3 * (y * size + x) + c] = sum / 9;
      }
    }
  }
  return out;
}
