/**
 * Gradient rules for ops that select elements (Slice, Pad, Gather, Trilu): the gradient goes back to the
 * selected positions and is zero elsewhere. Static slices become one Pad; anything else scatters at run
 * time. Gather's gradient sums rows picked more than once (`addRows` from opset 16, one-hot product before).
 */
import { onnxTypeCode } from '../../dataTypes';
import type { RuleContext } from '../ruleContext';
import type { GradientTable } from './types';
import { addRows } from './addRows';
import { allNumeric } from '../../shapes/symbolicDims';

const INT_MAX = 2 ** 31 - 1;
const range = (n: number): number[] => [...Array(n).keys()];

interface SliceSpec {
  readonly axes: number[];
  readonly starts: number[] | undefined;
  readonly ends: number[] | undefined;
  readonly steps: number[] | undefined;
}

function sliceSpec(c: RuleContext, rank: number): SliceSpec {
  const norm = (a: number): number => (a < 0 ? a + rank : a);
  if (c.opset < 10) {
    const starts = c.attrInts('starts')!;
    return {
      axes: (c.attrInts('axes') ?? range(starts.length)).map(norm),
      starts,
      ends: c.attrInts('ends'),
      steps: starts.map(() => 1),
    };
  }
  const starts = c.constInts(1);
  const ends = c.constInts(2);
  const count = starts?.length ?? ends?.length ?? c.dims(c.input(1))?.[0];
  const axes = c.hasInput(3) ? c.constInts(3) : typeof count === 'number' ? range(count) : undefined;
  if (!axes) c.fail('its axes are computed at run time; only constant axes are supported');
  const steps = c.hasInput(4) ? c.constInts(4) : axes.map(() => 1);
  return { axes: axes.map(norm), starts, ends, steps };
}

/** Pads that put g back in place, when the slice is static with unit steps. */
function staticSlicePads(c: RuleContext, spec: SliceSpec, rank: number): number[] | undefined {
  const { starts, ends, steps } = spec;
  if (!starts || !ends || !steps || steps.some((s) => s !== 1)) return undefined;
  const dims = c.dims(c.input(0))!;
  const pads = Array<number>(2 * rank).fill(0);
  for (let i = 0; i < spec.axes.length; i++) {
    const a = spec.axes[i]!;
    const d = dims[a]!;
    const [s, e] = [starts[i]!, ends[i]!];
    if (typeof d === 'number') {
      const clamp = (v: number): number => Math.min(Math.max(v < 0 ? v + d : v, 0), d);
      pads[a] = clamp(s);
      pads[a + rank] = d - Math.max(clamp(e), clamp(s));
    } else if (s >= 0 && e >= INT_MAX) {
      pads[a] = s;
    } else return undefined;
  }
  return pads;
}

/** Scatters g into zeros one sliced axis at a time, with the indices the slice itself picks from a Range. */
function scatterSlice(c: RuleContext, spec: SliceSpec, rank: number): string {
  const x = c.input(0);
  const part = (t: string, i: number): string => c.op('Slice', [t, c.ints([i]), c.ints([i + 1])]);
  let cur = c.grad();
  spec.axes.forEach((a, i) => {
    const dim = part(c.shapeOf(x), a);
    const positions = c.op('Range', [
      c.tensorConstant([0], [], 'int64'),
      c.squeeze(dim, [0]),
      c.tensorConstant([1], [], 'int64'),
    ]);
    const pick = (values: number[] | undefined, k: number): string =>
      values ? c.ints([values[i]!]) : part(c.input(k), i);
    const stepInput = c.opset >= 10 && c.hasInput(4) ? pick(spec.steps, 4) : c.ints([1]);
    const picked = c.op('Slice', [
      positions,
      pick(spec.starts, 1),
      pick(spec.ends, 2),
      c.ints([0]),
      stepInput,
    ]);
    const column = c.op('Reshape', [picked, c.ints(range(rank).map((k) => (k === a ? -1 : 1)))]);
    const curShape = c.op('Shape', [cur]);
    const target = c.op(
      'Concat',
      [
        c.op('Slice', [curShape, c.ints([0]), c.ints([a])]),
        dim,
        c.op('Slice', [curShape, c.ints([a + 1]), c.ints([INT_MAX])]),
      ],
      { axis: 0 },
    );
    const zeros = c.op('ConstantOfShape', [target], {
      value: { type: c.floatType, dims: [1], data: zeroOf(c) },
    });
    cur = c.op('ScatterElements', [zeros, c.op('Expand', [column, curShape]), cur], { axis: a });
  });
  return cur;
}

function zeroOf(c: RuleContext): Float32Array | Float64Array | Uint16Array {
  return c.floatType === 'float64'
    ? new Float64Array(1)
    : c.floatType === 'float16'
      ? new Uint16Array(1)
      : new Float32Array(1);
}

