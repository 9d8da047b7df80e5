/**
 * The few numpy routines diffusers uses to lay out timesteps, with numpy's exact rounding behaviour
 * (round-half-to-even, linspace's endpoint, arange's length), so integer timesteps match it exactly.
 */

/** `np.linspace(start, stop, num)` (endpoint included) in float64. */
export function linspace(start: number, stop: number, num: number): number[] {
  if (num === 1) return [start];
  const step = (stop - start) / (num - 1);
  const out = Array.from({ length: num }, (_, k) => k * step + start);
  out[num - 1] = stop;
  return out;
}

/** `np.arange(start, stop, step)` for a float step. */
export function arange(start: number, stop: number, step: number): number[] {
  const length = Math.max(Math.ceil((stop - start) / step), 0);
  return Array.from({ length }, (_, k) => start + k * step);
}

/** `np.round` / `np.rint`: nearest integer, ties to even. */
export function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** `np.interp(x, arange(fp.length), fp)`: linear interpolation on unit-spaced knots, clamped at the ends. */
export function interpUnitGrid(x: number, fp: ArrayLike<number>): number {
  const last = fp.length - 1;
  if (x <= 0) return fp[0];
  if (x >= last) return fp[last];
  const j = Math.floor(x);
  const slope = fp[j + 1] - fp[j];
  return slope * (x - j) + fp[j];
}
