/**
 * The table of node declarations. Built once from `nodes/index.ts` (plus any extra nodes a caller passes);
 * `/object_info` is derived from it here and nowhere else.
 */
import type { InputSpecWire, NodeDefWire, ObjectInfo } from '../../protocol/wireSchemas';
import { comboChoices, declaredInputs, isComboSpec } from './inputSpec';
import type { ComboContext, InputSpec, NodeDefinition, StudioDirs } from './nodeDefinition';
import { DEFAULT_MAX_PIXELS } from './resourceBudget';

export class NodeRegistry {
  private readonly definitions = new Map<string, NodeDefinition>();
  /** Passed to dynamic combo lists; undefined when the registry was built without folders (tests). */
  readonly comboContext: ComboContext | undefined;
  /** Largest tensor a node may allocate, in values (see `resourceBudget.ts`). */
  readonly maxPixels: number;

  /** Throws on a duplicate type name or a malformed declaration: both are programming errors. */
  constructor(
    definitions: readonly NodeDefinition[],
    options: { dirs?: StudioDirs; maxPixels?: number } = {},
  ) {
    this.comboContext = options.dirs ? { dirs: options.dirs } : undefined;
    this.maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
    for (const def of definitions) {
      if (!def.type)
        throw new Error(`a node declaration in category "${def.category}" has an empty type name`);
      if (this.definitions.has(def.type)) {
        throw new Error(
          `duplicate node type "${def.type}": each type may be declared once; rename one of them`,
        );
      }
      const requiredNames = Object.keys(def.inputs.required ?? {});
      const clash = Object.keys(def.inputs.optional ?? {}).find((name) => requiredNames.includes(name));
      if (clash)
        throw new Error(`node "${def.type}" declares input "${clash}" as both required and optional`);
      this.definitions.set(def.type, def);
    }
  }

  get(type: string): NodeDefinition | undefined {
    return this.definitions.get(type);
  }

  types(): string[] {
    return [...this.definitions.keys()];
  }

  all(): NodeDefinition[] {
    return [...this.definitions.values()];
  }

  /** One `/object_info` entry, with dynamic combo lists evaluated now. */
  async describe(type: string): Promise<NodeDefWire | undefined> {
    const def = this.definitions.get(type);
    if (!def) return undefined;
    const required: Record<string, InputSpecWire> = {};
    const optional: Record<string, InputSpecWire> = {};
    for (const input of declaredInputs(def)) {
      (input.required ? required : optional)[input.name] = await specToWire(input.spec, this.comboContext);
    }
    return {
      input: { required, optional, ...(def.inputs.hidden ? { hidden: { ...def.inputs.hidden } } : {}) },
      input_order: { required: Object.keys(required), optional: Object.keys(optional) },
      output: def.outputs.map((o) => o.type),
      output_is_list: def.outputs.map((o) => o.isList ?? false),
      output_name: def.outputs.map((o) => o.name ?? o.type),
      name: def.type,
      display_name: def.displayName ?? def.type,
      description: def.description ?? '',
      python_module: 'nodes',
      category: def.category,
      output_node: def.outputNode ?? false,
    };
  }

  /** All of `/object_info`. */
  async objectInfo(): Promise<ObjectInfo> {
    const info: ObjectInfo = {};
    for (const type of this.definitions.keys()) {
      const entry = await this.describe(type);
      if (entry) info[type] = entry;
    }
    return info;
  }
}

async function specToWire(spec: InputSpec, ctx: ComboContext | undefined): Promise<InputSpecWire> {
  const head = isComboSpec(spec) ? await comboChoices(spec, ctx) : (spec[0] as string);
  const options = spec[1];
  return options ? [head, { ...options }] : [head];
}
