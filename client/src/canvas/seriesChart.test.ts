import { describe, expect, it } from 'vitest';
import { chartScale, formatValue, movingAverage } from './seriesChart';

describe('movingAverage', () => {
  it('is bias-corrected: the first value is itself, then it follows the EMA recurrence', () => {
    const out = movingAverage([2, 4], 0.5);
    // step 2: avg = 0.5·(0.5·2) + 0.5·4 = 2.5, weight = 0.75 → 3.333…
    expect(out[0]).toBe(2);
    expect(out[1]).toBeCloseTo(10 / 3, 12);
  });

  it('skips NaN without breaking the average', () => {
    const out = movingAverage([Number.NaN, 1, Number.NaN, 1], 0.9);
    expect(out[0]).toBeNaN();
    expect(out.slice(1)).toEqual([1, 1, 1]);
  });
});

describe('chartScale', () => {
  const plot = { x: 10, y: 20, w: 100, h: 50 };
  it('maps the data range onto the plot, y growing upwards', () => {
    const s = chartScale([0, 10], [1, 3], plot);
    expect([s.toX(0), s.toX(10), s.toX(5)]).toEqual([10, 110, 60]);
    expect([s.toY(1), s.toY(3), s.toY(2)]).toEqual([70, 20, 45]);
  });

  it('widens a flat series around its value and ignores non-finite values', () => {
    const s = chartScale([1, 2, 3], [5, Number.NaN, 5], plot);
    expect([s.yMin, s.yMax]).toEqual([4.5, 5.5]);
    expect(s.toY(5)).toBe(45);
  });
});

describe('formatValue', () => {
  it.each([
    [0.123456, '0.123'],
    [0.0001234, '1.23e-4'],
    [12345, '1.23e+4'],
    [0, '0'],
    [Number.NaN, '–'],
  ])('%d → %s', (v, s) => expect(formatValue(v)).toBe(s));
});
