/** Constructors for the structured errors validation returns (`{type, message, details, extra_info}`). */
import type { ValidationError } from '../../protocol/wireSchemas';

/** Every error type validation can report (ComfyUI's, plus `dependency_cycle`). */
export type ValidationErrorType =
  | 'prompt_no_outputs'
  | 'prompt_outputs_failed_validation'
  | 'required_input_missing'
  | 'bad_linked_input'
  | 'return_type_mismatch'
  | 'invalid_input_type'
  | 'value_smaller_than_min'
  | 'value_bigger_than_max'
  | 'value_not_in_list'
  | 'custom_validation_failed'
  | 'missing_node_type'
  | 'invalid_prompt'
  | 'dependency_cycle';

export function validationError(
  type: ValidationErrorType,
  message: string,
  details: string,
  extraInfo: Record<string, unknown> = {},
): ValidationError {
  return { type, message, details, extra_info: extraInfo };
}

/** Short, JSON-safe rendering of a received value for messages. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string')
    return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  if (value === undefined) return 'undefined';
  // JSON has no Infinity: 1e999 parses to it, and JSON.stringify would show "null"
  if (typeof value === 'number' && !Number.isFinite(value))
    return Number.isNaN(value)
      ? 'NaN'
      : `${value < 0 ? '-' : ''}a number too large to represent (e.g. 1e999)`;
  try {
    const text = JSON.stringify(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
  } catch {
    return String(value);
  }
}
