import { describe, expect, it } from 'vitest';
import { parseTrainerConfig, resumeConflicts } from './trainerConfig';

const base = {
  placeholderToken: '<tok>',
  initializerToken: 'dog',
  numVectors: 1,
  template: 'object',
  steps: 100,
  learningRate: 5e-3,
  batchSize: 1,
  resolution: 512,
  seed: 1,
};

describe('trainer settings', () => {
  it('fills the recipe defaults (AdamW as torch, flip 0.5, constant lr)', () => {
    const c = parseTrainerConfig(base);
    expect([
      c.beta1,
      c.beta2,
      c.eps,
      c.weightDecay,
      c.flipProbability,
      c.lrScheduler,
      c.gradientAccumulation,
    ]).toEqual([0.9, 0.999, 1e-8, 1e-2, 0.5, 'constant', 1]);
  });

  it('names every bad field in one error', () => {
    const error = (() => {
      try {
        parseTrainerConfig({ ...base, steps: 0, template: 'scene', lrScheduler: 'linear' });
      } catch (e) {
        return (e as Error).message;
      }
    })();
    expect(error).toMatch(/^invalid textual-inversion settings: /);
    for (const field of ['steps: Too small', 'template: Invalid option', 'lrScheduler: Invalid option'])
      expect(error).toContain(field);
  });

  it('lets a resume run longer but not change what was already computed', () => {
    const saved = parseTrainerConfig(base);
    expect(resumeConflicts(saved, parseTrainerConfig({ ...base, steps: 200, checkpointEvery: 5 }))).toEqual(
      [],
    );
    expect(resumeConflicts(saved, parseTrainerConfig({ ...base, seed: 2, batchSize: 2 }))).toEqual([
      'batchSize: 1 → 2',
      'seed: 1 → 2',
    ]);
    const cosine = parseTrainerConfig({ ...base, lrScheduler: 'cosine' });
    expect(resumeConflicts(cosine, { ...cosine, steps: 200 })).toEqual([
      'steps: 100 → 200 (the cosine schedule depends on the total)',
    ]);
  });
});
