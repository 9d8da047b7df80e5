/**
 * Computes chosen tensors of a graph with onnxruntime: the graph is cut down to what those tensors need and
 * run once. This is how folding gets exact values for constant and shape subgraphs without a JS interpreter
 * of ONNX ops.
 */
import type { ModelProto } from '../proto';
import type { ElementType } from '../dataTypes';
import { typedArrayFromBytes } from '../dataTypes';
import type { TensorValue } from '../tensorProto';
import { createSession, ort } from '../sessions';
import { exposeTensors } from './exposeTensors';
import { removeDeadNodes } from './removeDeadNodes';
import { graphOf } from './graphIndex';

const ORT_TYPES: Readonly<Record<string, ElementType>> = {
  float32: 'float32',
  float16: 'float16',
  float64: 'float64',
  int64: 'int64',
  int32: 'int32',
  int8: 'int8',
  uint8: 'uint8',
  bool: 'bool',
};

/** An onnxruntime tensor as a `TensorValue` (a copy, so it outlives the session). */
export function tensorValueOf(tensor: ort.Tensor, name = 'tensor'): TensorValue {
  const type = ORT_TYPES[tensor.type];
  if (!type)
    throw new Error(
      `${name} has element type ${tensor.type}, which this toolkit cannot store as an initializer`,
    );
  const data = tensor.data as ArrayBufferView;
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
  return { type, dims: [...tensor.dims], data: typedArrayFromBytes(type, bytes) };
}

export interface EvaluateOptions {
  /** Values for the graph inputs the requested tensors depend on. */
  readonly feeds?: Readonly<Record<string, ort.Tensor>>;
  /** Folder of the model's external data. */
  readonly sourceDir?: string;
}

/** Runs the part of `model` that `names` depend on and returns their values. */
export async function evaluateTensors(
  model: ModelProto,
  names: readonly string[],
  options: EvaluateOptions = {},
): Promise<Map<string, TensorValue>> {
  const result = new Map<string, TensorValue>();
  if (!names.length) return result;
  const sub = removeDeadNodes(exposeTensors(model, names, { replaceOutputs: true }), { pruneInputs: true });
  const needed = (graphOf(sub).input ?? []).map((v) => v.name ?? '');
  const feeds: Record<string, ort.Tensor> = {};
  for (const n of needed) {
    const feed = options.feeds?.[n];
    if (!feed)
      throw new Error(`evaluating ${names.slice(0, 3).join(', ')} needs input "${n}"; pass it in feeds`);
    feeds[n] = feed;
  }
  const session = await createSession(
    sub,
    { provider: 'cpu', sourceDir: options.sourceDir, optimization: 'basic' },
    'fold',
  );
  try {
    const out = await session.run(feeds, names);
    for (const n of names) result.set(n, tensorValueOf(out[n]!, `tensor "${n}"`));
  } finally {
    await session.release();
  }
  return result;
}
