import { describe, expect, it } from 'vitest';
import { adamwStateFromJson, adamwStateToJson, adamwStep, createAdamWState } from './adamw';

const options = { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 };

describe('AdamW', () => {
  it('takes a first step of -lr·sign(g) after decoupled weight decay', () => {
    const params = Float32Array.from([1, -2, 0.5]);
    adamwStep(params, Float32Array.from([3, -0.5, 0]), createAdamWState(3), options);
    // p·(1 - 0.001) - 0.1·sign(g); zero gradient only decays
    expect(params[0]).toBeCloseTo(0.999 - 0.1, 6);
    expect(params[1]).toBeCloseTo(-1.998 + 0.1, 6);
    expect(params[2]).toBeCloseTo(0.4995, 7);
  });

  it('matches the closed form on the second step', () => {
    const params = Float32Array.from([1]);
    const state = createAdamWState(1);
    adamwStep(params, Float32Array.from([1]), state, options);
    adamwStep(params, Float32Array.from([-1]), state, options);
    // m = 0.9·0.1 - 0.1 = -0.01, v = 0.999·0.001 + 0.001 = 0.001999; m̂ = -0.01/0.19, v̂ = 0.001999/0.001999
    const afterFirst = 1 * 0.999 - 0.1;
    const expected =
      afterFirst * 0.999 - (0.1 * (-0.01 / 0.19)) / (Math.sqrt(0.001999 / (1 - 0.999 ** 2)) + 1e-8);
    expect(params[0]).toBeCloseTo(expected, 6);
    expect(state.step).toBe(2);
  });

  it('round-trips its state through JSON and continues identically', () => {
    const a = Float32Array.from([0.3, -0.7]);
    const state = createAdamWState(2);
    adamwStep(a, Float32Array.from([0.2, 0.1]), state, options);
    const b = a.slice();
    const restored = adamwStateFromJson(JSON.parse(JSON.stringify(adamwStateToJson(state))));
    adamwStep(a, Float32Array.from([-0.3, 0.05]), state, options);
    adamwStep(b, Float32Array.from([-0.3, 0.05]), restored, options);
    expect(b).toEqual(a);
  });

  it('rejects mismatched sizes', () => {
    expect(() => adamwStep(new Float32Array(2), new Float32Array(3), createAdamWState(2), options)).toThrow(
      /AdamW sizes differ: params 2, grads 3/,
    );
  });
});
