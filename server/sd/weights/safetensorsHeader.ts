/**
 * The safetensors header: an 8-byte little-endian length, then that many bytes of JSON mapping tensor names
 * to `{dtype, shape, data_offsets}` (offsets relative to the data section after the header) plus an optional
 * `__metadata__` string map. Parsed with zod and checked against the file size before any tensor is read, so
 * a truncated download or a corrupt header fails here with the tensor and byte counts named.
 */
import { z } from 'zod';
import { SAFETENSORS_DTYPES, dtypeBytes, type SafetensorsDtype } from './tensorDtypes';

/** Headers above this size are refused as corrupt (real checkpoints have headers of a few hundred KiB). */
export const MAX_HEADER_BYTES = 100 * 1024 * 1024;

const tensorEntrySchema = z.object({
  dtype: z.enum(SAFETENSORS_DTYPES),
  shape: z.array(z.number().int().nonnegative()),
  data_offsets: z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()]),
});

const metadataSchema = z.record(z.string(), z.string());

/** One tensor of a safetensors file, with absolute byte offsets into the file. */
export interface SafetensorsTensorInfo {
  readonly name: string;
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  /** Absolute file offset of the first byte. */
  readonly begin: number;
  /** Absolute file offset one past the last byte. */
  readonly end: number;
}

/** A validated header. */
export interface SafetensorsHeader {
  /** Tensors in header order. */
  readonly tensors: ReadonlyMap<string, SafetensorsTensorInfo>;
  readonly metadata: Readonly<Record<string, string>>;
  /** Absolute offset of the data section (8 + header length). */
  readonly dataStart: number;
}

/** Number of elements of a shape ([] is a scalar: 1). */
export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Reads the header length from the first 8 bytes; `source` names the file in errors. */
export function readHeaderLength(prefix: Uint8Array, fileSize: number, source: string): number {
  if (fileSize < 8 || prefix.byteLength < 8) {
    throw new Error(
      `${source}: file has ${fileSize} bytes, too short for a safetensors header (needs at least 8); the file is truncated or not a safetensors file`,
    );
  }
  const length = new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true);
  if (length > BigInt(MAX_HEADER_BYTES)) {
    throw new Error(
      `${source}: header length ${length} exceeds the ${MAX_HEADER_BYTES}-byte limit; the file is corrupt or not a safetensors file`,
    );
  }
  const n = Number(length);
  if (8 + n > fileSize) {
    throw new Error(
      `${source}: header claims ${n} bytes but the file holds only ${fileSize - 8} after the length prefix; the file is truncated — download or save it again`,
    );
  }
  return n;
}

/**
 * Parses and validates header JSON bytes. Every tensor's byte range must match its dtype × shape and lie
 * inside the file; ranges may not overlap.
 */
export function parseSafetensorsHeader(
  json: Uint8Array,
  fileSize: number,
  source: string,
): SafetensorsHeader {
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(json));
  } catch (error) {
    throw new Error(
      `${source}: safetensors header is not valid UTF-8 JSON (${String(error)}); the file is corrupt`,
    );
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new Error(`${source}: safetensors header must be a JSON object`);
  }
  const dataStart = 8 + json.byteLength;
  const dataBytes = fileSize - dataStart;
  const tensors = new Map<string, SafetensorsTensorInfo>();
  let metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (name === '__metadata__') {
      const parsed = metadataSchema.safeParse(value);
      if (!parsed.success) throw new Error(`${source}: __metadata__ must map strings to strings`);
      metadata = parsed.data;
      continue;
    }
    const parsed = tensorEntrySchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(
        `${source}: tensor "${name}" has an invalid header entry (${issue?.path.join('.') || 'entry'}: ${issue?.message}); expected {dtype, shape, data_offsets}`,
      );
    }
    const {
      dtype,
      shape,
      data_offsets: [begin, end],
    } = parsed.data;
    const expected = elementCount(shape) * dtypeBytes(dtype);
    if (end < begin || end - begin !== expected) {
      throw new Error(
        `${source}: tensor "${name}" (${dtype} [${shape.join(', ')}]) needs ${expected} bytes but its data_offsets [${begin}, ${end}] span ${end - begin}; the header is corrupt`,
      );
    }
    if (end > dataBytes) {
      throw new Error(
        `${source}: tensor "${name}" claims bytes ${begin}..${end} of the data section, but the file holds only ${Math.max(0, dataBytes)} data bytes (file size ${fileSize}); the file is truncated or its header is corrupt — download or save it again`,
      );
    }
    tensors.set(name, { name, dtype, shape, begin: dataStart + begin, end: dataStart + end });
  }
  checkNoOverlap(tensors, source);
  return { tensors, metadata, dataStart };
}

function checkNoOverlap(tensors: ReadonlyMap<string, SafetensorsTensorInfo>, source: string): void {
  const sorted = [...tensors.values()].filter((t) => t.end > t.begin).sort((a, b) => a.begin - b.begin);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1]!;
    const cur = sorted[i]!;
    if (cur.begin < prev.end) {
      throw new Error(
        `${source}: tensors "${prev.name}" and "${cur.name}" overlap in the data section; the header is corrupt`,
      );
    }
  }
}
