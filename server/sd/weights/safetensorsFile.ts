/**
 * Lazy safetensors reader: opening reads only the header; each tensor is read on demand with a positioned
 * read from a held file descriptor, into its own buffer. A 4 GB checkpoint is never loaded whole, and every
 * byte is read at most once per `read*` call.
 */
import fs from 'node:fs';
import {
  elementCount,
  parseSafetensorsHeader,
  readHeaderLength,
  type SafetensorsHeader,
  type SafetensorsTensorInfo,
} from './safetensorsHeader';
import { bytesToFloat32, dtypeBytes, type SafetensorsDtype } from './tensorDtypes';

/** positioned reads are split so no single read exceeds Node's 2 GiB limit */
const MAX_READ = 1 << 30;

/** An open safetensors file. Call `close()` when done (reads after close reopen the file). */
export class SafetensorsFile {
  private fd: number | undefined;

  private constructor(
    readonly path: string,
    readonly fileSize: number,
    private readonly header: SafetensorsHeader,
    fd: number,
  ) {
    this.fd = fd;
  }

  /** Opens `file` and validates its header against the file size; throws a message naming the problem. */
  static open(file: string): SafetensorsFile {
    const fd = fs.openSync(file, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      const prefix = new Uint8Array(8);
      const got = size >= 8 ? fs.readSync(fd, prefix, 0, 8, 0) : 0;
      const length = readHeaderLength(prefix.subarray(0, got), size, file);
      const json = new Uint8Array(length);
      readFully(fd, json, 8, file);
      const header = parseSafetensorsHeader(json, size, file);
      return new SafetensorsFile(file, size, header, fd);
    } catch (error) {
      fs.closeSync(fd);
      throw error;
    }
  }

  /** Tensor names in header order. */
  names(): string[] {
    return [...this.header.tensors.keys()];
  }

  has(name: string): boolean {
    return this.header.tensors.has(name);
  }

  /** The `__metadata__` map (empty when the file has none). */
  get metadata(): Readonly<Record<string, string>> {
    return this.header.metadata;
  }

  /** Header entry of `name`; throws naming the file when absent. */
  info(name: string): SafetensorsTensorInfo {
    const info = this.header.tensors.get(name);
    if (!info) throw new Error(`${this.path}: no tensor named "${name}"`);
    return info;
  }

  shape(name: string): readonly number[] {
    return this.info(name).shape;
  }

  dtype(name: string): SafetensorsDtype {
    return this.info(name).dtype;
  }

  /** Raw little-endian bytes of elements [start, start + count) of `name` (default: all), in a fresh buffer. */
  readBytes(name: string, start = 0, count?: number): Uint8Array {
    const info = this.info(name);
    const total = elementCount(info.shape);
    const n = count ?? total - start;
    if (start < 0 || n < 0 || start + n > total) {
      throw new Error(
        `${this.path}: element range ${start}..${start + n} is outside tensor "${name}" (${total} elements)`,
      );
    }
    const size = dtypeBytes(info.dtype);
    const out = new Uint8Array(n * size);
    readFully(this.descriptor(), out, info.begin + start * size, this.path);
    return out;
  }

  /** Elements [start, start + count) of `name` as float32 (float16/bfloat16/ints widened). */
  readFloat32(name: string, start = 0, count?: number): Float32Array {
    return bytesToFloat32(this.info(name).dtype, this.readBytes(name, start, count));
  }

  /** Releases the file descriptor. */
  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }

  private descriptor(): number {
    this.fd ??= fs.openSync(this.path, 'r');
    return this.fd;
  }
}

/** Fills `target` from `position`, failing clearly if the file ends early (it shrank after opening). */
function readFully(fd: number, target: Uint8Array, position: number, source: string): void {
  let done = 0;
  while (done < target.byteLength) {
    const length = Math.min(MAX_READ, target.byteLength - done);
    const got = fs.readSync(fd, target, done, length, position + done);
    if (got === 0) {
      throw new Error(
        `${source}: file ended after ${position + done} bytes while reading ${target.byteLength} bytes at offset ${position}; the file is truncated or was changed while open`,
      );
    }
    done += got;
  }
}
