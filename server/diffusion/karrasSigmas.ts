/**
 * Karras et al. (2022) sigma spacing and the sigma → (fractional) timestep inverse that diffusers 0.21.4
 * uses for `use_karras_sigmas`.
 */
import { linspace } from './numpyCompat';

const RHO = 7;

/**
 * diffusers `_convert_to_karras`: `n` sigmas from `inSigmas[0]` (taken as sigma_max) to `inSigmas[last]`
 * (sigma_min), evenly spaced in sigma^(1/7). The order follows the input's ends.
 */
export function karrasSigmas(inSigmas: ArrayLike<number>, n: number): number[] {
  const sigmaMin = inSigmas[inSigmas.length - 1];
  const sigmaMax = inSigmas[0];
  const minInvRho = sigmaMin ** (1 / RHO);
  const maxInvRho = sigmaMax ** (1 / RHO);
  return linspace(0, 1, n).map((r) => (maxInvRho + r * (minInvRho - maxInvRho)) ** RHO);
}

/** `np.log` of the float32 training sigmas (numpy keeps float32 for a float32 array). */
export function logSigmas(trainingSigmas: Float32Array): Float32Array {
  return trainingSigmas.map((s) => Math.log(s));
}

/** diffusers `_sigma_to_t`: the fractional timestep whose log-sigma interpolates to `sigma`. */
export function sigmaToTimestep(sigma: number, logSigmaTable: Float32Array): number {
  const logSigma = Math.log(sigma);
  // low = last index whose log sigma is <= log(sigma), clipped so that low + 1 exists
  let count = 0;
  for (let i = 0; i < logSigmaTable.length; i++) if (logSigma - logSigmaTable[i] >= 0) count++;
  const low = Math.min(Math.max(count - 1, 0), logSigmaTable.length - 2);
  const lowValue = logSigmaTable[low];
  const highValue = logSigmaTable[low + 1];
  const w = Math.min(Math.max((lowValue - logSigma) / (lowValue - highValue), 0), 1);
  return (1 - w) * low + w * (low + 1);
}
