/**
 * API prompt → UI workflow, for an API-format JSON opened on the canvas (ComfyUI loads those too): one node
 * per prompt entry, widget values in `input_order`, a link per `[node, slot]` input, and the nodes laid out
 * left to right by how far they are from the graph's sources. Browser-safe: the client imports it.
 */
import { isWidgetInput, widgetLayout } from './workflowToPrompt';
import type { ApiNode, ObjectInfo } from './wireSchemas';
import type { UiLink, UiNode, UiWorkflow } from './uiWorkflowSchema';

/**
 * Set in the workflow's `extra` when its positions are only a first guess: the canvas then stacks each
 * column again with the real node sizes (and drops the flag).
 */
export const AUTO_LAYOUT_KEY = 'inversion_studio_auto_layout';

export interface PromptConversion {
  workflow: UiWorkflow;
  /** Inputs the canvas cannot show as given (a widget fed by a link), with what was done instead. */
  warnings: string[];
}

const COLUMN_WIDTH = 380;
const ROW_GAP = 50;
const TOP = 60;
const LEFT = 40;

function isLink(value: unknown): value is [string | number, number] {
  return (
    Array.isArray(value) &&
    value.length === 2 &&
    (typeof value[0] === 'string' || typeof value[0] === 'number') &&
    typeof value[1] === 'number'
  );
}

/** A rough node height for the layout (litegraph sizes the node itself when it is created). */
function estimatedHeight(
  socketInputs: number,
  outputs: number,
  widgets: number,
  outputNode: boolean,
): number {
  return Math.max(socketInputs, outputs) * 20 + widgets * 24 + 20 + (outputNode ? 220 : 0);
}

export function promptToWorkflow(prompt: Record<string, ApiNode>, objectInfo: ObjectInfo): PromptConversion {
  const warnings: string[] = [];
  const entries = Object.entries(prompt);
  const numericIds = entries.every(([id]) => /^\d+$/.test(id));
  const idOf = new Map(entries.map(([id], i) => [id, numericIds ? Number(id) : i + 1]));

  // column of each node: 1 + the column of its furthest upstream node
  const column = new Map<string, number>();
  const columnOf = (id: string, seen: Set<string>): number => {
    const known = column.get(id);
    if (known !== undefined) return known;
    if (seen.has(id)) return 0;
    seen.add(id);
    const upstream = Object.values(prompt[id]?.inputs ?? {})
      .filter(isLink)
      .map(([from]) => String(from))
      .filter((from) => prompt[from]);
    const c = upstream.length ? 1 + Math.max(...upstream.map((from) => columnOf(from, seen))) : 0;
    column.set(id, c);
    return c;
  };

  const nodes: UiNode[] = [];
  const links: UiLink[] = [];
  const outgoing = new Map<string, number[][]>();
  const nextY = new Map<number, number>();
  let linkId = 0;

  for (const [key, apiNode] of entries) {
    const def = objectInfo[apiNode.class_type];
    const id = idOf.get(key)!;
    const col = columnOf(key, new Set());
    const node: UiNode = {
      id,
      type: apiNode.class_type,
      pos: [LEFT + col * COLUMN_WIDTH, nextY.get(col) ?? TOP],
      flags: {},
      order: nodes.length,
      mode: 0,
      properties: {},
      inputs: [],
      outputs: (def?.output ?? []).map((type, slot) => ({
        name: def?.output_name[slot] || type,
        type,
        links: [],
        slot_index: slot,
      })),
    };
    if (apiNode._meta?.title && apiNode._meta.title !== (def?.display_name ?? apiNode.class_type))
      node.title = apiNode._meta.title;
    if (!def) {
      warnings.push(`node ${key} has type "${apiNode.class_type}", which the server does not know`);
      nodes.push(node);
      continue;
    }
    const values: unknown[] = [];
    for (const { name, width } of widgetLayout(def)) {
      const given = apiNode.inputs[name];
      const spec = def.input.required?.[name] ?? def.input.optional?.[name];
      if (isLink(given)) {
        warnings.push(
          `input "${name}" of node ${key} is fed by a link, which a widget cannot show; using its default`,
        );
      }
      values.push(given !== undefined && !isLink(given) ? given : spec?.[1]?.default);
      if (width === 2) values.push('fixed');
    }
    node.widgets_values = values;
    for (const group of ['required', 'optional'] as const) {
      for (const name of def.input_order[group]) {
        const spec = def.input[group]?.[name];
        if (!spec || isWidgetInput(spec)) continue;
        const given = apiNode.inputs[name];
        const slot = node.inputs!.length;
        let link: number | null = null;
        if (isLink(given) && idOf.has(String(given[0]))) {
          link = ++linkId;
          const [from, fromSlot] = given;
          links.push([link, idOf.get(String(from))!, fromSlot, id, slot, String(spec[0])]);
          const list = outgoing.get(String(from)) ?? [];
          list[fromSlot] = [...(list[fromSlot] ?? []), link];
          outgoing.set(String(from), list);
        }
        node.inputs!.push({ name, type: String(spec[0]), link });
      }
    }
    const sockets = node.inputs!.length;
    const height = estimatedHeight(sockets, def.output.length, values.length, def.output_node);
    nextY.set(col, (nextY.get(col) ?? TOP) + height + ROW_GAP);
    nodes.push(node);
  }
  for (const [key, bySlot] of outgoing) {
    const node = nodes.find((n) => n.id === idOf.get(key));
    bySlot.forEach((ids, slot) => {
      const output = node?.outputs?.[slot];
      if (output) output.links = ids;
    });
  }
  const workflow: UiWorkflow = {
    last_node_id: Math.max(0, ...nodes.map((n) => Number(n.id))),
    last_link_id: linkId,
    nodes,
    links,
    groups: [],
    config: {},
    extra: { [AUTO_LAYOUT_KEY]: true },
    version: 0.4,
  };
  return { workflow, warnings };
}
