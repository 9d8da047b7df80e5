/** Constant tensors as shape inference and gradient rules read them: Constant nodes and plain number lists. */
import { int64ToNumber, type NodeProto } from '../proto';
import { readTensor, type TensorValue } from '../tensorProto';
import { attr } from '../attributes';

/** The numbers of a tensor value (int64 as JS numbers; float16 stays as raw bits and is not used here). */
export function toNumbers(v: TensorValue): number[] {
  const out: number[] = [];
  const data = v.data as ArrayLike<number | bigint>;
  for (let i = 0; i < data.length; i++) out.push(Number(data[i]));
  return out;
}

/** The tensor a Constant node holds, for the attribute forms torch and our builders emit. */
export function constantNodeValue(node: NodeProto): TensorValue | undefined {
  const a = node.attribute ?? [];
  const t = attr(a, 'value');
  if (t?.t) return readTensor(t.t);
  const f = attr(a, 'value_float');
  if (f) return { type: 'float32', dims: [], data: Float32Array.from([f.f ?? 0]) };
  const fs = attr(a, 'value_floats');
  if (fs)
    return { type: 'float32', dims: [fs.floats?.length ?? 0], data: Float32Array.from(fs.floats ?? []) };
  const i = attr(a, 'value_int');
  if (i) return { type: 'int64', dims: [], data: BigInt64Array.from([BigInt(int64ToNumber(i.i))]) };
  const is = attr(a, 'value_ints');
  if (is) {
    const values = (is.ints ?? []).map((v) => BigInt(int64ToNumber(v)));
    return { type: 'int64', dims: [values.length], data: BigInt64Array.from(values) };
  }
  return undefined;
}
