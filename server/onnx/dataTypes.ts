/**
 * ONNX element types and their JavaScript typed-array counterparts. Names follow onnxruntime-common's
 * `Tensor.Type` strings so tensors move between protobuf initializers and ORT feeds without renaming.
 */
import { onnx } from './proto';

export type ElementType = 'float32' | 'float16' | 'float64' | 'int64' | 'int32' | 'int8' | 'uint8' | 'bool';

const D = onnx.TensorProto.DataType;

const CODES: Record<ElementType, number> = {
  float32: D.FLOAT,
  float16: D.FLOAT16,
  float64: D.DOUBLE,
  int64: D.INT64,
  int32: D.INT32,
  int8: D.INT8,
  uint8: D.UINT8,
  bool: D.BOOL,
};

const BYTES: Record<ElementType, number> = {
  float32: 4,
  float16: 2,
  float64: 8,
  int64: 8,
  int32: 4,
  int8: 1,
  uint8: 1,
  bool: 1,
};

/** The ONNX `TensorProto.DataType` code of an element type. */
export function onnxTypeCode(type: ElementType): number {
  return CODES[type];
}

/** The element type of an ONNX `TensorProto.DataType` code; throws for types this toolkit does not handle. */
export function elementTypeOf(code: number): ElementType {
  for (const [name, c] of Object.entries(CODES)) if (c === code) return name as ElementType;
  throw new Error(`unsupported ONNX data type code ${code}; supported: ${Object.keys(CODES).join(', ')}`);
}

/** Size in bytes of one element. */
export function bytesPerElement(type: ElementType): number {
  return BYTES[type];
}

export type TypedArrayOf<T extends ElementType> = T extends 'float32'
  ? Float32Array
  : T extends 'float64'
    ? Float64Array
    : T extends 'int64'
      ? BigInt64Array
      : T extends 'int32'
        ? Int32Array
        : T extends 'int8'
          ? Int8Array
          : T extends 'float16'
            ? Uint16Array
            : Uint8Array;

export type AnyTypedArray =
  Float32Array | Float64Array | BigInt64Array | Int32Array | Int8Array | Uint16Array | Uint8Array;

/** A typed array viewing (or copying, when unaligned) little-endian raw tensor bytes. */
export function typedArrayFromBytes(type: ElementType, bytes: Uint8Array): AnyTypedArray {
  const size = bytesPerElement(type);
  if (bytes.byteLength % size !== 0) {
    throw new Error(`tensor of ${type} has ${bytes.byteLength} bytes, not a multiple of ${size}`);
  }
  // Buffer.slice shares memory, so copy through the Uint8Array constructor to realign
  const aligned = bytes.byteOffset % size === 0 ? bytes : new Uint8Array(bytes);
  const { buffer, byteOffset } = aligned;
  const n = bytes.byteLength / size;
  switch (type) {
    case 'float32':
      return new Float32Array(buffer, byteOffset, n);
    case 'float64':
      return new Float64Array(buffer, byteOffset, n);
    case 'int64':
      return new BigInt64Array(buffer, byteOffset, n);
    case 'int32':
      return new Int32Array(buffer, byteOffset, n);
    case 'int8':
      return new Int8Array(buffer, byteOffset, n);
    case 'float16':
      return new Uint16Array(buffer, byteOffset, n);
    case 'uint8':
    case 'bool':
      return new Uint8Array(buffer, byteOffset, n);
  }
}

/** A typed array of `type` holding `values` (float16 as its bit patterns, bool as 0/1 bytes). */
export function typedArrayOf(type: ElementType, values: readonly number[]): AnyTypedArray {
  switch (type) {
    case 'float32':
      return Float32Array.from(values);
    case 'float64':
      return Float64Array.from(values);
    case 'int64':
      return BigInt64Array.from(values.map((v) => BigInt(v)));
    case 'int32':
      return Int32Array.from(values);
    case 'int8':
      return Int8Array.from(values);
    case 'float16':
      return Uint16Array.from(values, floatToHalf);
    case 'uint8':
    case 'bool':
      return Uint8Array.from(values);
  }
}

/** The raw little-endian bytes of a typed array (a view, no copy). */
export function bytesOf(array: AnyTypedArray): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

/** float16 bits → float32 value. */
export function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** float32 value → float16 bits, rounding to nearest even (as torch's `.half()`). */
export function floatToHalf(value: number): number {
  f32[0] = value;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  let mantissa = x & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  const e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    let result = mantissa >>> shift;
    const rest = mantissa & ((1 << shift) - 1);
    if (rest > half || (rest === half && result & 1)) result += 1;
    return sign | result;
  }
  let result = (e << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && result & 1)) result += 1;
  return sign | result;
}
