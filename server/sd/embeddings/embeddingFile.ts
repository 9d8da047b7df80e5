/**
 * Textual-inversion embedding files in the layouts people share: diffusers safetensors
 * (`{"<token>": f32[n, dim]}`), the `emb_params` safetensors layout (A1111/kohya; the token is the file
 * name), A1111 `.pt` (`string_to_param: {'*': tensor}`) and diffusers `.bin` (`{"<token>": tensor}`), the
 * last two being torch zip-pickles read without executing pickle code. 1-D tensors are one vector.
 */
import fs from 'node:fs';
import path from 'node:path';
import { SafetensorsFile } from '../weights/safetensorsFile';
import { parseSafetensorsHeader, readHeaderLength } from '../weights/safetensorsHeader';
import { bytesToFloat32 } from '../weights/tensorDtypes';
import { PickleDict, TensorRef, type PickleValue } from './restrictedUnpickler';
import { isZip, openTorchArchive } from './torchArchive';

export type EmbeddingFormat =
  'diffusers-safetensors' | 'emb_params-safetensors' | 'a1111-pt' | 'diffusers-bin';

/** One learned token: `numVectors` rows of `dim` floats, row-major. */
export interface TextualInversionEmbedding {
  readonly token: string;
  readonly numVectors: number;
  readonly dim: number;
  readonly vectors: Float32Array;
}

/** The contents of an embedding file. */
export interface EmbeddingFile {
  readonly format: EmbeddingFormat;
  readonly embeddings: TextualInversionEmbedding[];
  /** safetensors metadata, or the A1111 file's scalar fields (name, step, sd_checkpoint…) as strings. */
  readonly metadata: Record<string, string>;
}

/** The name a file-named token takes (`my-style.pt` → `my-style`). */
export function tokenFromFileName(fileName: string): string {
  return path.basename(fileName).replace(/\.(safetensors|pt|bin|ckpt)$/i, '');
}

function embedding(
  token: string,
  shape: readonly number[],
  data: Float32Array,
  source: string,
): TextualInversionEmbedding {
  if (shape.length === 1) return { token, numVectors: 1, dim: shape[0]!, vectors: data };
  if (shape.length === 2) return { token, numVectors: shape[0]!, dim: shape[1]!, vectors: data };
  throw new Error(
    `${source}: embedding "${token}" has shape [${shape.join(', ')}]; expected [dim] or [num_vectors, dim]`,
  );
}

/** The parts of a safetensors reader this module uses (a file or an in-memory copy). */
interface TensorTable {
  names(): string[];
  shape(name: string): readonly number[];
  readFloat32(name: string): Float32Array;
  readonly metadata: Readonly<Record<string, string>>;
}

function tableFromBytes(bytes: Uint8Array, source: string): TensorTable {
  const length = readHeaderLength(bytes.subarray(0, 8), bytes.byteLength, source);
  const { tensors, metadata } = parseSafetensorsHeader(
    bytes.subarray(8, 8 + length),
    bytes.byteLength,
    source,
  );
  const info = (name: string) => tensors.get(name)!;
  return {
    names: () => [...tensors.keys()],
    shape: (name) => info(name).shape,
    readFloat32: (name) => bytesToFloat32(info(name).dtype, bytes.slice(info(name).begin, info(name).end)),
    metadata,
  };
}

function fromSafetensors(st: TensorTable, source: string): EmbeddingFile {
  const names = st.names();
  if (names.includes('clip_l') || names.includes('clip_g')) {
    throw new Error(
      `${source}: an SDXL embedding (clip_l/clip_g); SD 1.x/2.x models take a single-encoder embedding`,
    );
  }
  if (names.length === 0) throw new Error(`${source}: holds no tensors`);
  const metadata = { ...st.metadata };
  if (names.includes('emb_params')) {
    const token = tokenFromFileName(source);
    return {
      format: 'emb_params-safetensors',
      embeddings: [embedding(token, st.shape('emb_params'), st.readFloat32('emb_params'), source)],
      metadata,
    };
  }
  const embeddings = names.map((name) => embedding(name, st.shape(name), st.readFloat32(name), source));
  return { format: 'diffusers-safetensors', embeddings, metadata };
}

function scalarMetadata(dict: PickleDict): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of dict.entries) {
    if (
      typeof k === 'string' &&
      (typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean')
    )
      out[k] = String(v);
  }
  return out;
}

function fromTorch(bytes: Uint8Array, source: string): EmbeddingFile {
  const archive = openTorchArchive(bytes, source);
  const root: PickleValue = archive.root;
  if (!(root instanceof PickleDict))
    throw new Error(`${source}: the archive holds no dict; not an embedding file`);
  const load = (token: string, value: PickleValue | undefined) => {
    if (!(value instanceof TensorRef)) throw new Error(`${source}: entry "${token}" is not a tensor`);
    const t = archive.tensor(value);
    return embedding(token, t.shape, t.data, source);
  };
  const params = root.get('string_to_param');
  if (params !== undefined) {
    if (!(params instanceof PickleDict) || params.entries.length === 0)
      throw new Error(`${source}: string_to_param is not a dict of tensors`);
    const value = params.get('*') ?? params.entries[0]![1];
    return {
      format: 'a1111-pt',
      embeddings: [load(tokenFromFileName(source), value)],
      metadata: scalarMetadata(root),
    };
  }
  const keys = root.keys();
  if (keys.length === 0 || keys.length !== root.entries.length)
    throw new Error(`${source}: expected {"<token>": tensor} or an A1111 string_to_param dict`);
  return { format: 'diffusers-bin', embeddings: keys.map((k) => load(k, root.get(k))), metadata: {} };
}

/** Reads an embedding file from bytes (e.g. an upload); `fileName` names it and supplies file-named tokens. */
export function parseEmbeddingBytes(bytes: Uint8Array, fileName: string): EmbeddingFile {
  if (isZip(bytes) || bytes[0] === 0x80) return fromTorch(bytes, fileName);
  if (bytes.byteLength >= 9 && bytes[8] === 0x7b)
    return fromSafetensors(tableFromBytes(bytes, fileName), fileName);
  throw new Error(
    `${fileName}: not an embedding file (expected safetensors, or a torch .pt/.bin zip archive)`,
  );
}

/** Reads an embedding file from disk. */
export function readEmbeddingFile(file: string): EmbeddingFile {
  const fd = fs.openSync(file, 'r');
  const head = new Uint8Array(9);
  try {
    fs.readSync(fd, head, 0, 9, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (isZip(head) || head[0] === 0x80) return fromTorch(fs.readFileSync(file), file);
  if (head[8] === 0x7b) {
    const st = SafetensorsFile.open(file);
    try {
      return fromSafetensors(st, file);
    } finally {
      st.close();
    }
  }
  throw new Error(`${file}: not an embedding file (expected safetensors, or a torch .pt/.bin zip archive)`);
}

/** Throws when an embedding's width does not match the text encoder it is loaded into. */
export function checkEmbeddingWidth(e: TextualInversionEmbedding, width: number, model: string): void {
  if (e.dim === width) return;
  const family = (w: number) => (w === 768 ? ' (SD 1.x)' : w === 1024 ? ' (SD 2.x)' : '');
  throw new Error(
    `embedding "${e.token}" has ${e.dim}-wide vectors${family(e.dim)} but ${model}'s text encoder is ${width} wide${family(width)}; use an embedding trained for this model family`,
  );
}
