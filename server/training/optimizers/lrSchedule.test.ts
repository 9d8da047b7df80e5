import { describe, expect, it } from 'vitest';
import { accumulationPosition, learningRateAt, lrMultiplier, parseLrScheduleName } from './lrSchedule';

describe('lr schedules (diffusers get_scheduler semantics)', () => {
  it('constant is 1 everywhere', () => {
    expect([0, 1, 1000].map((s) => lrMultiplier({ name: 'constant', baseLr: 1 }, s))).toEqual([1, 1, 1]);
  });

  it('constant_with_warmup ramps from 0 over the warm-up steps', () => {
    const schedule = { name: 'constant_with_warmup', baseLr: 0.004, warmupSteps: 4 } as const;
    expect([0, 1, 2, 3, 4, 50].map((s) => lrMultiplier(schedule, s))).toEqual([0, 0.25, 0.5, 0.75, 1, 1]);
    expect(learningRateAt(schedule, 2)).toBeCloseTo(0.002, 15);
  });

  it('cosine warms up, then follows a half cosine to 0 at totalSteps', () => {
    const schedule = { name: 'cosine', baseLr: 1, warmupSteps: 2, totalSteps: 10 } as const;
    const values = [0, 1, 2, 4, 6, 8, 10, 12].map((s) => lrMultiplier(schedule, s));
    // progress = (s-2)/8: 0, 0.25, 0.5, 0.75, 1 → 0.5(1+cos(π·p))
    const expected = [0, 0.5, 1, 0.8535533905932737, 0.5, 0.14644660940672627, 0, 0.1464466094067262];
    values.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 12));
  });

  it('counts optimizer steps, not micro-batches, under gradient accumulation', () => {
    expect([0, 1, 2, 3, 4, 5].map((m) => accumulationPosition(m, 3))).toEqual([
      { optimizerStep: 0, syncGradients: false },
      { optimizerStep: 0, syncGradients: false },
      { optimizerStep: 0, syncGradients: true },
      { optimizerStep: 1, syncGradients: false },
      { optimizerStep: 1, syncGradients: false },
      { optimizerStep: 1, syncGradients: true },
    ]);
    expect(() => accumulationPosition(0, 0)).toThrow(
      /gradient accumulation steps must be an integer >= 1, got 0/,
    );
  });

  it('names the valid schedules on a typo', () => {
    expect(parseLrScheduleName('cosine')).toBe('cosine');
    expect(() => parseLrScheduleName('cosin')).toThrow(
      'unknown lr schedule "cosin"; expected one of constant, constant_with_warmup, cosine',
    );
    expect(() => lrMultiplier({ name: 'cosine', baseLr: 1 }, 0 + 5)).toThrow(/needs totalSteps/);
  });
});
