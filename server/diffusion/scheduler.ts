/**
 * The one interface every sampler implements (diffusers' scheduler protocol): `setTimesteps`, then per
 * timestep `scaleModelInput` → model → `step`. Tensors are flat Float32Arrays of any batch; a timestep is
 * shared by the whole batch. Schedulers are stateful (multistep history), so use one per sampling run.
 */
import type { NoiseSchedule } from './noiseSchedule';
import type { ResolvedSchedulerConfig, SchedulerKind } from './schedulerConfig';

/** Draws `length` standard-normal values (a seeded RNG, or recorded noise in tests). */
export type NoiseSource = (length: number) => Float32Array;

/** A diffusion sampler over a fixed noise schedule. */
export interface Scheduler {
  readonly kind: SchedulerKind;
  readonly config: ResolvedSchedulerConfig;
  readonly schedule: NoiseSchedule;
  /** The timesteps to run, in order (after `setTimesteps`; img2img runs only the tail). */
  readonly timesteps: readonly number[];
  /** diffusers' `sigmas` of the full run where the scheduler has them, else null. */
  readonly sigmas: Float32Array | null;
  /** Standard deviation of the initial noise: txt2img latents are `noise * initNoiseSigma`. */
  readonly initNoiseSigma: number;
  /** True when `step` draws noise (Euler ancestral, DDIM with eta > 0): pass a NoiseSource then. */
  readonly stochastic: boolean;
  /**
   * Prepares a schedule of `numInferenceSteps` and keeps its last `run` timesteps (default all; img2img runs
   * a tail, see denoiseWindow.ts); start a tail from `addNoise(image, noise, timesteps[0])`.
   */
  setTimesteps(numInferenceSteps: number, run?: number): void;
  /** The model input for `sample` at `timestep` (Euler: sample / sqrt(sigma² + 1); others: unchanged). */
  scaleModelInput(sample: Float32Array, timestep: number): Float32Array;
  /** One denoising step: returns the sample at the next timestep. `modelOutput` is in `config.prediction_type`. */
  step(modelOutput: Float32Array, timestep: number, sample: Float32Array, noise?: NoiseSource): Float32Array;
  /** The clean-latent estimate x0 that `modelOutput` implies at `timestep` (latent previews). */
  predictOriginal(modelOutput: Float32Array, timestep: number, sample: Float32Array): Float32Array;
  /** Noises clean latents to the level of inference timestep `timestep` (img2img start). */
  addNoise(original: Float32Array, noise: Float32Array, timestep: number): Float32Array;
}

/** The number of leading timesteps a run of the last `run` of `numInferenceSteps` timesteps skips. */
export function tailStartIndex(numInferenceSteps: number, run: number): number {
  if (!Number.isInteger(numInferenceSteps) || numInferenceSteps < 1) {
    throw new Error(`steps must be a positive integer, got ${numInferenceSteps}`);
  }
  if (!Number.isInteger(run) || run < 1 || run > numInferenceSteps) {
    throw new Error(
      `a run of ${run} timesteps needs 1 to ${numInferenceSteps}; pick a run within the schedule`,
    );
  }
  return numInferenceSteps - run;
}

/** Draws noise for a stochastic step, failing clearly when the caller gave no source. */
export function drawNoise(noise: NoiseSource | undefined, length: number, who: string): Float32Array {
  if (!noise)
    throw new Error(`${who} draws noise in every step; pass a NoiseSource (e.g. a seeded GaussianRng)`);
  const values = noise(length);
  if (values.length !== length)
    throw new Error(`noise source returned ${values.length} values, expected ${length}`);
  return values;
}

/** Throws unless two tensors have equal lengths. */
export function checkSameLength(a: Float32Array, b: Float32Array, what: string): void {
  if (a.length !== b.length) {
    throw new Error(
      `${what}: model output has ${a.length} values but the sample has ${b.length}; shapes must match`,
    );
  }
}

/** Looks up a timestep; throws naming the valid ones. */
export function indexOfTimestep(timesteps: readonly number[], timestep: number, from = 0): number {
  const index = timesteps.indexOf(timestep, from);
  if (index < 0) {
    const shown = timesteps.slice(0, 6).join(', ');
    throw new Error(
      `timestep ${timestep} is not in this run's timesteps (${shown}, …); call setTimesteps first`,
    );
  }
  return index;
}
