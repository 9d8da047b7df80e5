/**
 * Validation of one node's inputs: links (shape, target, output type) and literals (type conversion,
 * min/max, combo membership, the node's own `validateInputs`). Returns every problem and the converted
 * literal values.
 */
import type { ValidationError } from '../../protocol/wireSchemas';
import { asLink } from './promptGraph';
import {
  comboChoices,
  declaredInputs,
  inputOptions,
  inputType,
  isComboSpec,
  PRIMITIVE_TYPES,
} from './inputSpec';
import type { InputSpec, NodeDefinition } from './nodeDefinition';
import type { NodeRegistry } from './nodeRegistry';
import { checkTensorBudget } from './resourceBudget';
import { describeValue, validationError } from './validationErrors';

/** A prompt node whose shape (class_type + inputs object) was already checked. */
export interface CheckedNode {
  class_type: string;
  inputs: Record<string, unknown>;
}

export interface InputValidation {
  errors: ValidationError[];
  /** Inputs with literals converted (e.g. `"5"` → 5) and links normalised to `[string, number]`. */
  inputs: Record<string, unknown>;
}

/** The spec as JSON can carry it: a dynamic combo list shows as `COMBO`. */
function serialisableSpec(spec: InputSpec): unknown[] {
  const head = typeof spec[0] === 'function' ? 'COMBO' : spec[0];
  return spec[1] ? [head, spec[1]] : [head];
}

/** Does an output of type `received` fit an input of type `expected`? (`*` and `A,B` unions allowed.) */
export function typesCompatible(received: string, expected: string): boolean {
  if (received === '*' || expected === '*') return true;
  const got = received.split(',').map((t) => t.trim());
  const want = expected.split(',').map((t) => t.trim());
  return got.some((t) => want.includes(t));
}

export async function validateNodeInputs(
  nodes: Record<string, CheckedNode>,
  registry: NodeRegistry,
  def: NodeDefinition,
  node: CheckedNode,
): Promise<InputValidation> {
  const errors: ValidationError[] = [];
  const inputs: Record<string, unknown> = { ...node.inputs };
  const literals: Record<string, unknown> = {};

  for (const { name, spec, required } of declaredInputs(def)) {
    const value = node.inputs[name];
    const extra = { input_name: name, input_config: serialisableSpec(spec) };
    if (value === undefined || value === null) {
      if (required) {
        errors.push(
          validationError(
            'required_input_missing',
            'Required input is missing',
            `${name}: connect a link or set a value`,
            extra,
          ),
        );
      }
      continue;
    }
    if (Array.isArray(value)) {
      const linkError = checkLink(nodes, registry, name, spec, value);
      if (linkError) errors.push(linkError);
      else inputs[name] = asLink(value);
      continue;
    }
    const converted = await checkLiteral(name, spec, value, registry);
    if ('error' in converted) errors.push(converted.error);
    else {
      inputs[name] = converted.value;
      literals[name] = converted.value;
    }
  }

  if (errors.length === 0 && def.validateInputs) {
    let verdict: true | string;
    try {
      verdict = def.validateInputs(literals);
    } catch (err) {
      verdict = err instanceof Error ? err.message : String(err);
    }
    if (verdict !== true) {
      errors.push(
        validationError('custom_validation_failed', 'Custom validation failed for node', verdict, {}),
      );
    }
  }
  if (errors.length === 0) {
    const overBudget = await checkTensorBudget(def, literals, registry.maxPixels, registry.comboContext);
    if (overBudget) errors.push(overBudget);
  }
  return { errors, inputs };
}

