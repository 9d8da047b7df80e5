import { onnx, int64ToNumber, type ModelProto } from '../proto';
import { graphOf, withGraph } from './graphIndex';

/**
 * Declares fixed dims for graph inputs (e.g. `{sample: [2, 4, 16, 16]}`), replacing symbolic ones such as
 * "batch". Throws when the rank differs or a dim the model fixes disagrees.
 */
export function bindInputShapes(
  model: ModelProto,
  shapes: Readonly<Record<string, readonly number[]>>,
): ModelProto {
  const graph = graphOf(model);
  const inputs = graph.input ?? [];
  for (const name of Object.keys(shapes)) {
    if (!inputs.some((v) => v.name === name)) {
      throw new Error(
        `cannot bind the shape of "${name}": not a graph input (inputs: ${inputs.map((v) => v.name).join(', ')})`,
      );
    }
  }
  const input = inputs.map((v) => {
    const shape = shapes[v.name ?? ''];
    if (!shape) return v;
    const tensorType = v.type?.tensorType;
    if (!tensorType) throw new Error(`input "${v.name}" is not a tensor; only tensor inputs can be bound`);
    const declared = tensorType.shape?.dim;
    if (declared) {
      if (declared.length !== shape.length) {
        throw new Error(`input "${v.name}" has rank ${declared.length}; got dims [${shape.join(', ')}]`);
      }
      declared.forEach((d, i) => {
        const fixed =
          d.dimValue !== null && d.dimValue !== undefined && !d.dimParam
            ? int64ToNumber(d.dimValue)
            : undefined;
        if (fixed !== undefined && fixed !== shape[i]) {
          throw new Error(
            `input "${v.name}" fixes dim ${i} to ${fixed}; got ${shape[i]} (dims [${shape.join(', ')}])`,
          );
        }
      });
    }
    const dim = shape.map((s) => onnx.TensorShapeProto.Dimension.create({ dimValue: s }));
    return onnx.ValueInfoProto.create({
      ...v,
      type: onnx.TypeProto.create({
        tensorType: onnx.TypeProto.Tensor.create({ elemType: tensorType.elemType, shape: { dim } }),
      }),
    });
  });
  return withGraph(model, { input });
}
