/**
 * Loading and saving `.onnx` files. External tensor data (as every >2 GB SD export has) stays on disk until
 * a value is read; saving either keeps such references (copying the bytes into the new sidecar file) or
 * inlines everything, and a model written here and read back decodes to the same message.
 */
import fs from 'node:fs';
import path from 'node:path';
import { onnx, type ITensorProto, type ModelProto, type TensorProto } from './proto';
import { isExternal, tensorBytes } from './tensorProto';
import { writeFileAtomicSync } from '../storage/atomicWrite';

/** A decoded model plus the folder its external data paths are relative to. */
export interface ModelWeights {
  readonly model: ModelProto;
  readonly baseDir: string;
}

/** Reads a model file; external data is not read (see `tensorBytes`/`readTensor` with `baseDir`). */
export function loadModel(file: string): ModelWeights {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (error) {
    throw new Error(`cannot read ONNX model ${file}: ${(error as Error).message}`);
  }
  let model: ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (error) {
    throw new Error(
      `${file} is not a valid ONNX model (${(error as Error).message}); re-export it or check the path`,
    );
  }
  if (!model.graph) throw new Error(`${file} holds no graph; is it an ONNX model?`);
  return { model, baseDir: path.dirname(path.resolve(file)) };
}

/** Every initializer, including those inside Constant-free subgraphs of the main graph. */
function initializers(model: ModelProto): TensorProto[] {
  return (model.graph?.initializer ?? []) as TensorProto[];
}

export interface SaveOptions {
  /**
   * Write tensors of at least `thresholdBytes` to a sidecar file `location` beside the model (as
   * torch.onnx does above 2 GB). Without it, external tensors of the source are inlined.
   */
  readonly externalData?: { readonly location: string; readonly thresholdBytes?: number };
  /** Folder the source model's external references are relative to (`ModelWeights.baseDir`). */
  readonly sourceDir?: string;
}

/** Encodes a model to bytes; every tensor must be inline (use `saveModel` for external data). */
export function encodeModel(model: ModelProto): Uint8Array {
  for (const t of initializers(model)) {
    if (isExternal(t)) {
      throw new Error(
        `tensor "${t.name}" refers to external data; save with saveModel(..., {externalData}) or inline it`,
      );
    }
  }
  return onnx.ModelProto.encode(model).finish();
}

/**
 * Saves `model` to `file` atomically. The input message is not modified: a shallow copy of the graph gets
 * re-pointed initializers.
 */
export function saveModel(model: ModelProto, file: string, options: SaveOptions = {}): void {
  const dir = path.dirname(path.resolve(file));
  fs.mkdirSync(dir, { recursive: true });
  const external = options.externalData;
  const sidecar = external ? path.join(dir, external.location) : undefined;
  const threshold = external?.thresholdBytes ?? 1024;
  const chunks: Uint8Array[] = [];
  let offset = 0;
  const rewritten = initializers(model).map((t) => {
    if (!external && !isExternal(t)) return t;
    const bytes = tensorBytes(t, options.sourceDir);
    if (!external || bytes.byteLength < threshold) {
      if (!isExternal(t)) return t;
      return onnx.TensorProto.create({ ...withoutPayload(t), rawData: bytes });
    }
    const entry = onnx.TensorProto.create({
      ...withoutPayload(t),
      dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
      externalData: [
        { key: 'location', value: external.location },
        { key: 'offset', value: String(offset) },
        { key: 'length', value: String(bytes.byteLength) },
      ],
    });
    chunks.push(bytes);
    offset += bytes.byteLength;
    // keep 16-byte alignment so the runtime can map tensors directly
    const pad = (16 - (offset % 16)) % 16;
    if (pad) {
      chunks.push(new Uint8Array(pad));
      offset += pad;
    }
    return entry;
  });
  const graph = onnx.GraphProto.create({ ...model.graph, initializer: rewritten });
  const out = onnx.ModelProto.create({ ...model, graph });
  if (sidecar) writeFileAtomicSync(sidecar, chunks);
  writeFileAtomicSync(file, onnx.ModelProto.encode(out).finish());
}

const PAYLOAD_FIELDS = [
  'rawData',
  'floatData',
  'int32Data',
  'int64Data',
  'doubleData',
  'uint64Data',
  'stringData',
  'dataLocation',
  'externalData',
] as const;

/** The tensor's fields minus every payload field (raw, typed and external), so exactly one can be set. */
function withoutPayload(t: TensorProto): ITensorProto {
  const rest: ITensorProto = { ...t };
  for (const field of PAYLOAD_FIELDS) delete rest[field];
  return rest;
}
