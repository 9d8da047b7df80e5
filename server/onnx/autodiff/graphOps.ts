/**
 * Emission helpers shared by all gradient rules, on top of GraphBuilder: opset-aware forms of ops whose
 * signature changed (ReduceSum/ReduceMean/Squeeze/Unsqueeze axes, Split sizes), cached constants and shapes,
 * and the broadcast reduction of a gradient to an input's shape — static when shape inference knows the
 * dims, else computed at run time from Shape ops.
 */
import type { GraphBuilder } from '../graphBuilder';
import type { Attributes } from '../attributes';
import type { NodeProto } from '../proto';
import { typedArrayOf, type ElementType } from '../dataTypes';
import type { GraphFacts } from '../shapes/shapeInference';
import { allNumeric, type SymDim } from '../shapes/symbolicDims';

const range = (n: number, from = 0): number[] => Array.from({ length: n }, (_, i) => from + i);

/** State shared by every rule invocation of one vjp. */
export interface EmitState {
  readonly builder: GraphBuilder;
  readonly facts: GraphFacts;
  readonly opset: number;
  readonly shapes: Map<string, string>;
  readonly constants: Map<string, string>;
}

export class GraphOps {
  constructor(protected readonly state: EmitState) {}

  get opset(): number {
    return this.state.opset;
  }

  /** Appends a node (shape inference follows it) and returns its output. */
  op(opType: string, inputs: readonly string[], attrs?: Attributes): string {
    return this.opN(opType, inputs, 1, attrs)[0]!;
  }

  opN(opType: string, inputs: readonly string[], count: number, attrs?: Attributes): string[] {
    const outputs = this.state.builder.opN(opType, inputs, count, attrs);
    this.state.facts.add(this.state.builder.nodes[this.state.builder.nodes.length - 1] as NodeProto);
    return outputs;
  }

  dims(x: string): readonly SymDim[] | undefined {
    return this.state.facts.get(x).dims;
  }

  rank(x: string): number | undefined {
    return this.dims(x)?.length;
  }

  type(x: string): ElementType | undefined {
    return this.state.facts.get(x).type;
  }

  /** A constant tensor (cached by contents). */
  tensorConstant(values: readonly number[], dims: readonly number[], type: ElementType): string {
    const key = `${type}[${dims.join(',')}]${values.join(',')}`;
    let name = this.state.constants.get(key);
    if (!name) {
      name = this.state.builder.constant(values, dims, type, 'grad_const');
      this.state.facts.addConstant(name, { type, dims, data: typedArrayOf(type, values) });
      this.state.constants.set(key, name);
    }
    return name;
  }

  /** A rank-0 constant of `type`. */
  scalar(value: number, type: ElementType): string {
    return this.tensorConstant([value], [], type);
  }

  /** A 1-D int64 constant. */
  ints(values: readonly number[]): string {
    return this.tensorConstant(values, [values.length], 'int64');
  }

  /** A tensor holding x's shape: a constant when static, else one cached Shape node. */
  shapeOf(x: string): string {
    const d = this.dims(x);
    if (allNumeric(d)) return this.ints(d);
    let s = this.state.shapes.get(x);
    if (!s) {
      s = this.op('Shape', [x]);
      this.state.shapes.set(x, s);
    }
    return s;
  }

  /** A shape tensor for reshaping `from` (same element count) into x's shape; uses 0/-1 to avoid Shape ops. */
  reshapeTarget(x: string, from: string): string {
    const tx = this.dims(x);
    const tf = this.dims(from);
    if (allNumeric(tx) || !tx) return this.shapeOf(x);
    const target: number[] = [];
    let unknown = -1;
    for (let i = 0; i < tx.length; i++) {
      const d = tx[i]!;
      if (typeof d === 'number' && d > 0) target.push(d);
      else if (tf && i < tf.length && tf[i] === d) target.push(0);
      else if (unknown < 0) {
        unknown = i;
        target.push(-1);
      } else return this.shapeOf(x);
    }
    return this.ints(target);
  }

  /** Reshapes `g` to x's shape. */
  reshapeLike(g: string, x: string): string {
    return this.op('Reshape', [g, this.reshapeTarget(x, g)]);
  }

  /** Broadcasts `g` to x's shape. */
  expandLike(g: string, x: string): string {
    return this.op('Expand', [g, this.shapeOf(x)]);
  }

