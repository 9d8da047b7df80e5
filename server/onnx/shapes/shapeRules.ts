/**
 * Per-op static shape rules (a table keyed by op type) for `GraphFacts`: output element types, symbolic
 * dims, and integer values for the shape-arithmetic ops torch.onnx emits. A rule may throw; the caller then
 * treats the outputs as unknown.
 */
import { elementTypeOf, type ElementType } from '../dataTypes';
import { attrString } from '../attributes';
import type { ShapeContext, ShapeRule, ShapeRuleTable, TensorFacts } from './shapeTypes';
import {
  broadcastShapes,
  dimAdd,
  dimApply,
  dimDiv,
  dimMul,
  dimSub,
  unknownDim,
  type SymDim,
} from './symbolicDims';
import { convOutputDim, convTransposeOutputDim, readConvParams } from './convParams';
import { parseEinsum } from './einsumEquation';
import { layoutShapeRules, nodeAxes, norm } from './layoutShapeRules';

const same: ShapeRule = (c) => [{ type: c.in(0).type, dims: c.in(0).dims }];
const withType =
  (type: ElementType): ShapeRule =>
  (c) => [{ type, dims: c.in(0).dims }];

function broadcast(c: ShapeContext, from: number[], typeFrom = from[0]!): TensorFacts {
  const shapes = from.map((i) => c.in(i).dims);
  const dims = shapes.every((s) => s !== undefined) ? broadcastShapes(shapes as SymDim[][]) : undefined;
  return { type: c.in(typeFrom).type, dims };
}

/** Elementwise integer arithmetic on known values (scalars broadcast). */
function valueOp(c: ShapeContext, f: (a: SymDim, b: SymDim) => SymDim): readonly SymDim[] | undefined {
  const a = c.ints(0);
  const b = c.ints(1);
  if (!a || !b || (a.length !== b.length && a.length !== 1 && b.length !== 1)) return undefined;
  const n = Math.max(a.length, b.length);
  return Array.from({ length: n }, (_, i) => f(a[a.length === 1 ? 0 : i]!, b[b.length === 1 ? 0 : i]!));
}

const arithmetic =
  (f: (a: SymDim, b: SymDim) => SymDim): ShapeRule =>
  (c) => [{ ...broadcast(c, [0, 1]), value: valueOp(c, f) }];

const comparison: ShapeRule = (c) => [{ ...broadcast(c, [0, 1]), type: 'bool' }];

/** Equal on known values: dims are never negative, so a dim compared with a negative number is false. */
const equal: ShapeRule = (c) => {
  const value = valueOp(c, (a, b) => {
    if (a === b) return 1;
    if (typeof a === 'number' && typeof b === 'number') return 0;
    if ((typeof a === 'number' && a < 0) || (typeof b === 'number' && b < 0)) return 0;
    return unknownDim();
  });
  return [
    {
      ...broadcast(c, [0, 1]),
      type: 'bool',
      value: value?.every((v) => typeof v === 'number') ? value : undefined,
    },
  ];
};

const where: ShapeRule = (c) => {
  const cond = c.ints(0);
  const a = c.ints(1);
  const b = c.ints(2);
  let value: SymDim[] | undefined;
  if (cond && a && b) {
    const n = Math.max(cond.length, a.length, b.length);
    const at = (v: readonly SymDim[], i: number): SymDim => v[v.length === 1 ? 0 : i]!;
    value = Array.from({ length: n }, (_, i) => (at(cond, i) ? at(a, i) : at(b, i)));
  }
  return [{ ...broadcast(c, [0, 1, 2], 1), value }];
};

function reduce(inputSince: number, type?: ElementType): ShapeRule {
  return (c) => {
    const dims = c.in(0).dims;
    const keep = c.attrInt('keepdims', 1) === 1;
    const axes = nodeAxes(c, inputSince);
    const outType = type ?? c.in(0).type;
    if (!dims) return [{ type: outType }];
    if (!axes || axes.length === 0) {
      if (axes && c.attrInt('noop_with_empty_axes', 0) === 1) return [{ type: outType, dims }];
      return [{ type: outType, dims: keep ? dims.map(() => 1) : [] }];
    }
    const set = new Set(axes.map((a) => norm(a, dims.length)));
    const out = dims.flatMap((d, i) => (set.has(i) ? (keep ? [1] : []) : [d]));
    return [{ type: outType, dims: out }];
  };
}

