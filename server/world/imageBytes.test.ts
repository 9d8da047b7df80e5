import { describe, expect, it } from 'vitest';
import { toImageBytes } from './imageBytes';

describe('toImageBytes', () => {
  it('rounds and clips to 8-bit RGB or RGBA', () => {
    const rgb = Float32Array.from([0, 0.5, 1, -0.2, 1.3, 0.999]);
    expect(Array.from(toImageBytes(rgb))).toEqual([0, 128, 255, 0, 255, 255]);
    expect(Array.from(toImageBytes(rgb, 4))).toEqual([0, 128, 255, 255, 0, 255, 255, 255]);
  });

  it('rejects data that is not whole pixels', () => {
    expect(() => toImageBytes(new Float32Array(4))).toThrow('RGB image of 4 values is not whole pixels');
  });
});
