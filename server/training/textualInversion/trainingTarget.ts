/**
 * What a step trains against, read from the model's scheduler config as diffusers' DDPMScheduler does: the
 * noise schedule (for add_noise) and the prediction type, which picks the MSE target.
 */
import { createNoiseSchedule, getVelocity, type NoiseSchedule } from '../../diffusion/noiseSchedule';
import { parseSchedulerConfigFile, type PredictionType } from '../../diffusion/schedulerConfig';

/** Noise schedule and prediction type as diffusers' DDPMScheduler.from_pretrained reads them. */
export function trainingSchedule(schedulerConfig: unknown): {
  schedule: NoiseSchedule;
  predictionType: PredictionType;
} {
  const file = parseSchedulerConfigFile(schedulerConfig);
  const schedule = createNoiseSchedule({
    num_train_timesteps: file.num_train_timesteps ?? 1000,
    beta_start: file.beta_start ?? 0.0001,
    beta_end: file.beta_end ?? 0.02,
    beta_schedule: file.beta_schedule ?? 'linear',
    trained_betas: file.trained_betas ?? null,
    rescale_betas_zero_snr: file.rescale_betas_zero_snr ?? false,
  });
  return { schedule, predictionType: file.prediction_type ?? 'epsilon' };
}

/** The MSE target for a prediction type: noise (epsilon), get_velocity (v_prediction) or x0 (sample). */
export function trainingTarget(
  schedule: NoiseSchedule,
  predictionType: PredictionType,
  latents: Float32Array,
  noise: Float32Array,
  timesteps: readonly number[],
): Float32Array {
  if (predictionType === 'epsilon') return noise;
  if (predictionType === 'v_prediction') return getVelocity(schedule, latents, noise, timesteps);
  return latents;
}
