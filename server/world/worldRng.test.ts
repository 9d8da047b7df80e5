import { describe, expect, it } from 'vitest';
import { WorldRng } from './worldRng';

describe('WorldRng', () => {
  it('gives the same numbers for the same seed and stream', () => {
    const a = new WorldRng(42, 7);
    const b = new WorldRng(42, 7);
    expect(Array.from({ length: 5 }, () => a.nextUint32())).toEqual(
      Array.from({ length: 5 }, () => b.nextUint32()),
    );
  });

  it('starts every (seed, stream) pair at its own literal sequence', () => {
    const first = (seed: number, stream: number): number[] => {
      const rng = new WorldRng(seed, stream);
      return [rng.nextUint32(), rng.nextUint32(), rng.nextUint32()];
    };
    expect(first(0, 0)).toEqual([2043329612, 301151798, 1567352165]);
    expect(first(0, 1)).toEqual([4116316579, 4007771545, 3453435809]);
    expect(first(2 ** 40 + 3, 0)).toEqual([232201779, 837779696, 3778349126]);
  });

  it('draws uniforms, integers and choices within their ranges', () => {
    const rng = new WorldRng(1);
    for (let k = 0; k < 1000; k++) {
      const u = rng.uniform(2, 3);
      expect(u).toBeGreaterThanOrEqual(2);
      expect(u).toBeLessThan(3);
      expect([0, 1, 2]).toContain(rng.int(3));
      expect(['x', 'y']).toContain(rng.choice(['x', 'y']));
    }
  });

  it('draws standard normals', () => {
    const rng = new WorldRng(3);
    const values = Array.from({ length: 20000 }, () => rng.normal());
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
  });

  it('rejects seeds that are not whole numbers, naming the value', () => {
    expect(() => new WorldRng(1.5)).toThrow(
      'seed 1.5 is not a non-negative integer; pass a whole number 0..2^53-1',
    );
    expect(() => new WorldRng(1, -2)).toThrow('stream -2 is not a non-negative integer');
    expect(() => new WorldRng(1).choice([])).toThrow('choice() got an empty list');
  });
});
