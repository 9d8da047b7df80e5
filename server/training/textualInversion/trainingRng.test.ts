import { describe, expect, it } from 'vitest';
import { TrainingRng } from './trainingRng';

describe('TrainingRng', () => {
  it('resumes from a saved state with exactly the numbers an uninterrupted generator draws', () => {
    const a = new TrainingRng(42);
    a.normal(5);
    a.int(10);
    const saved = JSON.parse(JSON.stringify(a.state()));
    const next = [...a.normal(7), a.uniform(), a.int(1000), ...a.permutation(6)];
    const b = TrainingRng.fromState(saved);
    expect([...b.normal(7), b.uniform(), b.int(1000), ...b.permutation(6)]).toEqual(next);
  });

  it('draws uniform integers covering the range evenly and permutations of every index', () => {
    const rng = new TrainingRng('18446744073709551615');
    const counts = new Array<number>(4).fill(0);
    for (let i = 0; i < 4000; i++) counts[rng.int(4)]! += 1;
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(120);
    expect(rng.permutation(9).sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(() => rng.int(0)).toThrow('random integer range must be a positive integer, got 0');
  });

  it('draws standard normals (mean 0, variance 1, symmetric tails)', () => {
    const z = new TrainingRng(11).normal(200_000);
    const mean = z.reduce((a, v) => a + v, 0) / z.length;
    const variance = z.reduce((a, v) => a + (v - mean) ** 2, 0) / z.length;
    const beyond2 = z.filter((v) => Math.abs(v) > 2).length / z.length;
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(Math.abs(variance - 1)).toBeLessThan(0.01);
    expect(Math.abs(beyond2 - 0.0455)).toBeLessThan(0.003);
  });

  it('keeps the uniform stream independent of how many normals were drawn', () => {
    const a = new TrainingRng(3);
    const b = new TrainingRng(3);
    b.normal(100);
    expect(a.uniform()).toBe(b.uniform());
  });
});
