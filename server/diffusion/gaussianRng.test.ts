import { describe, expect, it } from 'vitest';
import { GaussianRng } from './gaussianRng';

describe('GaussianRng', () => {
  it('is deterministic per seed and differs across seeds', () => {
    expect(new GaussianRng(7).normal(16)).toEqual(new GaussianRng(7).normal(16));
    expect(new GaussianRng(7).normal(16)).not.toEqual(new GaussianRng(8).normal(16));
    expect(new GaussianRng(2n ** 63n + 5n).normal(4)).not.toEqual(new GaussianRng(5).normal(4));
  });

  it('does not depend on how draws are chunked', () => {
    const whole = new GaussianRng(42).normal(11);
    const rng = new GaussianRng(42);
    const parts = [rng.normal(3), rng.normal(1), rng.normal(7)];
    expect(Float32Array.from(parts.flatMap((p) => Array.from(p)))).toEqual(whole);
  });

  it('resumes exactly from a saved state, including mid-pair, through JSON', () => {
    const reference = new GaussianRng(123456789);
    const expected = reference.normal(1001);
    const rng = new GaussianRng(123456789);
    rng.normal(501); // odd: the saved position sits between the two normals of one Box–Muller pair
    const saved = JSON.parse(JSON.stringify(rng.state())) as unknown;
    const resumed = GaussianRng.fromState(saved);
    expect(resumed.normal(500)).toEqual(expected.subarray(501));
  });

  it('has standard normal moments', () => {
    const x = new GaussianRng(1).normal(200_000);
    const mean = x.reduce((a, b) => a + b, 0) / x.length;
    const variance = x.reduce((a, b) => a + (b - mean) ** 2, 0) / x.length;
    const kurtosis = x.reduce((a, b) => a + (b - mean) ** 4, 0) / x.length / variance ** 2;
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(Math.abs(variance - 1)).toBeLessThan(0.015);
    expect(Math.abs(kurtosis - 3)).toBeLessThan(0.05);
  });

  it('resumes exactly after any mix of normal and uniform draws', () => {
    const draw = (rng: GaussianRng) => [
      ...rng.normal(3),
      rng.uniform(),
      rng.randomInt(1000),
      ...rng.normal(2),
    ];
    const rng = new GaussianRng(77);
    rng.normal(1);
    rng.randomInt(10);
    const saved = JSON.parse(JSON.stringify(rng.state())) as unknown;
    expect(draw(GaussianRng.fromState(saved))).toEqual(draw(rng));
  });

  it('draws uniform integers over the whole range', () => {
    const rng = new GaussianRng(3);
    const counts = new Array<number>(4).fill(0);
    for (let i = 0; i < 40_000; i++) counts[rng.randomInt(4)]++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(400);
    expect(() => rng.randomInt(0)).toThrow('randomInt needs a positive integer bound, got 0');
  });

  it('rejects bad seeds and foreign states', () => {
    expect(() => new GaussianRng(-1)).toThrow(/seed -1 must be an integer in 0..2\^64-1/);
    expect(() => new GaussianRng(1.5)).toThrow(/seed 1.5/);
    expect(() =>
      GaussianRng.fromState({ algorithm: 'mt19937', seed: '1', counter: 0, spareBlock: null }),
    ).toThrow();
  });
});
