/**
 * Shape rules of the ops that move, select or describe elements (Reshape, Transpose, Concat, Slice, Shape,
 * ConstantOfShape...), including the propagation of small integer values through shape arithmetic.
 */
import { elementTypeOf } from '../dataTypes';
import { attr } from '../attributes';
import { readTensor } from '../tensorProto';
import { toNumbers } from './constantValues';
import type { ShapeContext, ShapeRule } from './shapeTypes';
import {
  broadcastShapes,
  dimAdd,
  dimApply,
  dimDiv,
  dimMul,
  dimProduct,
  dimSub,
  unknownDim,
  type SymDim,
} from './symbolicDims';

export const norm = (axis: number, rank: number): number => (axis < 0 ? axis + rank : axis);

/** Axes of a Reduce*, Squeeze or Unsqueeze node: attribute in old opsets, input 1 in newer ones. */
export function nodeAxes(
  c: Pick<ShapeContext, 'opset' | 'attrInts' | 'ints' | 'has'>,
  inputSince: number,
): number[] | undefined {
  if (c.opset < inputSince) return c.attrInts('axes');
  if (!c.has(1)) return undefined;
  const v = c.ints(1);
  if (!v || !v.every((x) => typeof x === 'number')) throw new Error('axes not static');
  return v as number[];
}

const reshape: ShapeRule = (c) => {
  const x = c.in(0).dims;
  const target = c.ints(1);
  const allowZero = c.attrInt('allowzero', 0) === 1;
  if (!target) {
    const n = c.in(1).dims?.[0];
    return [
      { type: c.in(0).type, dims: typeof n === 'number' ? Array.from({ length: n }, unknownDim) : undefined },
    ];
  }
  const dims = target.map((d, i) => (d === 0 && !allowZero ? (x?.[i] ?? unknownDim()) : d));
  const minus = dims.indexOf(-1);
  if (minus >= 0) {
    const others = dimProduct(dims.filter((_, i) => i !== minus));
    dims[minus] = x ? dimDiv(dimProduct(x), others) : unknownDim();
  }
  return [{ type: c.in(0).type, dims, value: c.in(0).value }];
};

const flatten: ShapeRule = (c) => {
  const x = c.in(0).dims;
  if (!x) return [{ type: c.in(0).type }];
  const axis = norm(c.attrInt('axis', 1), x.length);
  return [{ type: c.in(0).type, dims: [dimProduct(x.slice(0, axis)), dimProduct(x.slice(axis))] }];
};

const transpose: ShapeRule = (c) => {
  const x = c.in(0).dims;
  if (!x) return [{ type: c.in(0).type }];
  const perm = c.attrInts('perm') ?? x.map((_, i) => x.length - 1 - i);
  return [{ type: c.in(0).type, dims: perm.map((p) => x[p]!) }];
};

const squeeze: ShapeRule = (c) => {
  const x = c.in(0).dims;
  const axes = nodeAxes(c, 13);
  if (!x) return [{ type: c.in(0).type }];
  const set = new Set((axes ?? x.flatMap((d, i) => (d === 1 ? [i] : []))).map((a) => norm(a, x.length)));
  const v = c.in(0).value;
  return [{ type: c.in(0).type, dims: x.filter((_, i) => !set.has(i)), value: v }];
};

const unsqueeze: ShapeRule = (c) => {
  const x = c.in(0).dims;
  const axes = nodeAxes(c, 13);
  if (!x || !axes) return [{ type: c.in(0).type }];
  const rank = x.length + axes.length;
  const set = new Set(axes.map((a) => norm(a, rank)));
  const out: SymDim[] = [];
  let k = 0;
  for (let i = 0; i < rank; i++) out.push(set.has(i) ? 1 : x[k++]!);
  return [{ type: c.in(0).type, dims: out, value: c.in(0).value }];
};