function argReduce(c: ShapeContext): readonly TensorFacts[] {
  const dims = c.in(0).dims;
  if (!dims) return [{ type: 'int64' }];
  const axis = norm(c.attrInt('axis', 0), dims.length);
  const keep = c.attrInt('keepdims', 1) === 1;
  return [{ type: 'int64', dims: dims.flatMap((d, i) => (i === axis ? (keep ? [1] : []) : [d])) }];
}

const matmul: ShapeRule = (c) => {
  const a = c.in(0).dims;
  const b = c.in(1).dims;
  if (!a || !b || a.length === 0 || b.length === 0) return [{ type: c.in(0).type }];
  const a2 = a.length === 1 ? [1, a[0]!] : a;
  const b2 = b.length === 1 ? [b[0]!, 1] : b;
  const batch = broadcastShapes([a2.slice(0, -2), b2.slice(0, -2)]);
  const dims = [
    ...batch,
    ...(a.length === 1 ? [] : [a2[a2.length - 2]!]),
    ...(b.length === 1 ? [] : [b2[b2.length - 1]!]),
  ];
  return [{ type: c.in(0).type, dims }];
};

const gemm: ShapeRule = (c) => {
  const a = c.in(0).dims;
  const b = c.in(1).dims;
  if (!a || !b) return [{ type: c.in(0).type }];
  const m = c.attrInt('transA', 0) ? a[1]! : a[0]!;
  const n = c.attrInt('transB', 0) ? b[0]! : b[1]!;
  return [{ type: c.in(0).type, dims: [m, n] }];
};

const conv: ShapeRule = (c) => {
  const x = c.in(0).dims;
  const w = c.in(1).dims;
  if (!x || !w) return [{ type: c.in(0).type }];
  const p = readConvParams(c.node, x.length - 2, w.slice(2));
  const spatial = x.slice(2).map((d, i) => convOutputDim(d, p, i));
  return [{ type: c.in(0).type, dims: [x[0]!, w[0]!, ...spatial] }];
};

const pool: ShapeRule = (c) => {
  const x = c.in(0).dims;
  if (!x) return [{ type: c.in(0).type }];
  const p = readConvParams(c.node, x.length - 2, c.attrInts('kernel_shape') ?? []);
  const ceil = c.attrInt('ceil_mode', 0) === 1;
  const spatial = x.slice(2).map((d, i) => (ceil ? dimApply('ceilpool', d) : convOutputDim(d, p, i)));
  return [{ type: c.in(0).type, dims: [x[0]!, x[1]!, ...spatial] }];
};

const convTranspose: ShapeRule = (c) => {
  const x = c.in(0).dims;
  const w = c.in(1).dims;
  if (!x || !w) return [{ type: c.in(0).type }];
  const group = c.attrInt('group', 1);
  const p = readConvParams(c.node, x.length - 2, w.slice(2));
  const outputShape = c.attrInts('output_shape');
  const spatial = x
    .slice(2)
    .map(
      (d, i) => outputShape?.[i] ?? convTransposeOutputDim(d, p, i, c.attrInts('output_padding')?.[i] ?? 0),
    );
  return [{ type: c.in(0).type, dims: [x[0]!, dimMul(w[1]!, group), ...spatial] }];
};

const einsum: ShapeRule = (c) => {
  const n = c.node.input.length;
  const shapes = Array.from({ length: n }, (_, i) => c.in(i).dims);
  if (!shapes.every((s) => s)) return [{ type: c.in(0).type }];
  const eq = parseEinsum(
    attrString(c.node.attribute, 'equation', ''),
    shapes.map((s) => s!.length),
  );
  const sizes = new Map<string, SymDim>();
  eq.inputs.forEach((term, i) =>
    term.forEach((l, k) => {
      const d = shapes[i]![k]!;
      if (!sizes.has(l) || sizes.get(l) === 1) sizes.set(l, d);
    }),
  );
  return [{ type: c.in(0).type, dims: eq.output.map((l) => sizes.get(l) ?? unknownDim()) }];
};

const cast: ShapeRule = (c) => {
  const type = elementTypeOf(c.attrInt('to', 1));
  const ints = type === 'int64' || type === 'int32';
  return [{ type, dims: c.in(0).dims, value: ints ? c.in(0).value : undefined }];
};

const layerNorm: ShapeRule = (c) => {
  const x = c.in(0).dims;
  const stats = x ? x.map((d, i) => (i >= norm(c.attrInt('axis', -1), x.length) ? 1 : d)) : undefined;
  return [
    { type: c.in(0).type, dims: x },
    { type: 'float32', dims: stats },
    { type: 'float32', dims: stats },
  ];
};