  zerosLike(x: string, type: ElementType): string {
    return this.op('ConstantOfShape', [this.shapeOf(x)], {
      value: { type, dims: [1], data: typedArrayOf(type, [0]) },
    });
  }

  reduceSum(x: string, axes: readonly number[], keepdims: boolean): string {
    if (this.opset >= 13) return this.op('ReduceSum', [x, this.ints(axes)], { keepdims: keepdims ? 1 : 0 });
    return this.op('ReduceSum', [x], { axes, keepdims: keepdims ? 1 : 0 });
  }

  reduceMean(x: string, axes: readonly number[], keepdims: boolean): string {
    if (this.opset >= 18) return this.op('ReduceMean', [x, this.ints(axes)], { keepdims: keepdims ? 1 : 0 });
    return this.op('ReduceMean', [x], { axes, keepdims: keepdims ? 1 : 0 });
  }

  unsqueeze(x: string, axes: readonly number[]): string {
    if (axes.length === 0) return x;
    return this.opset >= 13
      ? this.op('Unsqueeze', [x, this.ints(axes)])
      : this.op('Unsqueeze', [x], { axes });
  }

  squeeze(x: string, axes: readonly number[]): string {
    if (axes.length === 0) return x;
    return this.opset >= 13 ? this.op('Squeeze', [x, this.ints(axes)]) : this.op('Squeeze', [x], { axes });
  }

  /** Splits `x` along `axis` into parts of the given sizes (a 1-D int64 tensor name or numbers). */
  split(x: string, axis: number, sizes: string | readonly number[], count: number): string[] {
    if (this.opset < 13) {
      if (typeof sizes === 'string')
        throw new Error(`run-time split sizes need opset 13 or newer (model has ${this.opset})`);
      return this.opN('Split', [x], count, { axis, split: sizes });
    }
    return this.opN('Split', [x, typeof sizes === 'string' ? sizes : this.ints(sizes)], count, { axis });
  }

  transpose(x: string, perm: readonly number[]): string {
    if (perm.every((p, i) => p === i)) return x;
    return this.op('Transpose', [x], { perm });
  }

  /**
   * Sums `g` (shaped like a broadcast result) down to x's shape: leading axes and axes where x has size 1.
   * `gDims` overrides g's known dims (e.g. the node output's dims).
   */
  reduceTo(g: string, x: string, gDims: readonly SymDim[] | undefined = this.dims(g)): string {
    const xd = this.dims(x);
    if (xd && gDims && gDims.length >= xd.length) {
      const lead = gDims.length - xd.length;
      const axes = range(lead);
      let unknown = false;
      xd.forEach((d, i) => {
        const e = gDims[lead + i]!;
        if (d === e || e === 1) return;
        if (d === 1) axes.push(lead + i);
        else if (typeof d !== 'number') unknown = true;
      });
      if (!unknown) {
        if (axes.length === 0) return g;
        if (axes.every((a) => a < lead)) return this.reduceSum(g, axes, false);
        const r = this.reduceSum(g, axes, true);
        return lead > 0 ? this.squeeze(r, range(lead)) : r;
      }
    }
    return this.runtimeReduceTo(g, x, gDims?.length);
  }

  private runtimeReduceTo(g: string, x: string, gRank: number | undefined): string {
    if (this.opset < 13) {
      throw new Error(
        `cannot reduce a broadcast gradient to the shape of "${x}" (unknown at build time) below opset 13; pass inputShapes to vjp`,
      );
    }
    const sx = this.shapeOf(x);
    const xRank = this.rank(x);
    let padded: string;
    if (gRank !== undefined && xRank !== undefined) {
      padded =
        gRank > xRank
          ? this.op('Concat', [this.ints(range(gRank - xRank).map(() => 1)), sx], { axis: 0 })
          : sx;
    } else {
      const lead = this.op('Sub', [this.op('Shape', [this.shapeOf(g)]), this.op('Shape', [sx])]);
      const ones = this.op('ConstantOfShape', [lead], {
        value: { type: 'int64', dims: [1], data: BigInt64Array.from([1n]) },
      });
      padded = this.op('Concat', [ones, sx], { axis: 0 });
    }
    const axes = this.op('Reshape', [
      this.op('NonZero', [this.op('Equal', [padded, this.ints([1])])]),
      this.ints([-1]),
    ]);
    const summed = this.op('ReduceSum', [g, axes], { keepdims: 1, noop_with_empty_axes: 1 });
    return this.op('Reshape', [summed, sx]);
  }
}
