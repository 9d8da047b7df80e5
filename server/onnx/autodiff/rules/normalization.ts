/**
 * Closed-form gradients of the normalisation ops. With x̂ = (x - μ)·r, r = 1/√(σ² + ε) over the normalised
 * axes and gₛ = g·scale: dx = r·(gₛ - mean(gₛ) - x̂·mean(gₛ·x̂)), dscale = Σ g·x̂, dbias = Σ g.
 * InstanceNormalization and GroupNormalization recompute μ and r; LayerNormalization exposes its own
 * Mean/InvStdDev outputs.
 */
import { onnxTypeCode } from '../../dataTypes';
import type { RuleContext } from '../ruleContext';
import type { GradientTable } from './types';

const mul = (c: RuleContext, a: string, b: string): string => c.op('Mul', [a, b]);
const range = (from: number, to: number): number[] =>
  Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);

/** r·(gₛ - mean(gₛ) - x̂·mean(gₛ·x̂)) over `axes`. */
function normalizedGrad(
  c: RuleContext,
  gs: string,
  xhat: string,
  rstd: string,
  axes: readonly number[],
): string {
  const m1 = c.reduceMean(gs, axes, true);
  const m2 = c.reduceMean(mul(c, gs, xhat), axes, true);
  return mul(c, rstd, c.op('Sub', [c.op('Sub', [gs, m1]), mul(c, xhat, m2)]));
}

/** μ-centred input and r = 1/√(var + ε) over `axes`. */
function statistics(
  c: RuleContext,
  x: string,
  axes: readonly number[],
  epsilon: number,
): { centred: string; rstd: string } {
  const centred = c.op('Sub', [x, c.reduceMean(x, axes, true)]);
  const variance = c.reduceMean(mul(c, centred, centred), axes, true);
  return {
    centred,
    rstd: c.op('Reciprocal', [c.op('Sqrt', [c.op('Add', [variance, c.constant(epsilon)])])]),
  };
}

const isAll = (values: number[] | undefined, v: number): boolean =>
  values !== undefined && values.every((x) => x === v);

function rankOf(c: RuleContext, x: string): number {
  return c.rank(x) ?? c.fail('the rank of its input is unknown');
}

/** A per-channel [C] tensor shaped to broadcast over [N, C, S…]. */
const perChannel = (c: RuleContext, t: string, rank: number): string => c.unsqueeze(t, range(1, rank - 1));

export const normalizationRules = {
  InstanceNormalization: {
    backward(c) {
      const [x, scale] = [c.input(0), c.input(1)];
      const rank = rankOf(c, x);
      const axes = range(2, rank);
      const g = c.grad();
      const { centred, rstd } = statistics(c, x, axes, c.attrFloat('epsilon', 1e-5));
      const unitScale = isAll(c.constNumbers(1), 1);
      // torch's GroupNorm export uses scale 1, bias 0, so the output already is x̂
      const xhat = unitScale && isAll(c.constNumbers(2), 0) ? c.output(0) : mul(c, centred, rstd);
      const gs = unitScale ? g : mul(c, g, perChannel(c, scale, rank));
      const reduceAxes = [0, ...axes];
      return [
        c.needs(0) ? normalizedGrad(c, gs, xhat, rstd, axes) : undefined,
        c.needs(1) ? c.reduceSum(mul(c, g, xhat), reduceAxes, false) : undefined,
        c.needs(2) ? c.reduceSum(g, reduceAxes, false) : undefined,
      ];
    },
  },
  LayerNormalization: {
    outputs: [0],
    backward(c) {
      const [x, scale, bias] = [c.input(0), c.input(1), c.input(2)];
      const rank = rankOf(c, x);
      const axis = c.attrInt('axis', -1);
      const axes = range(axis < 0 ? axis + rank : axis, rank);
      const g = c.grad();
      const asFloat = (t: string): string =>
        c.type(t) === c.floatType ? t : c.op('Cast', [t], { to: onnxTypeCode(c.floatType) });
      const mean = asFloat(c.forwardOutput(1));
      const rstd = asFloat(c.forwardOutput(2));
      const xhat = mul(c, c.op('Sub', [x, mean]), rstd);
      return [
        c.needs(0) ? normalizedGrad(c, mul(c, g, scale), xhat, rstd, axes) : undefined,
        c.needs(1) ? c.reduceTo(mul(c, g, xhat), scale) : undefined,
        c.needs(2) ? c.reduceTo(g, bias) : undefined,
      ];
    },
  },
  GroupNormalization: {
    backward(c) {
      // normalise [N, G, C/G·S…] over its last axis; opset 18 has one scale per group, opset 21 one per channel
      const [x, scale] = [c.input(0), c.input(1)];
      const rank = rankOf(c, x);
      const groups = c.attrInt('num_groups', 1);
      const grouped = (t: string): string => c.op('Reshape', [t, c.ints([0, groups, -1])]);
      const g = c.grad();
      const { centred, rstd } = statistics(c, grouped(x), [2], c.attrFloat('epsilon', 1e-5));
      const xhatGrouped = mul(c, centred, rstd);
      const channelScale = c.opset >= 21;
      const gGrouped = grouped(g);
      const gs = channelScale
        ? grouped(mul(c, g, perChannel(c, scale, rank)))
        : mul(c, gGrouped, c.unsqueeze(scale, [1]));
      const dx = c.needs(0) ? c.reshapeLike(normalizedGrad(c, gs, xhatGrouped, rstd, [2]), x) : undefined;
      const affine = (t: string): string =>
        channelScale
          ? c.reduceSum(c.reshapeLike(t, x), [0, ...range(2, rank)], false)
          : c.reduceSum(t, [0, 2], false);
      return [
        dx,
        c.needs(1) ? affine(mul(c, gGrouped, xhatGrouped)) : undefined,
        c.needs(2) ? affine(gGrouped) : undefined,
      ];
    },
  },
  BatchNormalization: {
    inputs: [0, 1, 2],
    outputs: [0],
    backward(c) {
      if (c.attrInt('training_mode', 0))
        c.fail('training-mode BatchNormalization is not supported; export in eval mode');
      const [x, scale, mean, variance] = [c.input(0), c.input(1), c.input(3), c.input(4)];
      const rank = rankOf(c, x);
      const g = c.grad();
      const rstd = perChannel(
        c,
        c.op('Reciprocal', [
          c.op('Sqrt', [c.op('Add', [variance, c.constant(c.attrFloat('epsilon', 1e-5))])]),
        ]),
        rank,
      );
      const axes = [0, ...range(2, rank)];
      const xhat = (): string => mul(c, c.op('Sub', [x, perChannel(c, mean, rank)]), rstd);
      return [
        c.needs(0) ? mul(c, g, mul(c, perChannel(c, scale, rank), rstd)) : undefined,
        c.needs(1) ? c.reduceSum(mul(c, g, xhat()), axes, false) : undefined,
        c.needs(2) ? c.reduceSum(g, axes, false) : undefined,
      ];
    },
  },
} satisfies GradientTable;
