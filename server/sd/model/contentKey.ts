/**
 * A cheap content fingerprint of model files, used to key the cache of built graphs. Hashing a multi-GB
 * checkpoint fully takes tens of seconds, so a file is fingerprinted by SHA-256 over:
 *   - its size in bytes,
 *   - its first `HEAD_BYTES` bytes (for safetensors this covers the 8-byte length and the JSON header with
 *     every tensor's name, dtype, shape and offsets up to that size; the header is read whole when larger,
 *     up to `MAX_HEADER_BYTES`),
 *   - `SAMPLES` chunks of `CHUNK_BYTES` at evenly spaced offsets across the file, and its last chunk.
 * About 2.5 MB are read whatever the file size. Two files that differ only outside the sampled chunks would
 * share a key; fine-tuned or merged checkpoints differ in practically every chunk, and a user who edits a
 * few bytes in place can clear `models/cache/` (or touch nothing: any size change also changes the key).
 */
import { createHash, type Hash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const HEAD_BYTES = 1 << 20;
const MAX_HEADER_BYTES = 100 << 20;
const CHUNK_BYTES = 64 << 10;
const SAMPLES = 16;
/** Bump when the fingerprint recipe changes (old cache entries are then simply not found). */
export const CONTENT_KEY_VERSION = 'ck1';

function readAt(fd: number, position: number, length: number): Buffer {
  const buffer = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const got = fs.readSync(fd, buffer, done, length - done, position + done);
    if (got === 0) break;
    done += got;
  }
  return buffer.subarray(0, done);
}

/** Adds one file's fingerprint (see the module comment) to `hash`. */
export function hashFileSampled(hash: Hash, file: string): void {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    hash.update(`size:${size};`);
    let head = Math.min(size, HEAD_BYTES);
    if (file.endsWith('.safetensors') && size >= 8) {
      const headerLength = Number(readAt(fd, 0, 8).readBigUInt64LE(0));
      if (headerLength <= MAX_HEADER_BYTES) head = Math.min(size, Math.max(head, 8 + headerLength));
    }
    hash.update(readAt(fd, 0, head));
    if (size > head) {
      const span = size - CHUNK_BYTES;
      for (let i = 0; i <= SAMPLES; i++) {
        const offset = Math.max(0, Math.floor((span * i) / SAMPLES));
        hash.update(readAt(fd, offset, Math.min(CHUNK_BYTES, size - offset)));
      }
    }
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Fingerprint of a model file or folder (every regular file under it, by relative path, sorted), plus
 * `extra` strings (e.g. the resolved configs and the builder version). Returns 64 hex characters.
 */
export function contentKey(target: string, extra: readonly string[] = []): string {
  const hash = createHash('sha256');
  hash.update(`${CONTENT_KEY_VERSION};`);
  const stat = fs.statSync(target);
  if (stat.isDirectory()) {
    const files = fs
      .readdirSync(target, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && !e.name.startsWith('.'))
      .map((e) => path.join(e.parentPath, e.name))
      .sort();
    for (const file of files) {
      hash.update(`file:${path.relative(target, file).split(path.sep).join('/')};`);
      hashFileSampled(hash, file);
    }
  } else {
    hashFileSampled(hash, target);
  }
  for (const value of extra) hash.update(`extra:${value.length}:${value};`);
  return hash.digest('hex');
}
