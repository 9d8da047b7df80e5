import { describe, expect, it } from 'vitest';
import type { NoiseSchedule } from '../../diffusion/noiseSchedule';
import { minSnrWeights } from './minSnrWeights';

// ᾱ = 0.9, 0.5, 0.1 → SNR = 9, 1, 1/9
const schedule: NoiseSchedule = {
  numTrainTimesteps: 3,
  betas: Float32Array.of(0.1, 0.44, 0.8),
  alphasCumprod: Float32Array.of(0.9, 0.5, 0.1),
};

describe('min-SNR-γ loss weights (diffusers --snr_gamma)', () => {
  it.each([
    ['epsilon', [5 / 9, 1, 1]],
    ['v_prediction', [0.5, 0.5, 0.1]],
    ['sample', [5, 1, 1 / 9]],
  ] as const)('%s prediction with γ = 5', (type, expected) => {
    const w = minSnrWeights(schedule, type, [0, 1, 2], 5);
    expected.forEach((e, i) => expect(w[i]).toBeCloseTo(e, 5));
  });

  it('a smaller γ caps more timesteps', () => {
    expect(minSnrWeights(schedule, 'epsilon', [0, 1, 2], 0.5)[1]).toBeCloseTo(0.5, 6);
  });

  it('names the bad value and the fix', () => {
    expect(() => minSnrWeights(schedule, 'epsilon', [3], 5)).toThrow(
      /timestep 3 is outside the schedule's 0..2/,
    );
    expect(() => minSnrWeights(schedule, 'epsilon', [0], 0)).toThrow(
      /gamma must be a positive number, got 0/,
    );
  });
});
