/**
 * diffusers' `timestep_spacing` layouts (0.21.4) of `n` inference steps over `num_train_timesteps`, shared
 * by DDIM/PNDM (integer timesteps) and the Euler family (fractional float32 timesteps).
 */
import { arange, linspace, roundHalfEven } from './numpyCompat';
import type { ResolvedSchedulerConfig } from './schedulerConfig';

/**
 * The timesteps of `n` steps, descending: "linspace" spreads them evenly over [0, total - 1] (each value
 * passed through `linspaceValue`: DDIM rounds half to even, Euler keeps float32), "leading" counts multiples
 * of floor(total / n) up from `steps_offset`, "trailing" counts back from `total`.
 */
export function spacedTimesteps(
  config: ResolvedSchedulerConfig,
  n: number,
  linspaceValue: (t: number) => number,
): number[] {
  const total = config.num_train_timesteps;
  switch (config.timestep_spacing) {
    case 'linspace':
      return linspace(0, total - 1, n)
        .map((t) => linspaceValue(t))
        .reverse();
    case 'leading': {
      const ratio = Math.floor(total / n);
      return Array.from({ length: n }, (_, k) => (n - 1 - k) * ratio + config.steps_offset);
    }
    case 'trailing':
      return arange(total, 0, -total / n).map((t) => roundHalfEven(t) - 1);
  }
}
