import { describe, expect, it } from 'vitest';
import { createImage } from '../../image/imageIO';
import { squareImage, toVaePixels } from './trainingImages';

describe('training image preparation', () => {
  it('centre-crops the longer side (top offset floored, as the recipe slices)', () => {
    const image = createImage(1, 5, 3, 3);
    for (let y = 0; y < 5; y++)
      for (let x = 0; x < 3; x++) image.data.fill(y * 10 + x, (y * 3 + x) * 3, (y * 3 + x) * 3 + 3);
    const square = squareImage(image, 0, 3);
    expect(Array.from(square.filter((_, i) => i % 3 === 0))).toEqual([10, 11, 12, 20, 21, 22, 30, 31, 32]);
  });

  it('maps [0, 1] to [-1, 1] in NCHW and mirrors columns when flipped', () => {
    const hwc = Float32Array.from([0, 0.25, 0.5, 1, 0, 0, 0.5, 0.5, 0.5, 1, 1, 1]); // 2×2 RGB
    expect(Array.from(toVaePixels(hwc, 2, false))).toEqual([-1, 1, 0, 1, -0.5, -1, 0, 1, 0, -1, 0, 1]);
    expect(Array.from(toVaePixels(hwc, 2, true))).toEqual([1, -1, 1, 0, -1, -0.5, 1, 0, -1, 0, 1, 0]);
  });

  it('resizes with antialiased bicubic and keeps a constant image constant', () => {
    const image = createImage(1, 40, 60, 3, 0.25);
    const square = squareImage(image, 0, 16);
    expect(square.length).toBe(16 * 16 * 3);
    for (const v of square) expect(v).toBeCloseTo(0.25, 6);
  });
});
