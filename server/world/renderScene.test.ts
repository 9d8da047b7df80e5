import { describe, expect, it } from 'vitest';
import { PALETTE } from './palette';
import { renderScene } from './renderScene';
import type { Scene } from './scene';
import { SHAPE_NAMES } from './shapeKinds';

const base: Scene = {
  shape: 'circle',
  colour: 'red',
  background: 'blue',
  size: 'large',
  scale: 0.25,
  cx: 0.5,
  cy: 0.5,
  rotation: 0,
};

describe('renderScene', () => {
  it.each(SHAPE_NAMES)('covers the same area, π·(scale·size)², for %s', (shape) => {
    const { mask } = renderScene({ ...base, shape, rotation: 10 }, 64);
    const area = mask.reduce((s, m) => s + m, 0);
    // π·16² = 804.2 px
    expect(Math.abs(area / 804.25 - 1)).toBeLessThan(0.02);
  });

  it('mixes background and shape colour by coverage', () => {
    const { rgb, mask, size } = renderScene(base, 32);
    expect(size).toBe(32);
    expect(rgb.length).toBe(32 * 32 * 3);
    const centre = 16 * 32 + 16;
    expect(mask[centre]).toBe(1);
    expect(Array.from(rgb.slice(3 * centre, 3 * centre + 3))).toEqual(
      Array.from(Float32Array.from(PALETTE.red)),
    );
    expect(Array.from(rgb.slice(0, 3))).toEqual(Array.from(Float32Array.from(PALETTE.blue)));
    const edge = mask.findIndex((m) => m > 0 && m < 1);
    const m = mask[edge];
    expect(rgb[3 * edge]).toBeCloseTo(PALETTE.blue[0] + (PALETTE.red[0] - PALETTE.blue[0]) * m, 6);
  });

  it('rotates counter-clockwise on screen', () => {
    // a triangle's apex points up; turned +20° it leans left, so the left half holds more of the top rows
    const { mask } = renderScene({ ...base, shape: 'triangle', rotation: 20 }, 64);
    let left = 0;
    let right = 0;
    for (let y = 0; y < 24; y++) {
      for (let x = 0; x < 64; x++) {
        if (x < 32) left += mask[y * 64 + x];
        else right += mask[y * 64 + x];
      }
    }
    expect(left).toBeGreaterThan(right);
  });

  it('punches the hole of the ring', () => {
    const { mask } = renderScene({ ...base, shape: 'ring' }, 32);
    expect(mask[16 * 32 + 16]).toBe(0);
    expect(mask[16 * 32 + 16 + 7]).toBe(1);
  });

  it('rejects a bad image size, naming it', () => {
    expect(() => renderScene(base, 4.5)).toThrow(
      'image size 4.5 is not supported; pass a whole number of pixels ≥ 8',
    );
  });
});
