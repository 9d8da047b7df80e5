import { describe, expect, it } from 'vitest';
import { RANDOMIZE_MAX, isControlMode, nextControlledValue } from './controlAfterGenerate';

describe('nextControlledValue', () => {
  const range = { min: 0, max: 10, step: 2 };
  it.each([
    ['fixed', 4, 4],
    ['increment', 4, 6],
    ['increment', 10, 10],
    ['decrement', 4, 2],
    ['decrement', 0, 0],
  ] as const)('%s from %d gives %d', (mode, from, to) => {
    expect(nextControlledValue(mode, from, range)).toBe(to);
  });

  it.each([
    [0, 0],
    [0.999999, 10],
    [0.5, 6],
  ])('randomize with random()=%d picks %d on the step grid', (r, expected) => {
    expect(nextControlledValue('randomize', 4, range, () => r)).toBe(expected);
  });

  it('caps randomize at RANDOMIZE_MAX for huge seed ranges', () => {
    expect(
      nextControlledValue('randomize', 0, { min: 0, max: 2 ** 64 }, () => 0.9999999999),
    ).toBeLessThanOrEqual(RANDOMIZE_MAX);
  });

  it('recognises the modes', () => {
    expect([isControlMode('randomize'), isControlMode('random'), isControlMode(3)]).toEqual([
      true,
      false,
      false,
    ]);
  });
});
