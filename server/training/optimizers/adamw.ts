/**
 * AdamW exactly as torch.optim.AdamW (torch 1.13, single-tensor path, amsgrad off) on Float32Array
 * parameters, rounding to float32 where torch stores float32 tensors. State is plain data for checkpoints.
 */
import { z } from 'zod';

const f32 = Math.fround;

/** Hyper-parameters (torch names in comments). */
export interface AdamWOptions {
  /** lr for this step (after any schedule). */
  lr: number;
  /** betas[0], betas[1] */
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

/** torch's AdamW defaults as diffusers' textual_inversion.py uses them, except lr. */
export const ADAMW_DEFAULTS = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 1e-2 } as const;

/** Optimizer state of one parameter tensor: step count and both moment estimates. */
export interface AdamWState {
  step: number;
  expAvg: Float32Array;
  expAvgSq: Float32Array;
}

/** Fresh state for a parameter of `size` elements. */
export function createAdamWState(size: number): AdamWState {
  return { step: 0, expAvg: new Float32Array(size), expAvgSq: new Float32Array(size) };
}

/**
 * One AdamW update, in place on `params` and `state`:
 * p ← p·(1 - lr·wd); m ← β1·m + (1-β1)·g; v ← β2·v + (1-β2)·g²;
 * p ← p - (lr / (1-β1^k)) · m / (sqrt(v) / sqrt(1-β2^k) + eps), k = the step count after increment.
 */
export function adamwStep(
  params: Float32Array,
  grads: Float32Array,
  state: AdamWState,
  options: AdamWOptions,
): void {
  const n = params.length;
  if (grads.length !== n || state.expAvg.length !== n || state.expAvgSq.length !== n) {
    throw new Error(
      `AdamW sizes differ: params ${n}, grads ${grads.length}, state ${state.expAvg.length}; one state per parameter tensor`,
    );
  }
  const { lr, beta1, beta2, eps, weightDecay } = options;
  state.step += 1;
  const decay = f32(1 - lr * weightDecay);
  const b1 = f32(beta1);
  const oneMinusB1 = f32(1 - beta1);
  const b2 = f32(beta2);
  const oneMinusB2 = f32(1 - beta2);
  const stepSize = f32(lr / (1 - beta1 ** state.step));
  const biasCorrection2Sqrt = f32(Math.sqrt(1 - beta2 ** state.step));
  const m = state.expAvg;
  const v = state.expAvgSq;
  for (let i = 0; i < n; i++) {
    const g = grads[i];
    params[i] = f32(params[i] * decay);
    m[i] = f32(f32(m[i] * b1) + f32(oneMinusB1 * g));
    v[i] = f32(f32(v[i] * b2) + f32(f32(oneMinusB2 * g) * g));
    const denom = f32(f32(f32(Math.sqrt(v[i])) / biasCorrection2Sqrt) + eps);
    params[i] = f32(params[i] - f32(stepSize * f32(m[i] / denom)));
  }
}

/** JSON form of AdamWState (float32 values survive a JSON round trip exactly). */
export const adamwStateJsonSchema = z.object({
  step: z.number().int().nonnegative(),
  expAvg: z.array(z.number()),
  expAvgSq: z.array(z.number()),
});
export type AdamWStateJson = z.infer<typeof adamwStateJsonSchema>;

/** State → plain JSON data. */
export function adamwStateToJson(state: AdamWState): AdamWStateJson {
  return { step: state.step, expAvg: Array.from(state.expAvg), expAvgSq: Array.from(state.expAvgSq) };
}

/** Plain JSON data → state; throws naming the problem. */
export function adamwStateFromJson(json: unknown): AdamWState {
  const parsed = adamwStateJsonSchema.parse(json);
  if (parsed.expAvg.length !== parsed.expAvgSq.length) {
    throw new Error(
      `AdamW state has ${parsed.expAvg.length} first moments but ${parsed.expAvgSq.length} second moments`,
    );
  }
  return {
    step: parsed.step,
    expAvg: Float32Array.from(parsed.expAvg),
    expAvgSq: Float32Array.from(parsed.expAvgSq),
  };
}
