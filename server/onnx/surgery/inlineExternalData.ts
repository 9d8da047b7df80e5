import { onnx, type ModelProto, type TensorProto } from '../proto';
import { isExternal, tensorBytes } from '../tensorProto';
import { graphOf, withGraph } from './graphIndex';

/**
 * Reads every external initializer into the message (from `baseDir`), so the model no longer depends on
 * its folder — needed before merging models that live in different folders. Holds all weights in memory.
 */
export function inlineExternalData(model: ModelProto, baseDir: string): ModelProto {
  const graph = graphOf(model);
  const initializer = (graph.initializer ?? []).map((t) => {
    if (!isExternal(t)) return t;
    const { externalData, dataLocation, ...rest } = t as TensorProto;
    void [externalData, dataLocation];
    return onnx.TensorProto.create({ ...rest, rawData: tensorBytes(t, baseDir) });
  });
  return withGraph(model, { initializer });
}
