/**
 * DPM-Solver++ (Lu et al. 2022) multistep, order ≤ 2, midpoint, `lower_order_final`, as diffusers 0.21.4
 * `DPMSolverMultistepScheduler`: integer timesteps; alpha_t, sigma_t and lambda_t = log(alpha_t/sigma_t)
 * are looked up per timestep (float32 tables as torch holds them); the model output becomes an x0 estimate.
 */
import { karrasSigmas, logSigmas, sigmaToTimestep } from './karrasSigmas';
import { addNoise, createNoiseSchedule, trainingSigmas, type NoiseSchedule } from './noiseSchedule';
import { arange, linspace, roundHalfEven } from './numpyCompat';
import { ddpmPredictOriginal, toEpsilonAndX0 } from './predictionConversion';
import type { ResolvedSchedulerConfig } from './schedulerConfig';
import { checkSameLength, tailStartIndex, indexOfTimestep, type Scheduler } from './scheduler';

const f32 = Math.fround;

/** diffusers drops repeated timesteps, keeping first occurrences in order. */
function unique(values: number[]): number[] {
  return values.filter((v, i) => values.indexOf(v) === i);
}

/** DPM-Solver++ 2M sampler (`dpmpp_2m`). */
export class DpmSolverMultistepScheduler implements Scheduler {
  readonly kind = 'DPMSolverMultistepScheduler';
  readonly schedule: NoiseSchedule;
  readonly initNoiseSigma = 1;
  readonly stochastic = false;
  sigmas: Float32Array;
  timesteps: readonly number[] = [];
  private allTimesteps: number[] = [];
  private readonly alphaT: Float32Array;
  private readonly sigmaT: Float32Array;
  private readonly lambdaT: Float32Array;
  /** x0 estimates of the previous and current step (diffusers' `model_outputs`, solver_order 2). */
  private history: (Float32Array | null)[] = [];
  private lowerOrderNums = 0;

  constructor(readonly config: ResolvedSchedulerConfig) {
    this.schedule = createNoiseSchedule(config);
    const acp = this.schedule.alphasCumprod;
    this.alphaT = acp.map((a) => Math.sqrt(a));
    this.sigmaT = acp.map((a) => Math.sqrt(f32(1 - a)));
    this.lambdaT = this.alphaT.map((a, t) => f32(Math.log(a)) - f32(Math.log(this.sigmaT[t])));
    this.sigmas = trainingSigmas(this.schedule);
  }

  setTimesteps(numInferenceSteps: number, run = numInferenceSteps): void {
    const start = tailStartIndex(numInferenceSteps, run);
    const n = numInferenceSteps;
    const total = this.config.num_train_timesteps;
    // lambda_min_clipped is -inf (the default), so no timestep is clipped
    const last = total;
    let timesteps: number[];
    switch (this.config.timestep_spacing) {
      case 'linspace':
        timesteps = linspace(0, last - 1, n + 1)
          .map(roundHalfEven)
          .reverse()
          .slice(0, n);
        break;
      case 'leading': {
        const ratio = Math.floor(last / (n + 1));
        timesteps = Array.from({ length: n }, (_, k) => (n - k) * ratio + this.config.steps_offset);
        break;
      }
      case 'trailing':
        timesteps = arange(last, 0, -total / n).map((t) => roundHalfEven(t) - 1);
        break;
    }
    const table = trainingSigmas(this.schedule);
    this.sigmas = table;
    if (this.config.use_karras_sigmas) {
      // ascending table: karras runs sigma_min → sigma_max, then the timesteps are flipped to descend
      const karras = karrasSigmas(table, n);
      const logs = logSigmas(table);
      timesteps = karras.map((s) => roundHalfEven(sigmaToTimestep(s, logs))).reverse();
      this.sigmas = Float32Array.from(karras);
    }
    this.allTimesteps = unique(timesteps);
    this.timesteps = this.allTimesteps.slice(start);
    this.history = new Array<Float32Array | null>(this.config.solver_order).fill(null);
    this.lowerOrderNums = 0;
  }

