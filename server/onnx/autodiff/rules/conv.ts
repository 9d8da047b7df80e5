/**
 * Gradient rules for Conv and ConvTranspose (any spatial rank, groups, strides, pads, dilations).
 * Conv's data gradient is a ConvTranspose of g with the same weights, with output_padding restoring the
 * input rows a strided conv never reached; ConvTranspose's is a Conv. Weight gradients correlate the input
 * with g by swapping the roles of batch and channels (stride and dilation trade places), one conv per group.
 */
import type { RuleContext } from '../ruleContext';
import type { GradientTable } from './types';
import { explicitPads, readConvParams, type ConvParams } from '../../shapes/convParams';
import { gemmConvDataGrad, gemmConvShape, gemmConvWeightGrad } from './convGemmGrads';

const spatialAxes = (rank: number): number[] => Array.from({ length: rank - 2 }, (_, i) => i + 2);

function params(c: RuleContext, x: string): { p: ConvParams; rank: number } {
  const dims = c.dims(x);
  const w = c.dims(c.input(1));
  if (!dims || !w) c.fail('the ranks of its input and weights are unknown');
  return { p: readConvParams(c.node, dims.length - 2, w.slice(2)), rank: dims.length };
}

/** Conv's explicit pads [begin…, end…] (auto_pad resolved). */
function convPads(c: RuleContext, x: string, p: ConvParams): number[] {
  const dims = c.dims(x)!;
  const n = dims.length - 2;
  const begin: number[] = [];
  const end: number[] = [];
  for (let i = 0; i < n; i++) {
    const pair = explicitPads(p, i, dims[i + 2]!);
    if (!pair) c.fail('auto_pad SAME with a stride > 1 needs static spatial sizes; pass inputShapes to vjp');
    begin.push(pair[0]);
    end.push(pair[1]);
  }
  return [...begin, ...end];
}

/**
 * dX of y = conv(x, w): the transposed convolution of g, sized back to x. Input rows a strided conv never
 * reached still get gradient from the kernel's tail, so the size is restored with output_padding (computed
 * when x's size is static, else the largest one and a run-time crop).
 */
function convDataGrad(
  c: RuleContext,
  g: string,
  x: string,
  w: string,
  p: ConvParams,
  pads: number[],
  group: number,
): string {
  const xd = c.dims(x)!;
  const n = xd.length - 2;
  const outputPadding: number[] = [];
  let crop = false;
  for (let i = 0; i < n; i++) {
    const d = xd[i + 2]!;
    const s = p.strides[i]!;
    const k = (p.kernel[i]! - 1) * p.dilations[i]! + 1;
    if (typeof d === 'number') outputPadding.push((d + pads[i]! + pads[i + n]! - k) % s);
    else {
      outputPadding.push(s - 1);
      crop ||= s > 1;
    }
  }
  const attrs = {
    strides: p.strides,
    pads,
    dilations: p.dilations,
    group,
    output_padding: outputPadding.some((v) => v) ? outputPadding : undefined,
  };
  const dx = c.op('ConvTranspose', [g, w], attrs);
  if (!crop) return dx;
  const sizes = c.op('Slice', [c.shapeOf(x), c.ints([2]), c.ints([xd.length])]);
  return c.op('Slice', [dx, c.ints(Array(n).fill(0)), sizes, c.ints(spatialAxes(xd.length))]);
}

/**
 * dW of y = conv(x, w) from input `x` [N, C, S…] and output gradient `g` [N, M, T…]: per group, a conv of
 * xᵀ [C/G, N, S…] with gᵀ [M/G, N, T…] as weights (stride ↔ dilation), cropped to the kernel size.
 */