function checkLink(
  nodes: Record<string, CheckedNode>,
  registry: NodeRegistry,
  name: string,
  spec: InputSpec,
  value: unknown[],
): ValidationError | null {
  const extra = { input_name: name, input_config: serialisableSpec(spec), received_value: value };
  const link = asLink(value);
  if (!link) {
    return validationError(
      'bad_linked_input',
      'Bad linked input, must be a length-2 list of [node_id, slot_index]',
      `${name}: got ${describeValue(value)}`,
      extra,
    );
  }
  const [sourceId, slot] = link;
  const source = nodes[sourceId];
  if (!source) {
    return validationError(
      'bad_linked_input',
      'Bad linked input, the source node does not exist',
      `${name}: links to node "${sourceId}", which is not in the prompt`,
      extra,
    );
  }
  const sourceDef = registry.get(source.class_type);
  if (!sourceDef) return null; // reported as missing_node_type on the source node
  const output = sourceDef.outputs[slot];
  if (!output) {
    return validationError(
      'bad_linked_input',
      'Bad linked input, the output index is out of range',
      `${name}: node "${sourceId}" (${source.class_type}) has ${sourceDef.outputs.length} output(s); got index ${slot}`,
      extra,
    );
  }
  const expected = inputType(spec);
  if (!typesCompatible(output.type, expected)) {
    return validationError(
      'return_type_mismatch',
      'Return type mismatch between linked nodes',
      `${name}, received_type(${output.type}) mismatch input_type(${expected})`,
      { ...extra, received_type: output.type, linked_node: link },
    );
  }
  return null;
}

type LiteralCheck = { value: unknown } | { error: ValidationError };

async function checkLiteral(
  name: string,
  spec: InputSpec,
  value: unknown,
  registry: NodeRegistry,
): Promise<LiteralCheck> {
  const extra = { input_name: name, input_config: serialisableSpec(spec), received_value: value };
  if (isComboSpec(spec)) {
    const choices = await comboChoices(spec, registry.comboContext);
    if (typeof value === 'string' && choices.includes(value)) return { value };
    const shown = choices.length > 20 ? [...choices.slice(0, 20), '…'] : choices;
    return {
      error: validationError(
        'value_not_in_list',
        'Value not in list',
        `${name}: ${describeValue(value)} not in [${shown.map((c) => `'${c}'`).join(', ')}]`,
        extra,
      ),
    };
  }
  const type = spec[0] as string;
  if (!PRIMITIVE_TYPES.has(type)) {
    return {
      error: validationError(
        'invalid_input_type',
        `Input "${name}" of type ${type} must be a link`,
        `${name}: connect an output of type ${type}; got the literal ${describeValue(value)}`,
        extra,
      ),
    };
  }
  const converted = convertPrimitive(type, value);
  if (converted === undefined) {
    return {
      error: validationError(
        'invalid_input_type',
        `Failed to convert an input value to a ${type} value`,
        `${name}, ${describeValue(value)} is not a valid ${type}`,
        extra,
      ),
    };
  }
  const { min, max } = inputOptions(spec);
  if (typeof converted === 'number' && min !== undefined && converted < min) {
    return {
      error: validationError(
        'value_smaller_than_min',
        `Value ${converted} smaller than min of ${min}`,
        `${name}: use a value of at least ${min}`,
        extra,
      ),
    };
  }
  if (typeof converted === 'number' && max !== undefined && converted > max) {
    return {
      error: validationError(
        'value_bigger_than_max',
        `Value ${converted} bigger than max of ${max}`,
        `${name}: use a value of at most ${max}`,
        extra,
      ),
    };
  }
  return { value: converted };
}

/** ComfyUI-like conversion (int(), float(), str(), bool()); undefined when it cannot convert. */
function convertPrimitive(type: string, value: unknown): unknown {
  switch (type) {
    case 'INT': {
      if (typeof value === 'boolean') return value ? 1 : 0;
      if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) : undefined;
      if (typeof value === 'string' && /^\s*[-+]?\d+\s*$/.test(value)) return Number.parseInt(value, 10);
      return undefined;
    }
    case 'FLOAT': {
      const n =
        typeof value === 'number'
          ? value
          : typeof value === 'string' && value.trim() !== ''
            ? Number(value)
            : NaN;
      return Number.isFinite(n) ? n : undefined;
    }
    case 'STRING':
      return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
        ? String(value)
        : undefined;
    case 'BOOLEAN': {
      if (typeof value === 'boolean') return value;
      if (value === 0 || value === 1) return value === 1;
      if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
      return undefined;
    }
    default:
      return undefined;
  }
}
