/** The `__metadata__` of a safetensors file, read from its header only (ComfyUI's `/view_metadata`). */
import { open } from 'node:fs/promises';

/** Largest header read for metadata. */
const MAX_HEADER_BYTES = 16 * 1024 * 1024;

/** The string → string metadata, `{}` when there is none, or null when `file` is not a safetensors file. */
export async function readSafetensorsMetadata(file: string): Promise<Record<string, string> | null> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const prefix = Buffer.alloc(8);
    if (size < 8 || (await handle.read(prefix, 0, 8, 0)).bytesRead < 8) return null;
    const length = prefix.readBigUInt64LE(0);
    if (length > BigInt(Math.min(MAX_HEADER_BYTES, size - 8))) return null;
    const header = Buffer.alloc(Number(length));
    await handle.read(header, 0, header.length, 8);
    let parsed: unknown;
    try {
      parsed = JSON.parse(header.toString('utf8'));
    } catch {
      return null;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
    const metadata = (parsed as Record<string, unknown>).__metadata__;
    if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) return {};
    return Object.fromEntries(
      Object.entries(metadata).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
    );
  } finally {
    await handle.close();
  }
}
