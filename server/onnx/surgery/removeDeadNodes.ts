import type { ModelProto } from '../proto';
import { graphOf, nodeReads, withGraph } from './graphIndex';

export interface RemoveDeadOptions {
  /** Also drop graph inputs no remaining node reads (default false: the model's signature is kept). */
  readonly pruneInputs?: boolean;
}

/**
 * Drops every node that does not contribute to a graph output, then initializers and value_info entries no
 * remaining node uses. Node order is kept (it stays topological).
 */
export function removeDeadNodes(model: ModelProto, options: RemoveDeadOptions = {}): ModelProto {
  const graph = graphOf(model);
  const live = new Set((graph.output ?? []).map((v) => v.name ?? ''));
  const nodes = graph.node ?? [];
  const keep = new Array<boolean>(nodes.length).fill(false);
  for (let i = nodes.length - 1; i >= 0; i--) {
    const node = nodes[i]!;
    if (!(node.output ?? []).some((o) => o !== '' && live.has(o))) continue;
    keep[i] = true;
    for (const name of nodeReads(node)) live.add(name);
  }
  const node = nodes.filter((_, i) => keep[i]);
  const input = options.pruneInputs
    ? (graph.input ?? []).filter((v) => live.has(v.name ?? ''))
    : (graph.input ?? []);
  // an initializer that is also a graph input is that input's default value: it lives as long as the input
  const inputNames = new Set(input.map((v) => v.name ?? ''));
  return withGraph(model, {
    node,
    input,
    initializer: (graph.initializer ?? []).filter(
      (t) => live.has(t.name ?? '') || inputNames.has(t.name ?? ''),
    ),
    valueInfo: (graph.valueInfo ?? []).filter((v) => live.has(v.name ?? '')),
  });
}
