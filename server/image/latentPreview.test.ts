import { describe, expect, it } from 'vitest';
import { latentToRgbPreview } from './latentPreview';

describe('latent → RGB preview', () => {
  it('projects each latent pixel with the 4×3 factors and maps [-1, 1] to [0, 1], NHWC', () => {
    // 1 image, 4 channels, 1×2 pixels: pixel 0 = unit channel 0, pixel 1 = unit channel 3 scaled by 2
    const latents = Float32Array.from([1, 0, 0, 0, 0, 0, 0, 2]);
    const { data, shape } = latentToRgbPreview(latents, [1, 4, 1, 2]);
    expect(shape).toEqual([1, 1, 2, 3]);
    const expected = [
      (1 + 0.3512) / 2,
      (1 + 0.2297) / 2,
      (1 + 0.3227) / 2,
      (1 - 0.424) / 2,
      (1 - 0.5232) / 2,
      0,
    ];
    Array.from(data).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
  });

  it('clamps to [0, 1] and takes custom factors', () => {
    const { data } = latentToRgbPreview(Float32Array.from([5, -5]), [2, 1, 1, 1], [[1, -1, 0]]);
    expect(Array.from(data)).toEqual([1, 0, 0.5, 0, 1, 0.5]);
  });

  it('rejects mismatched shapes and factor tables', () => {
    expect(() => latentToRgbPreview(new Float32Array(3), [1, 4, 1, 1])).toThrow(
      /3 values, which does not fit shape \[1, 4, 1, 1\]/,
    );
    expect(() => latentToRgbPreview(new Float32Array(3), [1, 3, 1, 1])).toThrow(
      /must be 3×3 for 3 latent channels, got 4 rows/,
    );
  });
});
