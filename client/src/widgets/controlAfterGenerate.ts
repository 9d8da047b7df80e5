/**
 * The "control after generate" companion of seed-like INT widgets: after each queued prompt the value is
 * kept, stepped or re-rolled, as in ComfyUI. The stepping rule is pure and unit-tested.
 */

export const CONTROL_MODES = ['fixed', 'increment', 'decrement', 'randomize'] as const;
export type ControlMode = (typeof CONTROL_MODES)[number];
export const CONTROL_WIDGET_NAME = 'control_after_generate';

/** Largest value `randomize` picks (ComfyUI's cap: larger seeds lose precision as doubles). */
export const RANDOMIZE_MAX = 1125899906842624;

export function isControlMode(v: unknown): v is ControlMode {
  return typeof v === 'string' && (CONTROL_MODES as readonly string[]).includes(v);
}

/**
 * The value after one generation. `random` returns [0, 1); results stay within [min, max] and on the
 * step grid anchored at min.
 */
export function nextControlledValue(
  mode: ControlMode,
  value: number,
  range: { min?: number; max?: number; step?: number },
  random: () => number = Math.random,
): number {
  const min = range.min ?? 0;
  const max = Math.min(range.max ?? RANDOMIZE_MAX, RANDOMIZE_MAX);
  const step = range.step && range.step > 0 ? range.step : 1;
  switch (mode) {
    case 'fixed':
      return value;
    case 'increment':
      return Math.min(max, value + step);
    case 'decrement':
      return Math.max(min, value - step);
    case 'randomize': {
      const slots = Math.floor((max - min) / step) + 1;
      return min + Math.floor(random() * slots) * step;
    }
  }
}
