/**
 * Turns named checkpoint weights into graph initializers while a graph is being built. Every weight is
 * checked against the shape the config implies; problems are collected (a zero placeholder keeps the build
 * going) and reported together by `finish()`, so one error lists every missing or mis-shaped key.
 */
import type { GraphBuilder } from '../../onnx/graphBuilder';
import type { WeightSource } from '../weights/weightSource';

/**
 * What the builders need from a checkpoint: float32 values by diffusers/transformers key name (float16
 * sources convert on `read`). Every `WeightSource` of server/sd/weights is one.
 */
export type WeightReader = Pick<WeightSource, 'has' | 'shape' | 'read'> & {
  /**
   * Bind every weight under its own key in the checkpoint's layout and emit transposes, reshapes and slices
   * as graph ops, so the initializers are exactly the checkpoint tensors: what weight training needs to turn
   * them into inputs and differentiate with respect to them.
   */
  readonly trainable?: boolean;
};

/** A transform of a raw weight tensor expressed as graph ops (the trainable form of `derived`). */
export type GraphTransform = (g: GraphBuilder, raw: string) => string;

/** Binds weights of one model (keys relative to `keyPrefix`) into a graph under construction. */
export class WeightBinder {
  private readonly problems: string[] = [];
  private readonly bound = new Map<string, string>();
  private readonly readKeys = new Set<string>();
  private readonly rawBound = new Map<string, string>();

  constructor(
    readonly g: GraphBuilder,
    private readonly weights: WeightReader,
    /** Names the model in error messages, e.g. "unet". */
    readonly label: string,
  ) {}

  /** Reads `key` as float32, checking its shape; a problem is recorded (and zeros returned) when it fails. */
  read(key: string, shape: readonly number[]): Float32Array {
    const expected = shape.reduce((a, b) => a * b, 1);
    this.readKeys.add(key);
    if (!this.weights.has(key)) {
      this.problems.push(`missing "${key}" (expected [${shape.join(', ')}])`);
      return new Float32Array(expected);
    }
    const actual = this.weights.shape(key);
    const squeezed = (s: readonly number[]) => s.filter((d) => d !== 1).join(',');
    // 1x1 convs stored as [C, C] (or the reverse) hold the same values in the same order
    if (actual.join(',') !== shape.join(',') && squeezed(actual) !== squeezed(shape)) {
      this.problems.push(`"${key}" has shape [${actual.join(', ')}], expected [${shape.join(', ')}]`);
      return new Float32Array(expected);
    }
    const data = this.weights.read(key);
    if (data.length !== expected) {
      this.problems.push(`"${key}" holds ${data.length} values, expected ${expected}`);
      return new Float32Array(expected);
    }
    return data;
  }

  /** The weight `key` as an initializer of the given shape (added once, named after the key). */
  tensor(key: string, shape: readonly number[]): string {
    return this.derived(
      key,
      shape,
      (data) => data,
      shape,
      '',
      (_, raw) => raw,
    );
  }

  /** A torch Linear weight [out, in] as the [in, out] right operand of MatMul. */
  linearWeight(key: string, inFeatures: number, outFeatures: number): string {
    return this.derived(
      key,
      [outFeatures, inFeatures],
      (data) => transpose2d(data, outFeatures, inFeatures),
      [inFeatures, outFeatures],
      '.T',
      (g, raw) => g.op('Transpose', [raw], { perm: [1, 0] }),
    );
  }

  /** A per-channel vector reshaped for broadcasting over NCHW ([C] → [C, 1, 1]). */
  channelVector(key: string, channels: number): string {
    return this.derived(
      key,
      [channels],
      (data) => data,
      [channels, 1, 1],
      '.c11',
      (g, raw) => g.op('Reshape', [raw, g.ints([channels, 1, 1])]),
    );
  }

  /**
   * An initializer computed from weight `key` (e.g. transposed), named `key + suffix`. With trainable
   * weights the raw tensor is bound under `key` and `inGraph` computes the same value in the graph.
   */
  derived(
    key: string,
    shape: readonly number[],
    transform: (data: Float32Array) => Float32Array,
    dims: readonly number[],
    suffix = '',
    inGraph?: GraphTransform,
  ): string {
    const name = key + suffix;
    const existing = this.bound.get(name);
    if (existing) return existing;
    let tensor: string;
    if (this.weights.trainable) {
      if (!inGraph)
        throw new Error(
          `${this.label}: weight "${name}" has no graph form of its transform, so it cannot be trained; pass inGraph to derived()`,
        );
      tensor = inGraph(this.g, this.raw(key, shape));
    } else {
      const data = transform(this.read(key, shape));
      tensor = this.g.initializer(name, { type: 'float32', dims, data });
    }
    this.bound.set(name, tensor);
    return tensor;
  }

  /** The weight `key` as stored in the checkpoint, bound once under its own name. */
  private raw(key: string, shape: readonly number[]): string {
    const existing = this.rawBound.get(key);
    if (existing) return existing;
    const tensor = this.g.initializer(key, { type: 'float32', dims: shape, data: this.read(key, shape) });
    this.rawBound.set(key, tensor);
    return tensor;
  }

  /**
   * Ends the build: throws one error naming every missing or mis-shaped weight seen, else returns the
   * sorted keys that were read (callers compare them with the checkpoint's keys to spot unused weights).
   */
  finish(): readonly string[] {
    if (this.problems.length === 0) return [...this.readKeys].sort();
    const shown = this.problems.slice(0, 40);
    const more =
      this.problems.length > shown.length ? `\n  … and ${this.problems.length - shown.length} more` : '';
    throw new Error(
      `${this.label}: ${this.problems.length} weight problem(s); the checkpoint does not match the model config:\n  ` +
        shown.join('\n  ') +
        more,
    );
  }
}

/** Row-major [rows, cols] → [cols, rows]. */
function transpose2d(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let c = 0; c < cols; c++) out[c * rows + r] = data[base + c]!;
  }
  return out;
}
