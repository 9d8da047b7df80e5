import type { INodeProto, ModelProto } from '../proto';
import { attr, attrFloat, attrInt, attrInts } from '../attributes';
import { makeTensorProto, readTensor, type TensorValue } from '../tensorProto';
import { graphOf, withGraph } from './graphIndex';

/** The value of a `Constant` node, or undefined for forms kept as nodes (sparse, strings). */
export function constantNodeValue(node: INodeProto): TensorValue | undefined {
  const a = node.attribute;
  const tensor = attr(a, 'value');
  if (tensor?.t) return readTensor(tensor.t);
  if (attr(a, 'value_float'))
    return { type: 'float32', dims: [], data: Float32Array.of(attrFloat(a, 'value_float', 0)) };
  const fs = attr(a, 'value_floats');
  if (fs)
    return { type: 'float32', dims: [fs.floats?.length ?? 0], data: Float32Array.from(fs.floats ?? []) };
  if (attr(a, 'value_int'))
    return { type: 'int64', dims: [], data: BigInt64Array.of(BigInt(attrInt(a, 'value_int', 0))) };
  const is = attrInts(a, 'value_ints');
  if (is) return { type: 'int64', dims: [is.length], data: BigInt64Array.from(is.map(BigInt)) };
  return undefined;
}

/**
 * Replaces every default-domain `Constant` node by an initializer of the same name (torch exports hold
 * hundreds of them; initializers are what autodiff and folding treat as constants).
 */
export function constantNodesToInitializers(model: ModelProto): ModelProto {
  const graph = graphOf(model);
  const initializers = [...(graph.initializer ?? [])];
  const node = (graph.node ?? []).filter((n) => {
    if (n.opType !== 'Constant' || (n.domain && n.domain !== 'ai.onnx')) return true;
    const value = constantNodeValue(n);
    const out = n.output?.[0];
    if (!value || !out) return true;
    initializers.push(makeTensorProto(out, value));
    return false;
  });
  return withGraph(model, { node, initializer: initializers });
}
