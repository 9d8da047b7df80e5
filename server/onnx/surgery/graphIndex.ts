/**
 * Read-only lookups every surgery helper needs: which node produces a tensor, who consumes it, which names
 * are constants, and a copy-on-write way to return a changed model without touching the caller's message.
 */
import { onnx, type GraphProto, type INodeProto, type ModelProto, type NodeProto } from '../proto';

/** The interface type of a graph message (plain objects or decoded messages). */
export type IGraphProto = NonNullable<ModelProto['graph']>;
/** One opset import entry. */
export type IOperatorSetIdProto = NonNullable<ModelProto['opsetImport']>[number];

/** The model's main graph; throws when the message has none. */
export function graphOf(model: ModelProto): GraphProto {
  if (!model.graph)
    throw new Error('model has no graph; load it with loadModel or build it with GraphBuilder');
  return model.graph as GraphProto;
}

/** A new model sharing everything with `model` except the graph fields in `changes`. */
export function withGraph(model: ModelProto, changes: Partial<IGraphProto>): ModelProto {
  const graph = onnx.GraphProto.create({ ...graphOf(model), ...changes });
  return onnx.ModelProto.create({ ...model, graph });
}

/** A shallow copy of a node with new input/output lists (attributes are shared). */
export function copyNode(node: INodeProto, changes: Partial<INodeProto> = {}): NodeProto {
  return onnx.NodeProto.create({
    ...node,
    input: [...(node.input ?? [])],
    output: [...(node.output ?? [])],
    ...changes,
  });
}

/** Tensor name → the node producing it. */
export function producerMap(graph: IGraphProto): Map<string, INodeProto> {
  const map = new Map<string, INodeProto>();
  for (const node of graph.node ?? []) for (const out of node.output ?? []) if (out) map.set(out, node);
  return map;
}

/** Tensor name → the nodes reading it (including reads from inside subgraph attributes). */
export function consumerMap(graph: IGraphProto): Map<string, INodeProto[]> {
  const map = new Map<string, INodeProto[]>();
  for (const node of graph.node ?? []) {
    for (const name of nodeReads(node)) {
      const list = map.get(name);
      if (list) list.push(node);
      else map.set(name, [node]);
    }
  }
  return map;
}

/** Every tensor a node reads: its inputs plus the outer-scope names its subgraphs (If/Loop/Scan) use. */
export function nodeReads(node: INodeProto): string[] {
  const reads = (node.input ?? []).filter((n) => n !== '');
  for (const a of node.attribute ?? []) {
    for (const sub of [...(a.g ? [a.g] : []), ...(a.graphs ?? [])]) reads.push(...outerReads(sub));
  }
  return reads;
}

/** Names a subgraph reads from its enclosing scope. */
function outerReads(graph: IGraphProto): string[] {
  const local = new Set<string>([
    ...(graph.input ?? []).map((v) => v.name ?? ''),
    ...(graph.initializer ?? []).map((t) => t.name ?? ''),
    ...(graph.node ?? []).flatMap((n) => n.output ?? []),
  ]);
  return (graph.node ?? []).flatMap(nodeReads).filter((n) => !local.has(n));
}

/** Names of the graph's inputs, initializers and node outputs. */
export function definedNames(graph: IGraphProto): Set<string> {
  return new Set<string>([
    ...(graph.input ?? []).map((v) => v.name ?? ''),
    ...(graph.initializer ?? []).map((t) => t.name ?? ''),
    ...(graph.node ?? []).flatMap((n) => n.output ?? []),
  ]);
}

/** Initializers that are not also graph inputs (an initializer listed as input is only a default value). */
export function constantInitializerNames(graph: IGraphProto): Set<string> {
  const inputs = new Set((graph.input ?? []).map((v) => v.name ?? ''));
  return new Set((graph.initializer ?? []).map((t) => t.name ?? '').filter((n) => !inputs.has(n)));
}

/** The opset version of the default ONNX domain. */
export function defaultOpset(model: ModelProto): number {
  const entry = (model.opsetImport ?? []).find((o) => !o.domain || o.domain === 'ai.onnx');
  if (!entry)
    throw new Error('model imports no default-domain opset; set opsetImport [{domain: "", version: 17}]');
  return Number(entry.version);
}

/** Throws unless `name` is a tensor of the graph, naming the graph's inputs/outputs to help the caller. */
export function requireTensor(graph: IGraphProto, name: string): void {
  if (definedNames(graph).has(name)) return;
  const inputs = (graph.input ?? []).map((v) => v.name).join(', ');
  const outputs = (graph.output ?? []).map((v) => v.name).join(', ');
  throw new Error(
    `tensor "${name}" is not an input, initializer or node output of graph "${graph.name}" (inputs: ${inputs}; outputs: ${outputs})`,
  );
}