// prettier-ignore
const UNARY = [
  'Neg', 'Sqrt', 'Reciprocal', 'Exp', 'Log', 'Erf', 'Tanh', 'Sigmoid', 'Relu', 'Softmax', 'LogSoftmax',
  'Identity', 'Sin', 'Cos', 'Tan', 'Clip', 'Abs', 'LeakyRelu', 'Gelu', 'Floor', 'Ceil', 'Round', 'Sign',
  'Softplus', 'Softsign', 'Elu', 'Selu', 'Celu', 'HardSigmoid', 'HardSwish', 'Mish', 'Trilu',
  'InstanceNormalization', 'GroupNormalization', 'BatchNormalization', 'CumSum', 'RandomNormalLike',
  'RandomUniformLike', 'LpNormalization', 'Asin', 'Acos', 'Atan', 'Sinh', 'Cosh', 'ThresholdedRelu',
  'Shrink', 'CastLike', 'Dropout',
];

/** The shape rules, keyed by op type (default ONNX domain). */
/** GatherND: indices' leading dims, then the data dims each index tuple does not consume. */
function gatherND(c: ShapeContext): readonly TensorFacts[] {
  const data = c.in(0).dims;
  const indices = c.in(1).dims;
  const last = indices?.[indices.length - 1];
  if (!data || !indices || typeof last !== 'number') return [{ type: c.in(0).type }];
  const batchDims = c.attrInt('batch_dims', 0);
  return [{ type: c.in(0).type, dims: [...indices.slice(0, -1), ...data.slice(batchDims + last)] }];
}

export const SHAPE_RULES: ShapeRuleTable = {
  ...layoutShapeRules,
  ...Object.fromEntries(UNARY.map((op) => [op, same])),
  Identity: (c) => [{ ...c.in(0) }],
  Dropout: (c) => [
    { type: c.in(0).type, dims: c.in(0).dims },
    { type: 'bool', dims: c.in(0).dims },
  ],
  CastLike: (c) => [{ type: c.in(1).type, dims: c.in(0).dims }],
  Add: arithmetic(dimAdd),
  Sub: arithmetic(dimSub),
  Mul: arithmetic(dimMul),
  Div: arithmetic(dimDiv),
  Pow: (c) => [broadcast(c, [0, 1])],
  PRelu: (c) => [broadcast(c, [0, 1])],
  Mod: (c) => [broadcast(c, [0, 1])],
  Max: (c) => [
    broadcast(
      c,
      c.node.input.map((_, i) => i),
    ),
  ],
  Min: (c) => [
    broadcast(
      c,
      c.node.input.map((_, i) => i),
    ),
  ],
  Sum: (c) => [
    broadcast(
      c,
      c.node.input.map((_, i) => i),
    ),
  ],
  Mean: (c) => [
    broadcast(
      c,
      c.node.input.map((_, i) => i),
    ),
  ],
  Where: where,
  Equal: equal,
  Less: comparison,
  Greater: comparison,
  LessOrEqual: comparison,
  GreaterOrEqual: comparison,
  And: comparison,
  Or: comparison,
  Xor: comparison,
  Not: withType('bool'),
  IsNaN: withType('bool'),
  IsInf: withType('bool'),
  MatMul: matmul,
  Gemm: gemm,
  Einsum: einsum,
  Conv: conv,
  ConvTranspose: convTranspose,
  AveragePool: pool,
  MaxPool: pool,
  ReduceSum: reduce(13),
  ReduceMean: reduce(18),
  ReduceMax: reduce(18),
  ReduceMin: reduce(18),
  ReduceProd: reduce(18),
  ReduceL1: reduce(18),
  ReduceL2: reduce(18),
  ReduceSumSquare: reduce(18),
  ReduceLogSumExp: reduce(18),
  ArgMax: argReduce,
  ArgMin: argReduce,
  GatherElements: (c) => [{ type: c.in(0).type, dims: c.in(1).dims }],
  GatherND: gatherND,
  ScatterND: same,
  ScatterElements: same,
  Size: () => [{ type: 'int64', dims: [] }],
  Cast: cast,
  Range: (c) => [{ type: c.in(0).type, dims: [unknownDim()] }],
  NonZero: (c) => [{ type: 'int64', dims: [c.in(0).dims?.length ?? unknownDim(), unknownDim()] }],
  LayerNormalization: layerNorm,
  OneHot: (c) => [{ type: c.in(2).type }],
};