const concat: ShapeRule = (c) => {
  const n = c.node.input.length;
  const all = Array.from({ length: n }, (_, i) => c.in(i));
  const first = all.find((f) => f.dims)?.dims;
  const type = all.find((f) => f.type)?.type;
  const values = all.every((f) => f.value) ? all.flatMap((f) => f.value!) : undefined;
  if (!first || !all.every((f) => f.dims)) return [{ type, value: values }];
  const axis = norm(c.attrInt('axis', 0), first.length);
  const dims = first.map((_, i) => {
    if (i === axis) return all.reduce<SymDim>((acc, f) => dimAdd(acc, f.dims![i]!), 0);
    return all.map((f) => f.dims![i]!).find((d) => typeof d === 'number') ?? first[i]!;
  });
  return [{ type, dims, value: values }];
};

const split: ShapeRule = (c) => {
  const x = c.in(0).dims;
  const count = c.node.output.length;
  if (!x) return Array.from({ length: count }, () => ({ type: c.in(0).type }));
  const axis = norm(c.attrInt('axis', 0), x.length);
  const sizes = c.opset < 13 ? c.attrInts('split') : c.has(1) ? c.ints(1) : undefined;
  return Array.from({ length: count }, (_, i) => ({
    type: c.in(0).type,
    dims: x.map((d, k) => (k === axis ? (sizes?.[i] ?? dimDiv(d, count)) : d)),
  }));
};

const INT_MAX = 2 ** 31 - 1;

/** Output length of one sliced axis, symbolic where it must be. */
function sliceLength(d: SymDim, start: SymDim, end: SymDim, step: number): SymDim {
  if (typeof d === 'number' && typeof start === 'number' && typeof end === 'number') {
    const clamp = (v: number, lo: number, hi: number): number => Math.min(Math.max(v, lo), hi);
    const s = start < 0 ? start + d : start;
    const e = end < 0 ? end + d : end;
    const [s2, e2] = step > 0 ? [clamp(s, 0, d), clamp(e, 0, d)] : [clamp(s, 0, d - 1), clamp(e, -1, d - 1)];
    return Math.max(0, Math.ceil((e2 - s2) / step));
  }
  if (step === 1 && typeof start === 'number' && start >= 0 && typeof end === 'number' && end >= INT_MAX)
    return dimSub(d, start);
  if (step === 1 && start === 0 && end === d) return d;
  return dimApply('slice', d, start, end, step);
}

const slice: ShapeRule = (c) => {
  const x = c.in(0).dims;
  const starts = c.ints(1);
  const ends = c.ints(2);
  if (!x || !starts || !ends) return [{ type: c.in(0).type, dims: x ? x.map(unknownDim) : undefined }];
  const axes = c.has(3) ? c.ints(3) : starts.map((_, i) => i);
  const steps = c.has(4) ? c.ints(4) : starts.map(() => 1);
  if (!axes || !steps) return [{ type: c.in(0).type, dims: x.map(unknownDim) }];
  const dims = [...x];
  let value = c.in(0).value ? [...c.in(0).value!] : undefined;
  axes.forEach((a, i) => {
    const axis = norm(a as number, x.length);
    dims[axis] = sliceLength(x[axis]!, starts[i]!, ends[i]!, steps[i] as number);
    if (
      value &&
      x.length === 1 &&
      typeof starts[i] === 'number' &&
      typeof ends[i] === 'number' &&
      steps[i] === 1
    ) {
      const n = value.length;
      const s = Math.max(0, (starts[i] as number) < 0 ? (starts[i] as number) + n : (starts[i] as number));
      const e = Math.min(n, (ends[i] as number) < 0 ? (ends[i] as number) + n : (ends[i] as number));
      value = value.slice(s, e);
    } else value = undefined;
  });
  return [{ type: c.in(0).type, dims, value }];
};

