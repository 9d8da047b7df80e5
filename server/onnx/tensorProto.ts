/**
 * Reading and writing tensor payloads of ONNX `TensorProto`s: inline raw data, the typed repeated fields
 * torch.onnx sometimes emits, and external data files (read lazily, only when a value is asked for).
 */
import fs from 'node:fs';
import path from 'node:path';
import { onnx, int64ToNumber, type ITensorProto, type TensorProto } from './proto';
import {
  bytesOf,
  elementTypeOf,
  onnxTypeCode,
  typedArrayFromBytes,
  type AnyTypedArray,
  type ElementType,
} from './dataTypes';

/** A tensor value with its element type and dims, independent of protobuf. */
export interface TensorValue {
  readonly type: ElementType;
  readonly dims: readonly number[];
  readonly data: AnyTypedArray;
}

/** Where a tensor's external data lives, from its `external_data` key/value entries. */
export interface ExternalDataRef {
  readonly location: string;
  readonly offset: number;
  readonly length: number | undefined;
}

export function dimsOf(tensor: ITensorProto): number[] {
  return (tensor.dims ?? []).map(int64ToNumber);
}

export function elementCount(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

export function isExternal(tensor: ITensorProto): boolean {
  return tensor.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL;
}

export function externalDataRef(tensor: ITensorProto): ExternalDataRef {
  const entries = new Map((tensor.externalData ?? []).map((e) => [e.key ?? '', e.value ?? '']));
  const location = entries.get('location');
  if (!location) throw new Error(`tensor "${tensor.name}" is marked external but has no location entry`);
  const length = entries.get('length');
  return {
    location,
    offset: Number(entries.get('offset') ?? 0),
    length: length === undefined ? undefined : Number(length),
  };
}

/** Resolves an external data location inside `baseDir`, refusing paths that escape it. */
export function resolveExternalPath(baseDir: string, location: string): string {
  const resolved = path.resolve(baseDir, location);
  const rel = path.relative(baseDir, resolved);
  if (rel.startsWith('..') || path.isAbsolute(rel)) {
    throw new Error(`external data location "${location}" points outside the model folder ${baseDir}`);
  }
  return resolved;
}

/** The raw little-endian bytes of a tensor, reading external data from `baseDir` when needed. */
export function tensorBytes(tensor: ITensorProto, baseDir?: string): Uint8Array {
  const type = elementTypeOf(tensor.dataType ?? 0);
  if (isExternal(tensor)) {
    if (!baseDir) throw new Error(`tensor "${tensor.name}" has external data but no model folder was given`);
    const ref = externalDataRef(tensor);
    const file = resolveExternalPath(baseDir, ref.location);
    const fd = fs.openSync(file, 'r');
    try {
      const length = ref.length ?? fs.fstatSync(fd).size - ref.offset;
      const out = new Uint8Array(length);
      const read = fs.readSync(fd, out, 0, length, ref.offset);
      if (read !== length) {
        throw new Error(
          `external data of "${tensor.name}" in ${file}: wanted ${length} bytes at ${ref.offset}, got ${read}`,
        );
      }
      return out;
    } finally {
      fs.closeSync(fd);
    }
  }
  if (tensor.rawData && tensor.rawData.length > 0) return tensor.rawData;
  const n = elementCount(dimsOf(tensor));
  if (n === 0) return new Uint8Array(0);
  switch (type) {
    case 'float32':
      return bytesOf(Float32Array.from(tensor.floatData ?? []));
    case 'float64':
      return bytesOf(Float64Array.from(tensor.doubleData ?? []));
    case 'int64':
      return bytesOf(BigInt64Array.from((tensor.int64Data ?? []).map((v) => BigInt(int64ToNumber(v)))));
    case 'int32':
      return bytesOf(Int32Array.from(tensor.int32Data ?? []));
    case 'int8':
      return bytesOf(Int8Array.from(tensor.int32Data ?? []));
    case 'float16':
      return bytesOf(Uint16Array.from(tensor.int32Data ?? []));
    case 'uint8':
    case 'bool':
      return Uint8Array.from(tensor.int32Data ?? []);
  }
}

/** Decodes a `TensorProto` into a typed value (external data is read from `baseDir`). */
export function readTensor(tensor: ITensorProto, baseDir?: string): TensorValue {
  const type = elementTypeOf(tensor.dataType ?? 0);
  const dims = dimsOf(tensor);
  const data = typedArrayFromBytes(type, tensorBytes(tensor, baseDir));
  if (data.length !== elementCount(dims)) {
    throw new Error(`tensor "${tensor.name}" has ${data.length} values but dims [${dims.join(', ')}]`);
  }
  return { type, dims, data };
}

/** Builds a `TensorProto` holding `value` inline as raw data. */
export function makeTensorProto(name: string, value: TensorValue): TensorProto {
  const expected = elementCount(value.dims);
  if (value.data.length !== expected) {
    throw new Error(
      `tensor "${name}": ${value.data.length} values do not fill dims [${value.dims.join(', ')}]`,
    );
  }
  return onnx.TensorProto.create({
    name,
    dataType: onnxTypeCode(value.type),
    dims: [...value.dims],
    rawData: bytesOf(value.data),
  });
}
