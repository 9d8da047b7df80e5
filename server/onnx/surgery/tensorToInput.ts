import { onnx, type ModelProto } from '../proto';
import type { ElementType } from '../dataTypes';
import { valueInfo, type Dim } from '../graphBuilder';
import { copyNode, definedNames, graphOf, requireTensor, withGraph } from './graphIndex';
import { inferElementTypes } from './elementTypes';
import { removeDeadNodes } from './removeDeadNodes';

export interface TensorToInputOptions {
  /** Name of the new graph input (default: the tensor's own name). */
  readonly name?: string;
  /** Element type; default: inferred from the graph (required when it cannot be inferred). */
  readonly type?: ElementType;
  /** Shape to declare, e.g. ['batch', 'sequence', 32]; default: no shape. */
  readonly shape?: readonly Dim[];
  /** Drop graph inputs that nothing reads any more after the cut (default false). */
  readonly pruneInputs?: boolean;
}

/**
 * Turns an intermediate tensor into a graph input: every reader of `tensor` reads the new input instead, and
 * the producer plus any ancestors that fed nothing else are removed. Used to cut the text encoder at its
 * token-embedding lookup so embeddings (including new placeholder rows) can be fed directly.
 */
export function tensorToInput(
  model: ModelProto,
  tensor: string,
  options: TensorToInputOptions = {},
): ModelProto {
  const graph = graphOf(model);
  requireTensor(graph, tensor);
  if ((graph.input ?? []).some((v) => v.name === tensor)) {
    throw new Error(`"${tensor}" is already a graph input; nothing to cut`);
  }
  const inputName = options.name ?? tensor;
  const type = options.type ?? inferElementTypes(graph).get(tensor);
  if (!type)
    throw new Error(
      `cannot infer the element type of "${tensor}"; pass {type: 'float32'} (or the right type)`,
    );
  const names = definedNames(graph);
  if (inputName !== tensor && names.has(inputName)) {
    throw new Error(
      `cannot name the new input "${inputName}": a tensor of that name exists; choose another name`,
    );
  }
  // the old producer keeps writing a now-unread tensor under a fresh name; dead-node removal deletes it
  let detached = `${tensor}__cut`;
  for (let i = 1; names.has(detached); i++) detached = `${tensor}__cut${i}`;
  const node = (graph.node ?? []).map((n) => {
    const writes = (n.output ?? []).includes(tensor);
    const reads = (n.input ?? []).includes(tensor);
    if (!writes && !reads) return n;
    return copyNode(n, {
      input: (n.input ?? []).map((x) => (x === tensor ? inputName : x)),
      output: (n.output ?? []).map((x) => (x === tensor ? detached : x)),
    });
  });
  const output = (graph.output ?? []).map((v) =>
    v.name === tensor ? onnx.ValueInfoProto.create({ ...v, name: inputName }) : v,
  );
  const initializer = (graph.initializer ?? []).filter((t) => t.name !== tensor);
  const cut = withGraph(model, {
    node,
    output,
    initializer,
    valueInfo: (graph.valueInfo ?? []).filter((v) => v.name !== tensor),
    input: [...(graph.input ?? []), valueInfo(inputName, type, options.shape)],
  });
  return removeDeadNodes(cut, { pruneInputs: options.pruneInputs });
}
