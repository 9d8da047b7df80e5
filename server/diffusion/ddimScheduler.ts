/** DDIM (Song et al. 2021) as diffusers 0.21.4 `DDIMScheduler`, with eta for the stochastic variant. */
import { addNoise, createNoiseSchedule, type NoiseSchedule } from './noiseSchedule';
import { roundHalfEven } from './numpyCompat';
import type { ResolvedSchedulerConfig } from './schedulerConfig';
import {
  checkSameLength,
  drawNoise,
  tailStartIndex,
  indexOfTimestep,
  type NoiseSource,
  type Scheduler,
} from './scheduler';
import { ddpmPredictOriginal, toEpsilonAndX0 } from './predictionConversion';
import { spacedTimesteps } from './timestepSpacing';

/** Integer timesteps of a DDIM/PNDM-style run (descending), per `timestep_spacing`. */
export function ddimTimesteps(config: ResolvedSchedulerConfig, n: number): number[] {
  const total = config.num_train_timesteps;
  if (n > total)
    throw new Error(`steps ${n} exceeds num_train_timesteps ${total}; use at most ${total} steps`);
  return spacedTimesteps(config, n, roundHalfEven);
}

/** DDIM sampler; `eta` = 0 is deterministic, eta > 0 adds noise every step (needs a NoiseSource). */
export class DdimScheduler implements Scheduler {
  readonly kind = 'DDIMScheduler';
  readonly schedule: NoiseSchedule;
  readonly sigmas = null;
  readonly initNoiseSigma = 1;
  readonly stochastic: boolean;
  timesteps: readonly number[] = [];
  private numInferenceSteps = 0;
  private readonly finalAlphaCumprod: number;

  constructor(
    readonly config: ResolvedSchedulerConfig,
    readonly eta = 0,
  ) {
    if (!(eta >= 0)) throw new Error(`DDIM eta must be >= 0, got ${eta}`);
    this.schedule = createNoiseSchedule(config);
    this.finalAlphaCumprod = config.set_alpha_to_one ? 1 : this.schedule.alphasCumprod[0];
    this.stochastic = eta > 0;
  }

  setTimesteps(numInferenceSteps: number, run = numInferenceSteps): void {
    const start = tailStartIndex(numInferenceSteps, run);
    this.numInferenceSteps = numInferenceSteps;
    this.timesteps = ddimTimesteps(this.config, numInferenceSteps).slice(start);
  }

  scaleModelInput(sample: Float32Array): Float32Array {
    return sample;
  }

  step(modelOutput: Float32Array, timestep: number, sample: Float32Array, noise?: NoiseSource): Float32Array {
    checkSameLength(modelOutput, sample, 'DDIM step');
    indexOfTimestep(this.timesteps, timestep);
    const acp = this.schedule.alphasCumprod;
    const prevTimestep = timestep - Math.floor(this.config.num_train_timesteps / this.numInferenceSteps);
    const alphaProdT = acp[timestep];
    const alphaProdPrev = prevTimestep >= 0 ? acp[prevTimestep] : this.finalAlphaCumprod;
    const betaProdT = 1 - alphaProdT;
    const betaProdPrev = 1 - alphaProdPrev;
    const variance = (betaProdPrev / betaProdT) * (1 - alphaProdT / alphaProdPrev);
    const stdDev = this.eta * Math.sqrt(variance);
    const sqrtPrev = Math.sqrt(alphaProdPrev);
    const direction = Math.sqrt(1 - alphaProdPrev - stdDev * stdDev);
    const clip = this.config.clip_sample ? this.config.clip_sample_range : Infinity;
    const z = this.stochastic ? drawNoise(noise, sample.length, 'DDIM with eta > 0') : null;
    const out = new Float32Array(sample.length);
    const converted = { epsilon: 0, x0: 0 };
    for (let i = 0; i < sample.length; i++) {
      toEpsilonAndX0(
        this.config.prediction_type,
        modelOutput[i],
        sample[i],
        alphaProdT,
        betaProdT,
        converted,
      );
      const x0 = Math.min(Math.max(converted.x0, -clip), clip);
      out[i] = sqrtPrev * x0 + direction * converted.epsilon + (z ? stdDev * z[i] : 0);
    }
    return out;
  }

  predictOriginal(modelOutput: Float32Array, timestep: number, sample: Float32Array): Float32Array {
    checkSameLength(modelOutput, sample, 'predictOriginal');
    return ddpmPredictOriginal(this.schedule, this.config.prediction_type, modelOutput, timestep, sample);
  }

  addNoise(original: Float32Array, noise: Float32Array, timestep: number): Float32Array {
    return addNoise(this.schedule, original, noise, [timestep]);
  }
}
