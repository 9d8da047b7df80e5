/**
 * The plain tensor type the frozen model speaks (float32 data + dims), and its conversion to and from
 * onnxruntime tensors of whatever element type a model declares: exported models may take float16 or int64
 * where our own graphs take float32 and int32, so feeds are converted to the declared type here.
 */
import { floatToHalf, halfToFloat } from '../../onnx/dataTypes';
import { ort } from '../../onnx/sessions';

/** Row-major float32 values with their dims (NCHW for images and latents). */
export interface FloatTensor {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

/** Element types a frozen model's inputs may declare. */
export type FeedType = 'float32' | 'float16' | 'int32' | 'int64';

/** Number of elements of `dims`. */
export function sizeOf(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

/** A `FloatTensor`, checking that `data` fits `dims`. */
export function floatTensor(data: Float32Array, dims: readonly number[], label = 'tensor'): FloatTensor {
  if (data.length !== sizeOf(dims)) {
    throw new Error(`${label} has ${data.length} values, which does not fit dims [${dims.join(', ')}]`);
  }
  return { data, dims: [...dims] };
}

/** A float feed converted to `type` (float32 or float16). */
export function floatFeed(tensor: FloatTensor, type: FeedType, label: string): ort.Tensor {
  floatTensor(tensor.data, tensor.dims, label);
  if (type === 'float32') return new ort.Tensor('float32', tensor.data, [...tensor.dims]);
  if (type === 'float16') {
    const bits = new Uint16Array(tensor.data.length);
    for (let i = 0; i < bits.length; i++) bits[i] = floatToHalf(tensor.data[i]!);
    return new ort.Tensor('float16', bits, [...tensor.dims]);
  }
  throw new Error(`${label}: the model declares ${type} for a float input; re-export it with float inputs`);
}

/** An integer feed (token ids) converted to `type` (int32 or int64). */
export function intFeed(ids: Int32Array, dims: readonly number[], type: FeedType, label: string): ort.Tensor {
  if (ids.length !== sizeOf(dims)) {
    throw new Error(`${label} has ${ids.length} ids, which does not fit dims [${dims.join(', ')}]`);
  }
  if (type === 'int32') return new ort.Tensor('int32', ids, [...dims]);
  if (type === 'int64')
    return new ort.Tensor(
      'int64',
      BigInt64Array.from(ids, (v) => BigInt(v)),
      [...dims],
    );
  throw new Error(`${label}: the model declares ${type} for token ids; expected int32 or int64`);
}

/** An output tensor as float32 (float16 outputs are widened). */
export function fromOrt(tensor: ort.Tensor | undefined, label: string): FloatTensor {
  if (!tensor) throw new Error(`${label}: the model produced no such output`);
  const dims = [...tensor.dims];
  if (tensor.type === 'float32') return { data: tensor.data as Float32Array, dims };
  if (tensor.type === 'float16') {
    const raw = tensor.data as ArrayLike<number>;
    const out = new Float32Array(raw.length);
    // Uint16Array holds the bits; a native Float16Array would hold the values
    const isBits = raw instanceof Uint16Array;
    for (let i = 0; i < out.length; i++) out[i] = isBits ? halfToFloat(raw[i]!) : raw[i]!;
    return { data: out, dims };
  }
  throw new Error(`${label}: expected a float output, got ${tensor.type}`);
}

/** An onnxruntime tensor type name as a `FeedType` (undefined for other types). */
export function feedTypeOfOrt(type: string): FeedType | undefined {
  return type === 'float32' || type === 'float16' || type === 'int32' || type === 'int64' ? type : undefined;
}