function convWeightGrad(
  c: RuleContext,
  x: string,
  g: string,
  p: ConvParams,
  pads: number[],
  group: number,
  rank: number,
): string {
  const swap = [1, 0, ...spatialAxes(rank)];
  const attrs = { strides: p.dilations, dilations: p.strides, pads };
  const crop = (t: string): string => {
    const n = rank - 2;
    return c.op('Slice', [t, c.ints(Array(n).fill(0)), c.ints(p.kernel), c.ints(spatialAxes(rank))]);
  };
  const one = (xi: string, gi: string): string =>
    c.transpose(crop(c.op('Conv', [c.transpose(xi, swap), c.transpose(gi, swap)], attrs)), swap);
  if (group === 1) return one(x, g);
  const split = (t: string): string[] =>
    c.opN('Split', [t], group, c.opset >= 18 ? { axis: 1, num_outputs: group } : { axis: 1 });
  const xs = split(x);
  const gs = split(g);
  return c.op(
    'Concat',
    xs.map((xi, k) => one(xi, gs[k]!)),
    { axis: 0 },
  );
}

function biasGrad(c: RuleContext, g: string, rank: number): string {
  return c.reduceSum(g, [0, ...spatialAxes(rank)], false);
}

export const convRules = {
  Conv: {
    backward(c) {
      const [x, w] = [c.input(0), c.input(1)];
      const { p, rank } = params(c, x);
      const pads = convPads(c, x, p);
      const group = c.attrInt('group', 1);
      const g = c.grad();
      // trainable weights: GEMM-speed forms where they apply (see convGemmGrads.ts)
      const fast = c.needs(1) ? gemmConvShape(c, x, p, group) : undefined;
      return [
        c.needs(0)
          ? fast
            ? gemmConvDataGrad(c, g, w, p, pads, fast)
            : convDataGrad(c, g, x, w, p, pads, group)
          : undefined,
        c.needs(1)
          ? fast
            ? gemmConvWeightGrad(c, x, g, p, pads, fast)
            : convWeightGrad(c, x, g, p, pads, group, rank)
          : undefined,
        c.needs(2) ? biasGrad(c, g, rank) : undefined,
      ];
    },
  },
  ConvTranspose: {
    backward(c) {
      const [x, w] = [c.input(0), c.input(1)];
      const { p, rank } = params(c, x);
      const pads = convTransposePads(c, x, p);
      const group = c.attrInt('group', 1);
      const g = c.grad();
      // ConvTranspose is the adjoint of Conv with the same attributes, so dX = conv(g, w)
      const dx = c.needs(0)
        ? c.op('Conv', [g, w], { strides: p.strides, pads, dilations: p.dilations, group })
        : undefined;
      // and dW is Conv's weight gradient with the roles of input and output gradient swapped
      const dw = c.needs(1) ? convWeightGrad(c, g, x, p, pads, group, rank) : undefined;
      return [dx, dw, c.needs(2) ? biasGrad(c, g, rank) : undefined];
    },
  },
} satisfies GradientTable;

/** ConvTranspose's effective pads, resolving output_shape and auto_pad (which need static sizes). */
function convTransposePads(c: RuleContext, x: string, p: ConvParams): number[] {
  const outputShape = c.attrInts('output_shape');
  if (!outputShape && (p.autoPad === 'NOTSET' || p.autoPad === 'VALID')) return [...p.pads];
  const xd = c.dims(x)!;
  const n = xd.length - 2;
  const outputPadding = c.attrInts('output_padding') ?? Array(n).fill(0);
  const begin: number[] = [];
  const end: number[] = [];
  for (let i = 0; i < n; i++) {
    const d = xd[i + 2];
    if (typeof d !== 'number')
      c.fail('output_shape/auto_pad need static input sizes; pass inputShapes to vjp');
    const s = p.strides[i]!;
    const out = outputShape ? outputShape[outputShape.length - n + i]! : d * s;
    const total = s * (d - 1) + outputPadding[i]! + (p.kernel[i]! - 1) * p.dilations[i]! + 1 - out;
    const half = Math.floor(total / 2);
    if (p.autoPad === 'SAME_UPPER') {
      begin.push(half);
      end.push(total - half);
    } else {
      begin.push(total - half);
      end.push(half);
    }
  }
  return [...begin, ...end];
}
