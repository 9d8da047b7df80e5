/**
 * The memory budget checked at validation time, before anything is allocated: a node that declares
 * `tensorValues` says how many values (pixels × batch × channels) its largest output holds for its literal
 * inputs, and a prompt asking for more than `--max-pixels` is refused with the numbers and the fix.
 */
import type { ValidationError } from '../../protocol/wireSchemas';
import type { ComboContext, NodeDefinition } from './nodeDefinition';
import { validationError } from './validationErrors';

/** 8192 × 8192 × 4 values: 1 GiB of float32. */
export const DEFAULT_MAX_PIXELS = 8192 * 8192 * 4;

/** A `value_bigger_than_max` error when `def` would allocate more than `budget` values, else null. */
export async function checkTensorBudget(
  def: NodeDefinition,
  literals: Record<string, unknown>,
  budget: number,
  ctx: ComboContext | undefined,
): Promise<ValidationError | null> {
  if (!def.tensorValues) return null;
  const values = await def.tensorValues(literals, ctx);
  if (!(values > budget)) return null;
  return validationError(
    'value_bigger_than_max',
    `${def.type} would allocate ${values.toLocaleString('en-US')} values (pixels × batch × channels), more than the budget of ${budget.toLocaleString('en-US')}`,
    'lower width, height or batch_size, or start the studio with a larger --max-pixels',
    { values, max_pixels: budget },
  );
}
