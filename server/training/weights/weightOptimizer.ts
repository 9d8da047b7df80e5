/**
 * AdamW over a table of weight tensors, as torch.optim.AdamW with two parameter groups (weights with decay;
 * biases, norms and embeddings without, as transformers' and diffusers' training scripts set it up), the
 * global gradient-norm clip of torch.nn.utils.clip_grad_norm_, and an lr schedule. State is plain data for
 * checkpoints, so a resumed run continues bit for bit.
 */
import { adamwStep, createAdamWState, type AdamWState } from '../optimizers/adamw';
import { lrMultiplier, type LrSchedule } from '../optimizers/lrSchedule';
import type { Parameter } from './parameterGradientGraph';

export interface WeightOptimizerOptions {
  readonly schedule: LrSchedule;
  readonly beta1?: number;
  readonly beta2?: number;
  readonly eps?: number;
  readonly weightDecay?: number;
  /** Clip the global L2 norm of all gradients to this (default: no clipping). */
  readonly maxGradNorm?: number;
  /** Whether a tensor gets weight decay (default: tensors of rank ≥ 2 that are not embedding tables). */
  readonly decays?: (name: string, dims: readonly number[]) => boolean;
}

/** What one update did. */
export interface UpdateReport {
  readonly lr: number;
  /** Global gradient norm before clipping. */
  readonly gradNorm: number;
}

const defaultDecays = (name: string, dims: readonly number[]): boolean =>
  dims.length >= 2 && !/embedding/.test(name);

/** AdamW on every parameter of a table; `update` takes gradients by parameter name. */
export class WeightOptimizer {
  private readonly states = new Map<string, AdamWState>();
  private steps = 0;

  constructor(
    readonly parameters: ReadonlyMap<string, Parameter>,
    private readonly options: WeightOptimizerOptions,
  ) {
    for (const [name, p] of parameters) this.states.set(name, createAdamWState(p.data.length));
  }

  /** Optimizer steps taken so far. */
  get step(): number {
    return this.steps;
  }

  /** The lr the next update will use. */
  nextLr(): number {
    return this.options.schedule.baseLr * lrMultiplier(this.options.schedule, this.steps);
  }

  /** One AdamW step on every parameter, in place; gradients may be scaled in place by the clip. */
  update(grads: ReadonlyMap<string, Float32Array>): UpdateReport {
    let sumSq = 0;
    for (const [name, p] of this.parameters) {
      const g = grads.get(name);
      if (!g || g.length !== p.data.length)
        throw new Error(
          `gradient of "${name}" is ${g ? `${g.length} values` : 'missing'}, expected ${p.data.length}`,
        );
      for (let i = 0; i < g.length; i++) sumSq += g[i]! * g[i]!;
    }
    const gradNorm = Math.sqrt(sumSq);
    if (!Number.isFinite(gradNorm))
      throw new Error(`gradient norm is ${gradNorm} at step ${this.steps}; lower the learning rate`);
    const clip = this.options.maxGradNorm;
    const scale = clip !== undefined && gradNorm > clip ? clip / (gradNorm + 1e-6) : 1;
    const lr = this.nextLr();
    const decays = this.options.decays ?? defaultDecays;
    for (const [name, p] of this.parameters) {
      const g = grads.get(name)!;
      if (scale !== 1) for (let i = 0; i < g.length; i++) g[i] = Math.fround(g[i]! * scale);
      adamwStep(p.data, g, this.states.get(name)!, {
        lr,
        beta1: this.options.beta1 ?? 0.9,
        beta2: this.options.beta2 ?? 0.999,
        eps: this.options.eps ?? 1e-8,
        weightDecay: decays(name, p.dims) ? (this.options.weightDecay ?? 0.01) : 0,
      });
    }
    this.steps += 1;
    return { lr, gradNorm };
  }

  /** The moments of one parameter (for checkpoints). */
  stateOf(name: string): AdamWState {
    const state = this.states.get(name);
    if (!state) throw new Error(`no optimizer state for "${name}"`);
    return state;
  }

  /** Restores the step count and every parameter's moments (values are copied). */
  restore(
    step: number,
    moments: ReadonlyMap<string, { expAvg: Float32Array; expAvgSq: Float32Array }>,
  ): void {
    for (const [name, state] of this.states) {
      const m = moments.get(name);
      if (!m || m.expAvg.length !== state.expAvg.length || m.expAvgSq.length !== state.expAvgSq.length)
        throw new Error(
          `checkpoint has no matching optimizer state for "${name}"; it belongs to another model or recipe`,
        );
      state.expAvg.set(m.expAvg);
      state.expAvgSq.set(m.expAvgSq);
      state.step = step;
    }
    this.steps = step;
  }
}
