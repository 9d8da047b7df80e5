/**
 * Min-SNR-γ loss weights (Hang et al. 2023, "Efficient Diffusion Training via Min-SNR Weighting Strategy";
 * diffusers' `--snr_gamma`): each sample's MSE is scaled so that low-noise timesteps, whose loss is easy
 * and large in SNR terms, stop dominating the gradient. With SNR_t = ᾱ_t / (1 − ᾱ_t):
 * epsilon prediction min(SNR_t, γ) / SNR_t, v-prediction min(SNR_t, γ) / (SNR_t + 1), x0 min(SNR_t, γ).
 */
import type { NoiseSchedule } from '../../diffusion/noiseSchedule';
import type { PredictionType } from '../../diffusion/schedulerConfig';

/** The per-sample loss weights of `timesteps` for min-SNR-γ weighting (γ > 0). */
export function minSnrWeights(
  schedule: NoiseSchedule,
  predictionType: PredictionType,
  timesteps: readonly number[],
  gamma: number,
): Float32Array {
  if (!(gamma > 0))
    throw new Error(`min-SNR gamma must be a positive number, got ${gamma}; diffusers uses 5`);
  return Float32Array.from(timesteps, (t) => {
    const acp = schedule.alphasCumprod[t];
    if (acp === undefined) {
      throw new Error(`timestep ${t} is outside the schedule's 0..${schedule.numTrainTimesteps - 1}`);
    }
    const snr = acp / (1 - acp);
    const clipped = Math.min(snr, gamma);
    if (predictionType === 'epsilon') return clipped / snr;
    if (predictionType === 'v_prediction') return clipped / (snr + 1);
    return clipped;
  });
}