  scaleModelInput(sample: Float32Array): Float32Array {
    return sample;
  }

  private x0Estimate(modelOutput: Float32Array, timestep: number, sample: Float32Array): Float32Array {
    const acp = this.schedule.alphasCumprod[timestep];
    const type = this.config.prediction_type;
    const alpha = this.alphaT[timestep];
    const sigma = this.sigmaT[timestep];
    if (type === 'epsilon') return sample.map((x, i) => (x - sigma * modelOutput[i]) / alpha);
    if (type === 'v_prediction') return sample.map((x, i) => alpha * x - sigma * modelOutput[i]);
    const converted = { epsilon: 0, x0: 0 };
    return sample.map((x, i) => {
      toEpsilonAndX0(type, modelOutput[i], x, acp, 1 - acp, converted);
      return converted.x0;
    });
  }

  step(modelOutput: Float32Array, timestep: number, sample: Float32Array): Float32Array {
    checkSameLength(modelOutput, sample, 'DPM-Solver step');
    const all = this.allTimesteps;
    const found = all.indexOf(timestep);
    const index = found < 0 ? all.length - 1 : found;
    const prev = index === all.length - 1 ? 0 : all[index + 1];
    const short = this.config.lower_order_final && all.length < 15;
    const lowerOrderFinal = index === all.length - 1 && short;
    const x0 = this.x0Estimate(modelOutput, timestep, sample);
    this.history.shift();
    this.history.push(x0);
    const previous = this.history[this.history.length - 2];
    let out: Float32Array;
    if (this.config.solver_order === 1 || this.lowerOrderNums < 1 || lowerOrderFinal || !previous) {
      out = this.firstOrder(x0, timestep, prev, sample);
    } else {
      out = this.secondOrder(x0, previous, all[index - 1], timestep, prev, sample);
    }
    if (this.lowerOrderNums < this.config.solver_order) this.lowerOrderNums += 1;
    return out;
  }

  private firstOrder(x0: Float32Array, s: number, t: number, sample: Float32Array): Float32Array {
    const h = this.lambdaT[t] - this.lambdaT[s];
    const ratio = this.sigmaT[t] / this.sigmaT[s];
    const coeff = this.alphaT[t] * (Math.exp(-h) - 1);
    return sample.map((x, i) => ratio * x - coeff * x0[i]);
  }

  private secondOrder(
    m0: Float32Array,
    m1: Float32Array,
    s1: number,
    s0: number,
    t: number,
    sample: Float32Array,
  ): Float32Array {
    const h = this.lambdaT[t] - this.lambdaT[s0];
    const h0 = this.lambdaT[s0] - this.lambdaT[s1];
    const r0 = h0 / h;
    const ratio = this.sigmaT[t] / this.sigmaT[s0];
    const coeff = this.alphaT[t] * (Math.exp(-h) - 1);
    // midpoint: x_t = (σ_t/σ_s0)·x - α_t(e^{-h} - 1)·D0 - ½·α_t(e^{-h} - 1)·D1, D1 = (m0 - m1)/r0
    return sample.map((x, i) => {
      const d1 = (1 / r0) * (m0[i] - m1[i]);
      return ratio * x - coeff * m0[i] - 0.5 * coeff * d1;
    });
  }

  predictOriginal(modelOutput: Float32Array, timestep: number, sample: Float32Array): Float32Array {
    checkSameLength(modelOutput, sample, 'predictOriginal');
    return ddpmPredictOriginal(this.schedule, this.config.prediction_type, modelOutput, timestep, sample);
  }

  addNoise(original: Float32Array, noise: Float32Array, timestep: number): Float32Array {
    indexOfTimestep(this.allTimesteps, timestep);
    return addNoise(this.schedule, original, noise, [timestep]);
  }
}
