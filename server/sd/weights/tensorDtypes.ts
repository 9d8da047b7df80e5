/**
 * safetensors element types and the conversions between them and float32. Checkpoints are often stored in
 * float16 or bfloat16; the graphs compute in float32, so every float type widens on read and float32 narrows
 * (round to nearest even, as torch's `.half()` does) when a writer asks for float16.
 */
import { floatToHalf, halfToFloat } from '../../onnx/dataTypes';

/** The dtype strings of the safetensors format. */
export const SAFETENSORS_DTYPES = [
  'F64',
  'F32',
  'F16',
  'BF16',
  'I64',
  'I32',
  'I16',
  'I8',
  'U64',
  'U32',
  'U16',
  'U8',
  'BOOL',
] as const;
export type SafetensorsDtype = (typeof SAFETENSORS_DTYPES)[number];

const BYTES: Record<SafetensorsDtype, number> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U64: 8,
  U32: 4,
  U16: 2,
  U8: 1,
  BOOL: 1,
};

/** Size in bytes of one element of `dtype`. */
export function dtypeBytes(dtype: SafetensorsDtype): number {
  return BYTES[dtype];
}

/** True for dtypes that `toFloat32` widens exactly or by rounding (all floats and the integer types). */
export function isFloatDtype(dtype: SafetensorsDtype): boolean {
  return dtype === 'F64' || dtype === 'F32' || dtype === 'F16' || dtype === 'BF16';
}

let halfTable: Float32Array | undefined;

/** float32 value of every float16 bit pattern (256 KiB, built on first use). */
function float16Table(): Float32Array {
  if (halfTable) return halfTable;
  const table = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) table[h] = halfToFloat(h);
  halfTable = table;
  return table;
}

/** float16 bit patterns → float32 values. */
export function float16ToFloat32(bits: Uint16Array): Float32Array {
  const table = float16Table();
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = table[bits[i]!]!;
  return out;
}

/** bfloat16 bit patterns → float32 values (bfloat16 is the top half of a float32). */
export function bfloat16ToFloat32(bits: Uint16Array): Float32Array {
  const words = new Uint32Array(bits.length);
  for (let i = 0; i < bits.length; i++) words[i] = bits[i]! << 16;
  return new Float32Array(words.buffer);
}

const scratch = new Float32Array(1);
const scratchBits = new Uint32Array(scratch.buffer);

/** float32 values → float16 bit patterns (round to nearest even). */
export function float32ToFloat16(values: ArrayLike<number>): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = floatToHalf(values[i]!);
  return out;
}

/** float32 values → bfloat16 bit patterns (round to nearest even). */
export function float32ToBfloat16(values: ArrayLike<number>): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) {
    scratch[0] = values[i]!;
    const x = scratchBits[0]!;
    if ((x & 0x7f800000) === 0x7f800000 && (x & 0x7fffff) !== 0) {
      out[i] = (x >>> 16) | 0x40;
      continue;
    }
    out[i] = (x + 0x7fff + ((x >>> 16) & 1)) >>> 16;
  }
  return out;
}

/** Little-endian raw bytes (any alignment) of `dtype` → float32 values; integers convert by value. */
export function bytesToFloat32(dtype: SafetensorsDtype, bytes: Uint8Array): Float32Array {
  const aligned = bytes.byteOffset % dtypeBytes(dtype) === 0 ? bytes : bytes.slice();
  const { buffer, byteOffset, byteLength } = aligned;
  const n = byteLength / dtypeBytes(dtype);
  switch (dtype) {
    case 'F32':
      return new Float32Array(buffer, byteOffset, n);
    case 'F16':
      return float16ToFloat32(new Uint16Array(buffer, byteOffset, n));
    case 'BF16':
      return bfloat16ToFloat32(new Uint16Array(buffer, byteOffset, n));
    case 'F64':
      return Float32Array.from(new Float64Array(buffer, byteOffset, n));
    case 'I64':
      return Float32Array.from(new BigInt64Array(buffer, byteOffset, n), Number);
    case 'U64':
      return Float32Array.from(new BigUint64Array(buffer, byteOffset, n), Number);
    case 'I32':
      return Float32Array.from(new Int32Array(buffer, byteOffset, n));
    case 'U32':
      return Float32Array.from(new Uint32Array(buffer, byteOffset, n));
    case 'I16':
      return Float32Array.from(new Int16Array(buffer, byteOffset, n));
    case 'U16':
      return Float32Array.from(new Uint16Array(buffer, byteOffset, n));
    case 'I8':
      return Float32Array.from(new Int8Array(buffer, byteOffset, n));
    case 'U8':
    case 'BOOL':
      return Float32Array.from(new Uint8Array(buffer, byteOffset, n));
  }
}

/** float32 values → little-endian bytes of a float dtype (F32, F16, BF16, F64). */
export function float32ToBytes(dtype: SafetensorsDtype, values: Float32Array): Uint8Array {
  switch (dtype) {
    case 'F32':
      return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    case 'F16':
      return new Uint8Array(float32ToFloat16(values).buffer);
    case 'BF16':
      return new Uint8Array(float32ToBfloat16(values).buffer);
    case 'F64':
      return new Uint8Array(Float64Array.from(values).buffer);
    default:
      throw new Error(`cannot store float32 values as ${dtype}; use F32, F16, BF16 or F64`);
  }
}
