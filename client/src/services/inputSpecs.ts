/**
 * Turns one `/object_info` node definition into an ordered list of slot and widget specs. Pure, so the
 * mapping from ComfyUI declarations to canvas widgets is unit-tested without a canvas.
 */
import { z } from 'zod';
import type { NodeDef } from '../api/wire';

const numberOptions = z.looseObject({
  default: z.number().optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  step: z.number().optional(),
  round: z.union([z.number(), z.literal(false)]).optional(),
  control_after_generate: z.boolean().optional(),
  tooltip: z.string().optional(),
  forceInput: z.boolean().optional(),
});
const stringOptions = z.looseObject({
  default: z.string().optional(),
  multiline: z.boolean().optional(),
  placeholder: z.string().optional(),
  tooltip: z.string().optional(),
  forceInput: z.boolean().optional(),
});
const booleanOptions = z.looseObject({
  default: z.boolean().optional(),
  label_on: z.string().optional(),
  label_off: z.string().optional(),
  tooltip: z.string().optional(),
  forceInput: z.boolean().optional(),
});
const comboOptions = z.looseObject({
  default: z.union([z.string(), z.number()]).optional(),
  options: z.array(z.union([z.string(), z.number()])).optional(),
  image_upload: z.boolean().optional(),
  tooltip: z.string().optional(),
});
const socketOptions = z.looseObject({ tooltip: z.string().optional() });

export type NumberWidgetSpec = {
  kind: 'number';
  type: 'INT' | 'FLOAT';
  default: number;
  min?: number;
  max?: number;
  step: number;
  precision: number;
  controlAfterGenerate: boolean;
};
export type WidgetSpec =
  | NumberWidgetSpec
  | { kind: 'string'; default: string; multiline: boolean; placeholder?: string }
  | { kind: 'toggle'; default: boolean; labelOn?: string; labelOff?: string }
  | {
      kind: 'combo';
      default: string | number | undefined;
      values: (string | number)[];
      imageUpload: boolean;
    };

/** One declared input, in `input_order`, as a socket (linked type) or a widget (literal value). */
export type InputSpec = {
  name: string;
  optional: boolean;
  tooltip?: string;
} & ({ slot: 'socket'; type: string } | { slot: 'widget'; type: string; widget: WidgetSpec });

/** Decimal places a FLOAT widget shows for a step, e.g. 0.01 → 2, 0.5 → 1, 1 → 0. */
export function precisionForStep(step: number): number {
  if (!(step > 0)) return 3;
  const text = step.toString();
  if (text.includes('e-')) return Number(text.split('e-')[1]);
  const dot = text.indexOf('.');
  return dot < 0 ? 0 : text.length - dot - 1;
}

function comboChoices(raw: unknown[]): (string | number)[] {
  return raw.filter((v): v is string | number => typeof v === 'string' || typeof v === 'number');
}

/**
 * Classifies one input declaration `[TYPE, options?]` (or `[[choices], options?]`).
 * Throws when the options do not fit the type, naming the node and input.
 */
export function describeInput(
  nodeName: string,
  name: string,
  spec: readonly unknown[],
  optional: boolean,
): InputSpec {
  const [rawType, rawOptions] = spec;
  const where = `${nodeName}.${name}`;
  const parse = <T extends z.ZodType>(schema: T): z.infer<T> => {
    const parsed = schema.safeParse(rawOptions ?? {});
    if (!parsed.success) throw new Error(`bad options for input ${where}: ${z.prettifyError(parsed.error)}`);
    return parsed.data;
  };
  if (Array.isArray(rawType) || rawType === 'COMBO') {
    const o = parse(comboOptions);
    const values = Array.isArray(rawType) ? comboChoices(rawType) : (o.options ?? []);
    const widget: WidgetSpec = {
      kind: 'combo',
      default: o.default ?? values[0],
      values,
      imageUpload: o.image_upload === true,
    };
    return { name, optional, tooltip: o.tooltip, slot: 'widget', type: 'COMBO', widget };
  }
  if (typeof rawType !== 'string')
    throw new Error(
      `input ${where} has type ${JSON.stringify(rawType)}; expected a type name or a list of choices`,
    );
  switch (rawType) {
    case 'INT':
    case 'FLOAT': {
      const o = parse(numberOptions);
      if (o.forceInput) return { name, optional, tooltip: o.tooltip, slot: 'socket', type: rawType };
      const step = o.step ?? (rawType === 'INT' ? 1 : 0.01);
      const widget: NumberWidgetSpec = {
        kind: 'number',
        type: rawType,
        default: o.default ?? o.min ?? 0,
        min: o.min,
        max: o.max,
        step,
        precision: rawType === 'INT' ? 0 : precisionForStep(typeof o.round === 'number' ? o.round : step),
        controlAfterGenerate: o.control_after_generate === true,
      };
      return { name, optional, tooltip: o.tooltip, slot: 'widget', type: rawType, widget };
    }
    case 'STRING': {
      const o = parse(stringOptions);
      if (o.forceInput) return { name, optional, tooltip: o.tooltip, slot: 'socket', type: rawType };
      const widget: WidgetSpec = {
        kind: 'string',
        default: o.default ?? '',
        multiline: o.multiline === true,
        placeholder: o.placeholder,
      };
      return { name, optional, tooltip: o.tooltip, slot: 'widget', type: rawType, widget };
    }
    case 'BOOLEAN': {
      const o = parse(booleanOptions);
      if (o.forceInput) return { name, optional, tooltip: o.tooltip, slot: 'socket', type: rawType };
      const widget: WidgetSpec = {
        kind: 'toggle',
        default: o.default ?? false,
        labelOn: o.label_on,
        labelOff: o.label_off,
      };
      return { name, optional, tooltip: o.tooltip, slot: 'widget', type: rawType, widget };
    }
    default:
      return { name, optional, tooltip: parse(socketOptions).tooltip, slot: 'socket', type: rawType };
  }
}

/** Every required then optional input of a node definition, in `input_order` when the server sends it. */
export function describeInputs(def: NodeDef): InputSpec[] {
  const out: InputSpec[] = [];
  for (const group of ['required', 'optional'] as const) {
    const declared = def.input[group] ?? {};
    const order = def.input_order?.[group] ?? Object.keys(declared);
    for (const name of order) {
      const spec = declared[name];
      if (spec) out.push(describeInput(def.name, name, spec, group === 'optional'));
    }
  }
  return out;
}

/** Snaps a number typed or dragged into a widget: INT to whole numbers, FLOAT to its shown precision, then clamps. */
export function snapNumber(spec: NumberWidgetSpec, value: number): number {
  let v = spec.type === 'INT' ? Math.round(value) : Number(value.toFixed(spec.precision));
  if (spec.min !== undefined) v = Math.max(spec.min, v);
  if (spec.max !== undefined) v = Math.min(spec.max, v);
  return v;
}
