import { describe, expect, it } from 'vitest';
import { rotatedExtent, SHAPE_GEOMETRY } from './shapeGeometry';
import { NAMED_SHAPES, SHAPE_NAMES, UNNAMED_SHAPES } from './shapeKinds';

/** Area and centroid of a kind in the unit frame, by point counting on a 600×600 grid over [-2, 2]². */
function moments(inside: (u: number, v: number) => boolean): { area: number; cu: number; cv: number } {
  const n = 600;
  const step = 4 / n;
  let count = 0;
  let su = 0;
  let sv = 0;
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n; i++) {
      const u = -2 + (i + 0.5) * step;
      const v = -2 + (j + 0.5) * step;
      if (!inside(u, v)) continue;
      count++;
      su += u;
      sv += v;
    }
  }
  return { area: count * step * step, cu: su / count, cv: sv / count };
}

describe('shape geometry', () => {
  it('lists six named kinds and the unnamed ring', () => {
    expect(NAMED_SHAPES).toEqual(['circle', 'square', 'triangle', 'star', 'cross', 'heart']);
    expect(UNNAMED_SHAPES).toEqual(['ring']);
  });

  it.each(SHAPE_NAMES)('gives %s area π and its centroid at the origin', (name) => {
    const { area, cu, cv } = moments(SHAPE_GEOMETRY[name].inside);
    expect(area).toBeCloseTo(Math.PI, 1);
    expect(Math.abs(area / Math.PI - 1)).toBeLessThan(0.01);
    expect(Math.abs(cu)).toBeLessThan(0.01);
    expect(Math.abs(cv)).toBeLessThan(0.01);
  });

  it('measures extents under rotation', () => {
    const circle = rotatedExtent('circle', 17);
    expect(circle.left).toBeCloseTo(-1, 1);
    expect(circle.bottom).toBeCloseTo(1, 1);
    // the square's half side is √π / 2 ≈ 0.886; turned 20° its half-width is 0.886·(cos 20° + sin 20°) ≈ 1.136
    expect(rotatedExtent('square', 0).right).toBeCloseTo(0.886, 1);
    expect(rotatedExtent('square', 20).right).toBeCloseTo(1.136, 1);
    // the triangle points up: its top is farther from the centroid than its bottom
    const triangle = rotatedExtent('triangle', 0);
    expect(-triangle.top).toBeGreaterThan(1.5);
    expect(triangle.bottom).toBeLessThan(0.8);
  });
});
