/**
 * Converting a model output of any `prediction_type` into (epsilon, x0) at a DDPM timestep, given
 * acp = alphas_cumprod[t]: x_t = sqrt(acp)·x0 + sqrt(1-acp)·eps and v = sqrt(acp)·eps - sqrt(1-acp)·x0.
 */
import type { NoiseSchedule } from './noiseSchedule';
import type { PredictionType } from './schedulerConfig';

/** Writes eps and x0 for one element into `out` (reused to avoid allocations in hot loops). */
export function toEpsilonAndX0(
  type: PredictionType,
  output: number,
  sample: number,
  alphaProd: number,
  betaProd: number,
  out: { epsilon: number; x0: number },
): void {
  const a = Math.sqrt(alphaProd);
  const s = Math.sqrt(betaProd);
  if (type === 'epsilon') {
    out.epsilon = output;
    out.x0 = (sample - s * output) / a;
  } else if (type === 'sample') {
    out.x0 = output;
    out.epsilon = (sample - a * output) / s;
  } else {
    // v-prediction: x0 = a·x_t - s·v, eps = a·v + s·x_t
    out.x0 = a * sample - s * output;
    out.epsilon = a * output + s * sample;
  }
}

/**
 * x0 from a model output in sigma (Karras/Euler) parametrisation, x = x0 + sigma·eps, where the model saw
 * x / sqrt(sigma² + 1): eps → x - sigma·eps; v → v·(-sigma/sqrt(sigma²+1)) + x/(sigma²+1); sample → itself.
 */
export function sigmaX0(type: PredictionType, output: number, sample: number, sigma: number): number {
  if (type === 'epsilon') return sample - sigma * output;
  if (type === 'sample') return output;
  const s2 = sigma * sigma + 1;
  return output * (-sigma / Math.sqrt(s2)) + sample / s2;
}

/** x0 for a whole tensor at integer timestep `t` of a DDPM schedule. */
export function ddpmPredictOriginal(
  schedule: NoiseSchedule,
  type: PredictionType,
  modelOutput: Float32Array,
  t: number,
  sample: Float32Array,
): Float32Array {
  const acp = schedule.alphasCumprod[t];
  const converted = { epsilon: 0, x0: 0 };
  return sample.map((x, i) => {
    toEpsilonAndX0(type, modelOutput[i], x, acp, 1 - acp, converted);
    return converted.x0;
  });
}
