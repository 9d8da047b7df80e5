/** Small readers over `InputSpec` so no other module re-derives "is this a combo / a widget". */
import type { ComboChoices, ComboContext, InputOptions, InputSpec, NodeDefinition } from './nodeDefinition';

/** Types shown as a widget (and accepted as literals) unless `forceInput`. */
export const PRIMITIVE_TYPES: ReadonlySet<string> = new Set(['INT', 'FLOAT', 'STRING', 'BOOLEAN']);

export interface ResolvedInput {
  name: string;
  spec: InputSpec;
  required: boolean;
}

export function isComboSpec(spec: InputSpec): spec is readonly [ComboChoices, InputOptions?] {
  return typeof spec[0] !== 'string';
}

/** The declared type: `COMBO` for combos, otherwise the type string. */
export function inputType(spec: InputSpec): string {
  return isComboSpec(spec) ? 'COMBO' : (spec[0] as string);
}

export function inputOptions(spec: InputSpec): InputOptions {
  return spec[1] ?? {};
}

/** The combo's choices; a dynamic list is evaluated now, with `ctx`. */
export async function comboChoices(spec: InputSpec, ctx: ComboContext | undefined): Promise<string[]> {
  if (!isComboSpec(spec)) return [];
  const choices = spec[0];
  if (typeof choices !== 'function') return [...choices];
  if (!ctx)
    throw new Error('a dynamic combo list needs the studio folders; construct NodeRegistry with { dirs }');
  return [...(await choices(ctx))];
}

/** Required then optional inputs, in declaration order (this is `input_order`). */
export function declaredInputs(def: NodeDefinition): ResolvedInput[] {
  const required = Object.entries(def.inputs.required ?? {}).map(([name, spec]) => ({
    name,
    spec,
    required: true,
  }));
  const optional = Object.entries(def.inputs.optional ?? {}).map(([name, spec]) => ({
    name,
    spec,
    required: false,
  }));
  return [...required, ...optional];
}
