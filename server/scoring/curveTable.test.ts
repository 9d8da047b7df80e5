import { describe, expect, it } from 'vitest';
import type { CurvePoint } from './checkpointCurve';
import { bestPoint, curveCsv, curveRecord } from './curveTable';

const point = (step: number, clipI: number, clipT: number, oracle?: number): CurvePoint => ({
  step,
  file: `/runs/t/learned_embeds-steps-${step}.safetensors`,
  token: '<t>',
  clipI,
  clipT,
  ...(oracle !== undefined ? { oracle } : {}),
  prompts: [{ prompt: 'a <t>', clipI, clipT, ...(oracle !== undefined ? { oracle } : {}) }],
});

const judged = [point(10, 0.5, 0.25, 0), point(20, 0.75, 0.125, 0.5), point(30, 0.625, 0.3, 0.5)];

describe('curve table', () => {
  it.each([
    ['clip_i', 20],
    ['clip_t', 30],
    // 20 and 30 tie on the oracle: the earlier step wins
    ['oracle', 20],
  ] as const)('the best step by %s is %i', (measure, step) => {
    expect(bestPoint(judged, measure).step).toBe(step);
  });

  it('refuses to rank by the oracle when it did not run, naming the fix', () => {
    expect(() => bestPoint([point(10, 0.5, 0.25)], 'oracle')).toThrow(
      'no step has a oracle score; set oracle_shape to the shape the token should draw',
    );
  });

  it('writes one CSV row per step, with an oracle column only when judged', () => {
    expect(curveCsv(judged)).toBe(
      'step,clip_i,clip_t,oracle\n10,0.5,0.25,0\n20,0.75,0.125,0.5\n30,0.625,0.3,0.5\n',
    );
    expect(curveCsv([point(4, 0.1, 0.2)])).toBe('step,clip_i,clip_t\n4,0.1,0.2\n');
  });

  it('records the settings, the best step and each step with its prompts', () => {
    const record = curveRecord(judged.slice(0, 2), judged[1]!, { best_by: 'clip_i', seed: 3 });
    expect(record).toEqual({
      best_by: 'clip_i',
      seed: 3,
      best_step: 20,
      best_value: 0.75,
      steps: [
        {
          step: 10,
          file: 'learned_embeds-steps-10.safetensors',
          token: '<t>',
          clip_i: 0.5,
          clip_t: 0.25,
          oracle: 0,
          prompts: [{ prompt: 'a <t>', clip_i: 0.5, clip_t: 0.25, oracle: 0 }],
        },
        {
          step: 20,
          file: 'learned_embeds-steps-20.safetensors',
          token: '<t>',
          clip_i: 0.75,
          clip_t: 0.125,
          oracle: 0.5,
          prompts: [{ prompt: 'a <t>', clip_i: 0.75, clip_t: 0.125, oracle: 0.5 }],
        },
      ],
    });
  });
});
