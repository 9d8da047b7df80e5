/**
 * safetensors writer. Tensors are streamed one by one into a temporary sibling file which is fsynced and
 * renamed over the target, so a crash never leaves a half-written checkpoint or embedding behind, and a
 * multi-GB checkpoint never has to sit in memory as one buffer.
 */
import { writeFileAtomicWith } from '../../storage/atomicWrite';
import { elementCount } from './safetensorsHeader';
import { dtypeBytes, float32ToBytes, isFloatDtype, type SafetensorsDtype } from './tensorDtypes';

/** Tensor data accepted by the writer. */
export type SafetensorsData = Float32Array | Int32Array | BigInt64Array | Uint16Array | Uint8Array;

/** One tensor to write. */
export interface SafetensorsEntry {
  readonly name: string;
  /** Stored dtype. Float32Array data is converted to it (F32, F16, BF16, F64). */
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  /**
   * float32 values (converted to `dtype`), Int32Array for I32, BigInt64Array for I64, Uint16Array bit
   * patterns for F16/BF16/U16, or raw little-endian bytes (Uint8Array) already in `dtype`. A function is
   * called when the tensor is written, so large sources can be read lazily.
   */
  readonly data: SafetensorsData | (() => SafetensorsData);
}

/** The stored bytes of one entry, checked against its dtype and shape. */
function entryBytes(entry: SafetensorsEntry): Uint8Array {
  const data = typeof entry.data === 'function' ? entry.data() : entry.data;
  const { dtype, name } = entry;
  let bytes: Uint8Array;
  if (data instanceof Float32Array) {
    if (!isFloatDtype(dtype)) throw new Error(`tensor "${name}": float32 data cannot be stored as ${dtype}`);
    bytes = float32ToBytes(dtype, data);
  } else if (data instanceof Uint8Array) {
    bytes = data;
  } else {
    const fits =
      (data instanceof Int32Array && dtype === 'I32') ||
      (data instanceof BigInt64Array && dtype === 'I64') ||
      (data instanceof Uint16Array && (dtype === 'F16' || dtype === 'BF16' || dtype === 'U16'));
    if (!fits)
      throw new Error(`tensor "${name}": ${data.constructor.name} data does not match dtype ${dtype}`);
    bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }
  const expected = elementCount(entry.shape) * dtypeBytes(dtype);
  if (bytes.byteLength !== expected) {
    throw new Error(
      `tensor "${name}": ${bytes.byteLength} bytes of data for ${dtype} [${entry.shape.join(', ')}], expected ${expected}`,
    );
  }
  return bytes;
}

/** The header bytes (length prefix + JSON padded with spaces to a multiple of 8). */
export function encodeSafetensorsHeader(
  entries: readonly SafetensorsEntry[],
  metadata?: Readonly<Record<string, string>>,
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  const seen = new Set<string>();
  for (const entry of entries) {
    if (entry.name === '__metadata__' || seen.has(entry.name)) {
      throw new Error(
        `tensor name "${entry.name}" is reserved or used twice; give every tensor a unique name`,
      );
    }
    seen.add(entry.name);
    const size = elementCount(entry.shape) * dtypeBytes(entry.dtype);
    header[entry.name] = {
      dtype: entry.dtype,
      shape: [...entry.shape],
      data_offsets: [offset, offset + size],
    };
    offset += size;
  }
  let json = JSON.stringify(header);
  const utf8Length = new TextEncoder().encode(json).byteLength;
  json += ' '.repeat((8 - (utf8Length % 8)) % 8);
  const body = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + body.byteLength);
  new DataView(out.buffer).setBigUint64(0, BigInt(body.byteLength), true);
  out.set(body, 8);
  return out;
}

/** A whole safetensors file in memory (for small files such as embeddings). */
export function encodeSafetensors(
  entries: readonly SafetensorsEntry[],
  metadata?: Readonly<Record<string, string>>,
): Uint8Array {
  const header = encodeSafetensorsHeader(entries, metadata);
  const parts = entries.map(entryBytes);
  const out = new Uint8Array(header.byteLength + parts.reduce((a, p) => a + p.byteLength, 0));
  out.set(header, 0);
  let offset = header.byteLength;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}

/** Writes a safetensors file atomically (temp sibling, fsync, rename), streaming tensor by tensor. */
export async function writeSafetensors(
  file: string,
  entries: readonly SafetensorsEntry[],
  metadata?: Readonly<Record<string, string>>,
): Promise<void> {
  const header = encodeSafetensorsHeader(entries, metadata);
  await writeFileAtomicWith(file, async (handle) => {
    let position = 0;
    const writeAll = async (bytes: Uint8Array) => {
      for (let done = 0; done < bytes.byteLength;) {
        const { bytesWritten } = await handle.write(bytes, done, bytes.byteLength - done, position);
        done += bytesWritten;
        position += bytesWritten;
      }
    };
    await writeAll(header);
    for (const entry of entries) await writeAll(entryBytes(entry));
  });
}
