import { onnx, type INodeProto, type ModelProto, type NodeProto } from '../proto';
import { GraphBuilder } from '../graphBuilder';
import { copyNode, defaultOpset, definedNames, graphOf, withGraph } from './graphIndex';

/**
 * Emits the replacement of `node` with `g` (names it creates are prefixed with the node's name) and returns
 * one tensor per output of the original node, in order.
 */
export type NodeReplacement = (
  g: GraphBuilder,
  inputs: readonly string[],
  node: INodeProto,
) => readonly string[];

/**
 * Replaces the node named `nodeName` by the nodes `build` emits. The original output names are kept, so
 * every consumer is rewired automatically; constants the builder creates become initializers.
 */
export function replaceNode(model: ModelProto, nodeName: string, build: NodeReplacement): ModelProto {
  const graph = graphOf(model);
  const nodes = graph.node ?? [];
  const matches = nodes.flatMap((n, i) => (n.name === nodeName ? [i] : []));
  if (matches.length !== 1) {
    const hint = nodes
      .map((n) => n.name ?? '')
      .filter((n) => n.toLowerCase().includes(nodeName.toLowerCase()))
      .slice(0, 5);
    throw new Error(
      matches.length === 0
        ? `no node named "${nodeName}" in graph "${graph.name}"${hint.length ? `; similar: ${hint.join(', ')}` : ''}`
        : `${matches.length} nodes are named "${nodeName}"; rename them first so the node to replace is unique`,
    );
  }
  const index = matches[0]!;
  const node = nodes[index]!;
  const g = new GraphBuilder({ opset: defaultOpset(model), prefix: `${nodeName}/` });
  g.reserve([...definedNames(graph), ...nodes.map((n) => n.name ?? '')]);
  const results = build(g, node.input ?? [], node);
  const outputs = node.output ?? [];
  if (results.length !== outputs.length) {
    throw new Error(
      `replacement of "${nodeName}" returned ${results.length} tensors; the ${node.opType} node has ${outputs.length} outputs`,
    );
  }
  if (g.inputs.length || g.outputs.length) {
    throw new Error(
      `replacement of "${nodeName}" declared graph inputs/outputs; use only g.op/g.constant inside a replacement`,
    );
  }
  const emitted: NodeProto[] = g.nodes.map((n) => copyNode(n));
  const producedBy = new Map<string, NodeProto>();
  for (const n of emitted) for (const o of n.output) producedBy.set(o, n);
  const claimed = new Map<string, string>();
  results.forEach((result, i) => {
    const original = outputs[i]!;
    if (!original) return;
    const producer = producedBy.get(result);
    if (producer && !claimed.has(result)) {
      // rename the new tensor to the original output name, wherever the replacement itself reads it
      claimed.set(result, original);
      for (const n of emitted) {
        n.input = n.input.map((x) => (x === result ? original : x));
        n.output = n.output.map((x) => (x === result ? original : x));
      }
    } else {
      emitted.push(
        onnx.NodeProto.create({
          opType: 'Identity',
          name: g.fresh('Identity'),
          input: [claimed.get(result) ?? result],
          output: [original],
        }),
      );
    }
  });
  return withGraph(model, {
    node: [...nodes.slice(0, index), ...emitted, ...nodes.slice(index + 1)],
    initializer: [...(graph.initializer ?? []), ...g.initializers],
  });
}