const gather: ShapeRule = (c) => {
  const x = c.in(0).dims;
  const idx = c.in(1).dims;
  if (!x || !idx) return [{ type: c.in(0).type }];
  const axis = norm(c.attrInt('axis', 0), x.length);
  const dims = [...x.slice(0, axis), ...idx, ...x.slice(axis + 1)];
  const v = c.in(0).value;
  const i = c.ints(1);
  const value =
    v && i && x.length === 1
      ? i.map((k) => (typeof k === 'number' ? v[k < 0 ? k + v.length : k]! : unknownDim()))
      : undefined;
  return [{ type: c.in(0).type, dims, value }];
};

const pad: ShapeRule = (c) => {
  const x = c.in(0).dims;
  const pads = c.opset < 11 ? c.attrInts('pads') : c.ints(1);
  if (!x || !pads) return [{ type: c.in(0).type }];
  const axes = c.has(3) ? (c.ints(3) as number[] | undefined) : x.map((_, i) => i);
  if (!axes) return [{ type: c.in(0).type }];
  const dims = [...x];
  axes.forEach((a, i) => {
    const k = norm(a, x.length);
    dims[k] = dimAdd(dimAdd(x[k]!, pads[i]!), pads[i + axes.length]!);
  });
  return [{ type: c.in(0).type, dims }];
};

const expand: ShapeRule = (c) => {
  const x = c.in(0).dims;
  const length = c.in(1).dims?.[0];
  const shape = c.ints(1) ?? (typeof length === 'number' ? Array.from({ length }, unknownDim) : undefined);
  if (!x || !shape) return [{ type: c.in(0).type }];
  return [{ type: c.in(0).type, dims: broadcastShapes([x, shape]) }];
};

const resize: ShapeRule = (c) => {
  const x = c.in(0).dims;
  if (!x) return [{ type: c.in(0).type }];
  const sizes = c.opset >= 11 && c.has(3) ? c.ints(3) : undefined;
  if (sizes) return [{ type: c.in(0).type, dims: [...sizes] }];
  const scales = c.numbers(c.opset >= 11 ? 2 : 1);
  if (!scales) return [{ type: c.in(0).type, dims: x.map(unknownDim) }];
  const dims = x.map((d, i) => {
    const s = scales[i]!;
    if (Number.isInteger(s)) return dimMul(d, s);
    return typeof d === 'number' ? Math.floor(d * s) : dimApply(`scale${s}`, d);
  });
  return [{ type: c.in(0).type, dims }];
};

const shape: ShapeRule = (c) => {
  const x = c.in(0).dims;
  if (!x) return [{ type: 'int64' }];
  const start = norm(c.attrInt('start', 0), x.length);
  const endAttr = attr(c.node.attribute, 'end');
  const end = endAttr ? norm(c.attrInt('end', x.length), x.length) : x.length;
  const value = x.slice(Math.max(0, start), Math.min(x.length, end));
  return [{ type: 'int64', dims: [value.length], value }];
};

const constantOfShape: ShapeRule = (c) => {
  const a = attr(c.node.attribute, 'value');
  const type = a?.t ? elementTypeOf(a.t.dataType ?? 1) : 'float32';
  const dims = c.ints(0);
  let value: number[] | undefined;
  if (
    (type === 'int64' || type === 'int32') &&
    dims &&
    dims.every((d) => typeof d === 'number') &&
    dims.length <= 1 &&
    a?.t
  ) {
    const fill = toNumbers(readTensor(a.t))[0] ?? 0;
    value = Array.from({ length: (dims as number[]).reduce((p, d) => p * d, 1) }, () => fill);
  }
  return [{ type, dims, value }];
};

/** The layout shape rules, keyed by op type. */
export const layoutShapeRules: Readonly<Record<string, ShapeRule>> = {
  Reshape: reshape,
  Flatten: flatten,
  Transpose: transpose,
  Squeeze: squeeze,
  Unsqueeze: unsqueeze,
  Concat: concat,
  Split: split,
  Slice: slice,
  Gather: gather,
  Pad: pad,
  Expand: expand,
  Resize: resize,
  Shape: shape,
  ConstantOfShape: constantOfShape,
};
