import { describe, expect, it } from 'vitest';
import { limitRowNorms, rowNormLimits } from './rowNorms';

const rounded = (rows: Float32Array) => [...rows].map((v) => Math.round(v * 1e6) / 1e6);

describe('row norm limits', () => {
  it('scales only the rows longer than their limit back to it, keeping their direction', () => {
    const rows = Float32Array.of(3, 4, 0.3, 0.4, 0, -10);
    limitRowNorms(rows, [1, 1, 2]);
    expect(rounded(rows)).toEqual([0.6, 0.8, 0.3, 0.4, 0, -2]);
  });

  it('never limits a row below its initial length, and not at all with maxNorm 0', () => {
    const initial = Float32Array.of(0.6, 0.8, 0.03, 0.04);
    expect(rowNormLimits(initial, 2, 0.5).map((v) => Math.round(v * 1e6) / 1e6)).toEqual([1, 0.5]);
    expect(rowNormLimits(initial, 2, 0)).toEqual([0, 0]);
    const rows = Float32Array.of(3, 4, 0, -10);
    limitRowNorms(rows, [0, 0]);
    expect([...rows]).toEqual([3, 4, 0, -10]);
  });
});
