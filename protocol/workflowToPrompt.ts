/**
 * UI workflow (litegraph JSON) → API prompt. Widget values are positional, so they are matched to input
 * names through `input_order` from `/object_info`; an INT with `control_after_generate` is followed by its
 * control value ("fixed", "randomize", …), which is skipped. Reroutes are followed, bypassed nodes pass
 * their matching input through, muted nodes and notes are dropped. Browser-safe: the client imports it.
 */
import type { ApiNode, ApiPrompt, InputSpecWire, NodeDefWire, ObjectInfo, PromptLink } from './wireSchemas';
import type { UiLink, UiNode, UiWorkflow } from './uiWorkflowSchema';

/** An input left unconnected in the prompt because the node feeding it is muted. */
export interface MutedInput {
  nodeId: string;
  input: string;
  muted: { id: string; title: string };
}

export interface WorkflowConversion {
  prompt: ApiPrompt;
  /** Things the conversion dropped or could not map (unknown node types, dangling links). */
  warnings: string[];
  /** Inputs dropped because a muted node feeds them (a validation error on them should name it). */
  mutedInputs: MutedInput[];
}

const MODE_NEVER = 2;
const MODE_BYPASS = 4;
/** Canvas-only nodes that never reach the server. */
const DOCUMENTATION_NODES = new Set(['Note', 'MarkdownNote']);
const WIDGET_TYPES = new Set(['INT', 'FLOAT', 'STRING', 'BOOLEAN', 'COMBO']);

interface LinkInfo {
  originId: string;
  originSlot: number;
  type: string;
}

/** Does this input appear as a widget (and so take a slot in `widgets_values`)? */
export function isWidgetInput(spec: InputSpecWire): boolean {
  const [head, options] = spec;
  if (options?.forceInput) return false;
  return Array.isArray(head) || WIDGET_TYPES.has(head);
}

/** Widget input names in `widgets_values` order, each with how many values it occupies. */
export function widgetLayout(def: NodeDefWire): { name: string; width: number }[] {
  const layout: { name: string; width: number }[] = [];
  for (const group of ['required', 'optional'] as const) {
    for (const name of def.input_order[group]) {
      const spec = def.input[group]?.[name];
      if (!spec || !isWidgetInput(spec)) continue;
      layout.push({ name, width: spec[1]?.control_after_generate ? 2 : 1 });
    }
  }
  return layout;
}

function normaliseLink(link: UiLink): [number, LinkInfo & { targetId: string }] {
  if (Array.isArray(link)) {
    const [id, originId, originSlot, targetId, , type] = link;
    return [id, { originId: String(originId), originSlot, targetId: String(targetId), type: String(type) }];
  }
  return [
    link.id,
    {
      originId: String(link.origin_id),
      originSlot: link.origin_slot,
      targetId: String(link.target_id),
      type: String(link.type),
    },
  ];
}

export function workflowToPrompt(workflow: UiWorkflow, objectInfo: ObjectInfo): WorkflowConversion {
  const warnings: string[] = [];
  const nodes = new Map<string, UiNode>(workflow.nodes.map((n) => [String(n.id), n]));
  const links = new Map(workflow.links.map(normaliseLink));
  const mutedInputs: MutedInput[] = [];
  /** The muted node the last {@link resolve} call stopped at, if any. */
  let stoppedAtMuted: UiNode | undefined;

  /** Follows a link to the real producing node; null when nothing real feeds it. */
  const resolve = (linkId: number, seen = new Set<number>()): PromptLink | null => {
    const link = links.get(linkId);
    if (!link || seen.has(linkId)) return null;
    seen.add(linkId);
    const origin = nodes.get(link.originId);
    if (!origin) {
      warnings.push(`link ${linkId} starts at node ${link.originId}, which is not in the workflow; dropped`);
      return null;
    }
    if (origin.type === 'Reroute') {
      const upstream = origin.inputs?.[0]?.link;
      return upstream == null ? null : resolve(upstream, seen);
    }
    if (origin.mode === MODE_NEVER) {
      stoppedAtMuted = origin;
      return null;
    }
    if (origin.type === 'PrimitiveNode') return null;
    if (origin.mode === MODE_BYPASS) {
      const outType = String(origin.outputs?.[link.originSlot]?.type ?? link.type);
      const inputs = origin.inputs ?? [];
      const sameIndex = inputs[link.originSlot];
      const through =
        sameIndex && String(sameIndex.type) === outType && sameIndex.link != null
          ? sameIndex
          : inputs.find((input) => String(input.type) === outType && input.link != null);
      return through?.link == null ? null : resolve(through.link, seen);
    }
    return [String(origin.id), link.originSlot];
  };

  const prompt: ApiPrompt = {};
  for (const node of workflow.nodes) {
    if (node.mode === MODE_NEVER || node.mode === MODE_BYPASS) continue;
    if (DOCUMENTATION_NODES.has(node.type) || node.type === 'Reroute' || node.type === 'PrimitiveNode')
      continue;
    const def = objectInfo[node.type];
    const inputs: Record<string, unknown> = {};
    if (!def) {
      warnings.push(`node ${node.id} has type "${node.type}", which the server does not know`);
    } else {
      Object.assign(inputs, widgetInputs(node, def));
    }
    for (const slot of node.inputs ?? []) {
      if (slot.link == null) continue;
      const name = slot.widget?.name ?? slot.name;
      stoppedAtMuted = undefined;
      const link = resolve(slot.link);
      // resolve() may have set it (TypeScript cannot see assignments made inside the closure)
      const mutedOrigin = stoppedAtMuted as UiNode | undefined;
      if (link) inputs[name] = link;
      else if (mutedOrigin) {
        const { id, title, type } = mutedOrigin;
        const muted = { id: String(id), title: title ?? objectInfo[type]?.display_name ?? type };
        mutedInputs.push({ nodeId: String(node.id), input: name, muted });
      }
    }
    const entry: ApiNode = {
      class_type: node.type,
      inputs,
      _meta: { title: node.title ?? def?.display_name ?? node.type },
    };
    prompt[String(node.id)] = entry;
  }
  return { prompt, warnings, mutedInputs };
}

function widgetInputs(node: UiNode, def: NodeDefWire): Record<string, unknown> {
  const values = node.widgets_values;
  const inputs: Record<string, unknown> = {};
  if (!values) return inputs;
  if (!Array.isArray(values)) {
    for (const { name } of widgetLayout(def)) if (name in values) inputs[name] = values[name];
    return inputs;
  }
  let index = 0;
  for (const { name, width } of widgetLayout(def)) {
    if (index < values.length) inputs[name] = values[index];
    index += width;
  }
  return inputs;
}
