/**
 * `torch.save` zip archives (`<name>/data.pkl` + `<name>/data/<key>` storages), read without executing
 * pickle code: the restricted unpickler yields tensor references, whose bytes are then read from the
 * storage entries and widened to float32.
 */
import { unzipSync } from 'fflate';
import { bytesToFloat32, dtypeBytes, type SafetensorsDtype } from '../weights/tensorDtypes';
import {
  PickleDict,
  PickleTuple,
  StorageRef,
  TensorRef,
  unpickle,
  type PickleValue,
} from './restrictedUnpickler';

const STORAGE_DTYPES: Record<string, SafetensorsDtype> = {
  'torch.FloatStorage': 'F32',
  'torch.HalfStorage': 'F16',
  'torch.BFloat16Storage': 'BF16',
  'torch.DoubleStorage': 'F64',
  'torch.LongStorage': 'I64',
  'torch.IntStorage': 'I32',
  'torch.ShortStorage': 'I16',
  'torch.CharStorage': 'I8',
  'torch.ByteStorage': 'U8',
  'torch.BoolStorage': 'BOOL',
};

/** A tensor read from an archive. */
export interface ArchiveTensor {
  readonly shape: number[];
  readonly dtype: SafetensorsDtype;
  readonly data: Float32Array;
}

/** An opened archive: the unpickled object and a way to materialise its tensors. */
export interface TorchArchive {
  readonly root: PickleValue;
  tensor(ref: TensorRef): ArchiveTensor;
}

/** True when `bytes` start like a zip file (`PK\x03\x04`). */
export function isZip(bytes: Uint8Array): boolean {
  return bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

/** Opens a torch zip archive held in memory; `source` names it in errors. */
export function openTorchArchive(bytes: Uint8Array, source: string): TorchArchive {
  if (!isZip(bytes)) {
    throw new Error(
      bytes[0] === 0x80
        ? `${source}: legacy (pre-1.6) torch file format is not supported; load and save it again with a current torch, or convert it to .safetensors`
        : `${source}: not a torch zip archive`,
    );
  }
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes);
  } catch (error) {
    throw new Error(`${source}: corrupt zip archive (${(error as Error).message})`);
  }
  const pickles = Object.keys(entries).filter((n) => n === 'data.pkl' || n.endsWith('/data.pkl'));
  if (pickles.length !== 1)
    throw new Error(`${source}: expected one data.pkl in the archive, found ${pickles.length}`);
  const prefix = pickles[0]!.slice(0, -'data.pkl'.length);
  const order = entries[`${prefix}byteorder`];
  if (order && new TextDecoder().decode(order).trim() !== 'little') {
    throw new Error(`${source}: big-endian torch archives are not supported`);
  }
  const root = unpickle(entries[pickles[0]!]!, source);
  return {
    root,
    tensor(ref: TensorRef): ArchiveTensor {
      const dtype = STORAGE_DTYPES[ref.storage.storageType];
      if (!dtype) throw new Error(`${source}: unsupported storage type ${ref.storage.storageType}`);
      const raw = entries[`${prefix}data/${ref.storage.key}`];
      if (!raw) throw new Error(`${source}: storage "${ref.storage.key}" is missing from the archive`);
      const size = dtypeBytes(dtype);
      if (raw.byteLength < ref.storage.numel * size) {
        throw new Error(
          `${source}: storage "${ref.storage.key}" holds ${raw.byteLength} bytes, fewer than its ${ref.storage.numel} ${dtype} elements`,
        );
      }
      const all = bytesToFloat32(dtype, raw.subarray(0, ref.storage.numel * size));
      return { shape: ref.shape, dtype, data: gather(all, ref, source) };
    },
  };
}

/** The tensor's elements in row-major order, following its offset and strides. */
function gather(storage: Float32Array, ref: TensorRef, source: string): Float32Array {
  const { shape, stride, offset } = ref;
  const count = shape.reduce((a, b) => a * b, 1);
  if (count === 0) return new Float32Array(0);
  let last = offset;
  shape.forEach((d, i) => (last += (d - 1) * stride[i]!));
  if (stride.length !== shape.length || offset < 0 || last >= storage.length) {
    throw new Error(
      `${source}: tensor view [${shape.join(', ')}] at offset ${offset} lies outside its storage of ${storage.length} elements`,
    );
  }
  const out = new Float32Array(count);
  const index = new Array<number>(shape.length).fill(0);
  for (let n = 0; n < count; n++) {
    let at = offset;
    for (let i = 0; i < shape.length; i++) at += index[i]! * stride[i]!;
    out[n] = storage[at]!;
    for (let i = shape.length - 1; i >= 0; i--) {
      if (++index[i]! < shape[i]!) break;
      index[i] = 0;
    }
  }
  return out;
}

/** Helpers to walk an unpickled object. */
export const pickle = {
  isDict: (v: PickleValue | undefined): v is PickleDict => v instanceof PickleDict,
  isTensor: (v: PickleValue | undefined): v is TensorRef => v instanceof TensorRef,
  isTuple: (v: PickleValue | undefined): v is PickleTuple => v instanceof PickleTuple,
  isStorage: (v: PickleValue | undefined): v is StorageRef => v instanceof StorageRef,
};
