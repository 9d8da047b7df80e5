/**
 * Timesteps and sigmas of the Euler-family schedulers (diffusers 0.21.4 `EulerDiscreteScheduler.
 * set_timesteps`): fractional float32 timesteps, sigmas interpolated linearly in t from the training sigmas,
 * optionally respaced the Karras way, with a trailing 0.
 */
import { karrasSigmas, logSigmas, sigmaToTimestep } from './karrasSigmas';
import { trainingSigmas, type NoiseSchedule } from './noiseSchedule';
import { interpUnitGrid } from './numpyCompat';
import type { ResolvedSchedulerConfig } from './schedulerConfig';
import { spacedTimesteps } from './timestepSpacing';

const f32 = Math.fround;

/** A sigma-parametrised run: `sigmas[i]` belongs to `timesteps[i]`; `sigmas` has one extra final 0. */
export interface SigmaRun {
  timesteps: number[];
  sigmas: Float32Array;
}

/** Builds the Euler run for `n` inference steps. */
export function eulerSigmaRun(
  config: ResolvedSchedulerConfig,
  schedule: NoiseSchedule,
  n: number,
  useKarras: boolean,
): SigmaRun {
  if (!Number.isInteger(n) || n < 1) throw new Error(`steps must be a positive integer, got ${n}`);
  const table = trainingSigmas(schedule);
  let timesteps = spacedTimesteps(config, n, f32);
  let sigmas = timesteps.map((t) => interpUnitGrid(t, table));
  if (useKarras) {
    sigmas = karrasSigmas(sigmas, n);
    const logs = logSigmas(table);
    timesteps = sigmas.map((s) => sigmaToTimestep(s, logs));
  }
  return { timesteps, sigmas: Float32Array.from([...sigmas, 0]) };
}

/** diffusers' Euler `init_noise_sigma`: max sigma, or sqrt(max² + 1) for "leading" spacing. */
export function eulerInitNoiseSigma(config: ResolvedSchedulerConfig, sigmas: Float32Array): number {
  const max = sigmas.reduce((m, s) => Math.max(m, s), 0);
  return config.timestep_spacing === 'leading' ? f32(Math.sqrt(f32(f32(max * max) + 1))) : max;
}