function pad(c: RuleContext, t: string, pads: number[] | string): string {
  if (c.opset < 11) {
    if (typeof pads === 'string') c.fail('run-time pads need opset 11');
    return c.op('Pad', [t], { pads });
  }
  return c.op('Pad', [t, typeof pads === 'string' ? pads : c.ints(pads), c.constant(0)]);
}

function gatherGrad(c: RuleContext): string {
  const [x, idx] = [c.input(0), c.input(1)];
  const rx = c.rank(x);
  const ri = c.rank(idx);
  if (rx === undefined || ri === undefined) c.fail('the ranks of its inputs are unknown');
  const axis = c.attrInt('axis', 0);
  const a = axis < 0 ? axis + rx : axis;
  // move the gathered axis (and g's index axes) to the front, scatter rows, move back
  const permX = [a, ...range(a), ...range(rx - a - 1).map((k) => a + 1 + k)];
  const permG = [...range(ri).map((k) => a + k), ...range(a), ...range(rx - a - 1).map((k) => a + ri + k)];
  const gT = c.transpose(c.grad(), permG);
  const xd = c.dims(x);
  const frontShape = allNumeric(xd)
    ? c.ints(permX.map((k) => xd[k]!))
    : c.op('Gather', [c.shapeOf(x), c.ints(permX)]);
  let front: string;
  if (c.opset >= 16) {
    const zeros = c.op('ConstantOfShape', [frontShape], {
      value: { type: c.floatType, dims: [1], data: zeroOf(c) },
    });
    // Scatter* take int64 indices only; Gather also takes int32 (token ids)
    const idx64 = c.type(idx) === 'int64' ? idx : c.op('Cast', [idx], { to: 7 });
    // every picked row is one row of updates
    const rest = allNumeric(xd)
      ? c.ints([-1, ...permX.slice(1).map((k) => xd[k]!)])
      : c.op('Concat', [c.ints([-1]), c.op('Slice', [frontShape, c.ints([1]), c.ints([INT_MAX])])], {
          axis: 0,
        });
    front = addRows(c, zeros, idx64, c.op('Reshape', [gT, rest]), rx);
  } else {
    // dX = onehot(idx)ᵀ · g, so repeated indices add up (Equal against a Range: OneHot lacks double kernels)
    const depth = allNumeric(xd)
      ? c.tensorConstant([xd[a]!], [], 'int64')
      : c.op('Gather', [c.shapeOf(x), c.tensorConstant([a], [], 'int64')]);
    const raw = c.op('Reshape', [idx, c.ints([-1])]);
    const asInt64 = c.type(raw) === 'int64' ? raw : c.op('Cast', [raw], { to: 7 });
    const zero = c.tensorConstant([0], [], 'int64');
    const flat = c.op('Where', [c.op('Less', [asInt64, zero]), c.op('Add', [asInt64, depth]), asInt64]);
    const positions = c.op('Range', [zero, depth, c.tensorConstant([1], [], 'int64')]);
    const hits = c.op('Equal', [c.unsqueeze(flat, [1]), positions]);
    const oneHot = c.op('Cast', [hits], { to: onnxTypeCode(c.floatType) });
    const rows = c.op('Gemm', [oneHot, c.op('Flatten', [gT], { axis: ri })], { transA: 1 });
    front = c.op('Reshape', [rows, frontShape]);
  }
  return c.transpose(
    front,
    permX.map((_, i) => permX.indexOf(i)),
  );
}

export const indexingRules = {
  Slice: {
    inputs: [0],
    backward(c) {
      const rank = c.rank(c.input(0)) ?? c.fail('the rank of its input is unknown');
      const spec = sliceSpec(c, rank);
      const pads = staticSlicePads(c, spec, rank);
      return [pads ? pad(c, c.grad(), pads) : scatterSlice(c, spec, rank)];
    },
  },
  Pad: {
    inputs: [0],
    backward(c) {
      const mode = c.attrString('mode', 'constant');
      if (mode !== 'constant') c.fail(`the gradient of mode "${mode}" is not supported (only constant)`);
      // padding by -pads crops what was added (and zero-pads what a negative pad cropped)
      if (c.opset < 11) return [c.op('Pad', [c.grad()], { pads: (c.attrInts('pads') ?? []).map((p) => -p) })];
      const known = c.constInts(1);
      const negated = known ? c.ints(known.map((p) => -p)) : c.op('Neg', [c.input(1)]);
      const inputs = [c.grad(), negated, c.constant(0)];
      if (c.hasInput(3)) inputs.push(c.input(3));
      return [c.op('Pad', inputs)];
    },
  },
  Gather: { inputs: [0], backward: (c) => [gatherGrad(c)] },
  Trilu: {
    inputs: [0],
    backward: (c) => [
      c.op('Trilu', c.hasInput(1) ? [c.grad(), c.input(1)] : [c.grad()], { upper: c.attrInt('upper', 1) }),
    ],
  },
} satisfies GradientTable;
