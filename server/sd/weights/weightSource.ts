/**
 * `WeightSource`: one model's weights under diffusers/transformers key names, read lazily as float32. Every
 * loader (diffusers folder, single-file ldm checkpoint, in-memory tiny model) produces this shape, so the
 * graph builders never see where the bytes live or which layout they came from.
 */
import { elementCount } from './safetensorsHeader';
import type { SafetensorsFile } from './safetensorsFile';
import type { SafetensorsDtype } from './tensorDtypes';

/** Lazy, read-only weights of one model in diffusers key layout. */
export interface WeightSource {
  /** Names the model and its origin in messages, e.g. `unet (models/checkpoints/x.safetensors)`. */
  readonly label: string;
  /** Every weight name, sorted. */
  names(): readonly string[];
  has(name: string): boolean;
  /** Shape in the diffusers layout (e.g. VAE attention [C, C] even when stored as [C, C, 1, 1]). */
  shape(name: string): readonly number[];
  /** Stored element type (F16 for a half-precision checkpoint); `read` always returns float32. */
  dtype(name: string): SafetensorsDtype;
  /** The values as float32 in row-major order; reads the file on every call (callers cache). */
  read(name: string): Float32Array;
}

/** A source that can also hand out float16 bit patterns directly (written as F16 without a conversion). */
export interface Float16WeightSource extends WeightSource {
  /** `read(name)`'s values rounded to float16 bit patterns. */
  readFloat16(name: string): Uint16Array;
}

/** Whether `source` hands out float16 bit patterns. */
export function hasFloat16(source: WeightSource): source is Float16WeightSource {
  return typeof (source as Partial<Float16WeightSource>).readFloat16 === 'function';
}

/** A weight backed by the contiguous element range [start, start + size(shape)) of one stored tensor. */
export interface TensorRef {
  readonly file: SafetensorsFile;
  readonly key: string;
  readonly shape: readonly number[];
  /** First element within the stored tensor (row slices of fused q/k/v); default 0. */
  readonly start?: number;
}

/** Throws the standard "no such weight" error. */
export function missingWeight(label: string, name: string): never {
  throw new Error(`${label}: no weight named "${name}"`);
}

/** A `WeightSource` over tensors of one or more open safetensors files. */
export class FileWeightSource implements WeightSource {
  private readonly sorted: readonly string[];

  constructor(
    readonly label: string,
    private readonly refs: ReadonlyMap<string, TensorRef>,
  ) {
    this.sorted = [...refs.keys()].sort();
  }

  names(): readonly string[] {
    return this.sorted;
  }

  has(name: string): boolean {
    return this.refs.has(name);
  }

  /** Where `name` is stored (file and key), for diagnostics and key-map tests. */
  ref(name: string): TensorRef {
    return this.refs.get(name) ?? missingWeight(this.label, name);
  }

  shape(name: string): readonly number[] {
    return this.ref(name).shape;
  }

  dtype(name: string): SafetensorsDtype {
    const ref = this.ref(name);
    return ref.file.dtype(ref.key);
  }

  read(name: string): Float32Array {
    const ref = this.ref(name);
    return ref.file.readFloat32(ref.key, ref.start ?? 0, elementCount(ref.shape));
  }
}

/** A tensor held in memory. */
export interface MemoryTensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** A `WeightSource` over float32 arrays in memory (generated tiny models, tests). */
export class MemoryWeightSource implements WeightSource {
  private readonly sorted: readonly string[];

  constructor(
    readonly label: string,
    private readonly tensors: ReadonlyMap<string, MemoryTensor>,
  ) {
    for (const [name, t] of tensors) {
      if (t.data.length !== elementCount(t.shape)) {
        throw new Error(`${label}: "${name}" has ${t.data.length} values for shape [${t.shape.join(', ')}]`);
      }
    }
    this.sorted = [...tensors.keys()].sort();
  }

  names(): readonly string[] {
    return this.sorted;
  }

  has(name: string): boolean {
    return this.tensors.has(name);
  }

  shape(name: string): readonly number[] {
    return (this.tensors.get(name) ?? missingWeight(this.label, name)).shape;
  }

  dtype(): SafetensorsDtype {
    return 'F32';
  }

  read(name: string): Float32Array {
    return (this.tensors.get(name) ?? missingWeight(this.label, name)).data.slice();
  }
}
