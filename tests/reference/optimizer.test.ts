/** Golden `textual_inversion`: the recorded gradients through our AdamW reproduce the rows after each step. */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { adamwStep, createAdamWState } from '../../server/training/optimizers/adamw';
import { worstExcess } from '../support/arrayCompare';
import { datasetName, goldenAdamW, goldenArray, goldenValue, toArray } from '../support/referenceData';

const optimizer = goldenAdamW();
const steps = z
  .array(z.looseObject({ grad_placeholder_rows: z.unknown(), placeholder_rows_after_step: z.unknown() }))
  .parse(goldenValue('textual_inversion.steps'));

describe(`AdamW on the placeholder rows (${datasetName})`, () => {
  it('reproduces placeholder_rows_after_step for every recorded step (1e-5 abs)', () => {
    const rows = goldenArray('textual_inversion.initial_placeholder_rows').data.slice();
    const state = createAdamWState(rows.length);
    expect(steps.length).toBeGreaterThanOrEqual(2);
    steps.forEach((step, k) => {
      const grad = toArray(step.grad_placeholder_rows);
      expect(grad.data.length).toBe(rows.length);
      adamwStep(rows, grad.data, state, {
        lr: optimizer.lr,
        beta1: optimizer.betas[0],
        beta2: optimizer.betas[1],
        eps: optimizer.eps,
        weightDecay: optimizer.weight_decay,
      });
      const expected = toArray(step.placeholder_rows_after_step).data;
      expect({ k, excess: worstExcess(rows, expected, 1e-5, 0) <= 0 }).toEqual({ k, excess: true });
    });
    expect(state.step).toBe(steps.length);
  });
});
