/**
 * Euler (Karras et al. 2022, Algorithm 2 without churn) and Euler ancestral, as diffusers 0.21.4
 * `EulerDiscreteScheduler` / `EulerAncestralDiscreteScheduler`. Both walk x = x0 + sigma·eps.
 */
import { eulerInitNoiseSigma, eulerSigmaRun } from './eulerSigmas';
import { createNoiseSchedule, type NoiseSchedule } from './noiseSchedule';
import { sigmaX0 } from './predictionConversion';
import type { ResolvedSchedulerConfig } from './schedulerConfig';
import {
  checkSameLength,
  drawNoise,
  tailStartIndex,
  indexOfTimestep,
  type NoiseSource,
  type Scheduler,
} from './scheduler';

const f32 = Math.fround;

abstract class SigmaScheduler implements Scheduler {
  abstract readonly kind: 'EulerDiscreteScheduler' | 'EulerAncestralDiscreteScheduler';
  abstract readonly stochastic: boolean;
  readonly schedule: NoiseSchedule;
  sigmas: Float32Array = new Float32Array([0]);
  timesteps: readonly number[] = [];
  initNoiseSigma = 1;
  private allTimesteps: number[] = [];
  /** Index into `sigmas` of the next step, fixed by the first timestep seen (as diffusers' `_step_index`). */
  private stepIndex: number | null = null;

  constructor(readonly config: ResolvedSchedulerConfig) {
    this.schedule = createNoiseSchedule(config);
  }

  setTimesteps(numInferenceSteps: number, run = numInferenceSteps): void {
    const start = tailStartIndex(numInferenceSteps, run);
    const sigmaRun = eulerSigmaRun(
      this.config,
      this.schedule,
      numInferenceSteps,
      this.config.use_karras_sigmas,
    );
    this.allTimesteps = sigmaRun.timesteps;
    this.sigmas = sigmaRun.sigmas;
    this.timesteps = sigmaRun.timesteps.slice(start);
    this.initNoiseSigma = eulerInitNoiseSigma(this.config, sigmaRun.sigmas);
    this.stepIndex = null;
  }

  protected currentIndex(timestep: number): number {
    if (this.stepIndex === null) {
      const first = indexOfTimestep(this.allTimesteps, timestep);
      const second = this.allTimesteps.indexOf(timestep, first + 1);
      this.stepIndex = second >= 0 ? second : first;
    }
    return this.stepIndex;
  }

  protected advance(): void {
    this.stepIndex = (this.stepIndex ?? 0) + 1;
  }

  scaleModelInput(sample: Float32Array, timestep: number): Float32Array {
    const sigma = this.sigmas[this.currentIndex(timestep)];
    const scale = f32(Math.sqrt(f32(f32(sigma * sigma) + 1)));
    return sample.map((x) => x / scale);
  }

  predictOriginal(modelOutput: Float32Array, timestep: number, sample: Float32Array): Float32Array {
    checkSameLength(modelOutput, sample, 'predictOriginal');
    const sigma = this.sigmas[this.currentIndex(timestep)];
    const type = this.config.prediction_type;
    return sample.map((x, i) => sigmaX0(type, modelOutput[i], x, sigma));
  }

  addNoise(original: Float32Array, noise: Float32Array, timestep: number): Float32Array {
    checkSameLength(noise, original, 'addNoise');
    const sigma = this.sigmas[indexOfTimestep(this.allTimesteps, timestep)];
    return original.map((x, i) => x + f32(noise[i] * sigma));
  }

  abstract step(
    modelOutput: Float32Array,
    timestep: number,
    sample: Float32Array,
    noise?: NoiseSource,
  ): Float32Array;
}

/** Deterministic Euler sampler (`euler`). */
export class EulerScheduler extends SigmaScheduler {
  readonly kind = 'EulerDiscreteScheduler';
  readonly stochastic = false;

  step(modelOutput: Float32Array, timestep: number, sample: Float32Array): Float32Array {
    checkSameLength(modelOutput, sample, 'Euler step');
    const index = this.currentIndex(timestep);
    const sigma = this.sigmas[index];
    const dt = this.sigmas[index + 1] - sigma;
    const type = this.config.prediction_type;
    const out = sample.map((x, i) => {
      const derivative = (x - sigmaX0(type, modelOutput[i], x, sigma)) / sigma;
      return x + derivative * dt;
    });
    this.advance();
    return out;
  }
}

/** Euler ancestral (`euler_ancestral`): steps down to sigma_down, then adds fresh noise of sigma_up. */
export class EulerAncestralScheduler extends SigmaScheduler {
  readonly kind = 'EulerAncestralDiscreteScheduler';
  readonly stochastic = true;

  step(modelOutput: Float32Array, timestep: number, sample: Float32Array, noise?: NoiseSource): Float32Array {
    checkSameLength(modelOutput, sample, 'Euler ancestral step');
    const index = this.currentIndex(timestep);
    const sigmaFrom = this.sigmas[index];
    const sigmaTo = this.sigmas[index + 1];
    const sigmaUp = Math.sqrt(
      (sigmaTo * sigmaTo * (sigmaFrom * sigmaFrom - sigmaTo * sigmaTo)) / (sigmaFrom * sigmaFrom),
    );
    const sigmaDown = Math.sqrt(sigmaTo * sigmaTo - sigmaUp * sigmaUp);
    const dt = sigmaDown - sigmaFrom;
    const type = this.config.prediction_type;
    const out = sample.map((x, i) => {
      const derivative = (x - sigmaX0(type, modelOutput[i], x, sigmaFrom)) / sigmaFrom;
      return x + derivative * dt;
    });
    const z = drawNoise(noise, sample.length, 'Euler ancestral');
    for (let i = 0; i < out.length; i++) out[i] += z[i] * sigmaUp;
    this.advance();
    return out;
  }
}
