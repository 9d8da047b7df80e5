/**
 * Gradient rules for Reduce* ops: the output gradient is given back its reduced axes (when keepdims=0)
 * and broadcast over the input, times the local derivative (1/n for means, x/y for L2 norms...).
 */
import { onnxTypeCode } from '../../dataTypes';
import type { RuleContext } from '../ruleContext';
import type { GradientRule, GradientTable } from './types';
import { dimProduct, type SymDim } from '../../shapes/symbolicDims';

/** Reduced axes of the node; undefined means "all axes"; [] with noop_with_empty_axes means none. */
function reducedAxes(c: RuleContext, inputSince: number): number[] | undefined {
  if (c.opset < inputSince) return c.attrInts('axes');
  if (!c.hasInput(1)) return c.attrInt('noop_with_empty_axes', 0) ? [] : undefined;
  const axes = c.constInts(1);
  if (!axes) c.fail('its axes are computed at run time; only constant axes are supported');
  return axes.length === 0 && !c.attrInt('noop_with_empty_axes', 0) ? undefined : axes;
}

interface Reduction {
  /** g (or y) with the reduced axes restored as size-1 axes, so it broadcasts against x. */
  keep(t: string): string;
  axes: number[] | undefined;
}

function reduction(c: RuleContext, inputSince: number): Reduction {
  const axes = reducedAxes(c, inputSince);
  const keepdims = c.attrInt('keepdims', 1) === 1;
  const keep = (t: string): string => {
    if (keepdims || axes === undefined) return t; // a full reduction's scalar broadcasts as is
    return c.unsqueeze(
      t,
      [...axes].sort((a, b) => a - b),
    );
  };
  return { keep, axes };
}

/** Element count of the reduced axes: a constant when static, else Size(x)/Size(y) at run time. */
function reducedCount(c: RuleContext, axes: number[] | undefined): string {
  const dims = c.dims(c.input(0));
  if (dims) {
    const rank = dims.length;
    const picked: SymDim[] = axes === undefined ? [...dims] : axes.map((a) => dims[a < 0 ? a + rank : a]!);
    const n = dimProduct(picked);
    if (typeof n === 'number') return c.constant(n);
  }
  const size = (t: string): string => c.op('Cast', [c.op('Size', [t])], { to: onnxTypeCode(c.floatType) });
  return c.op('Div', [size(c.input(0)), size(c.output(0))]);
}

function reduceRule(
  inputSince: number,
  local: (c: RuleContext, gk: string, r: Reduction) => string,
): GradientRule {
  return {
    inputs: [0],
    backward(c) {
      const r = reduction(c, inputSince);
      if (r.axes && r.axes.length === 0) return [c.grad()];
      return [local(c, r.keep(c.grad()), r)];
    },
  };
}

const mul = (c: RuleContext, a: string, b: string): string => c.op('Mul', [a, b]);

export const reductionRules = {
  ReduceSum: reduceRule(13, (c, gk) => c.expandLike(gk, c.input(0))),
  ReduceMean: reduceRule(18, (c, gk, r) =>
    c.expandLike(c.op('Div', [gk, reducedCount(c, r.axes)]), c.input(0)),
  ),
  // y = Σx²: dx = 2x·g
  ReduceSumSquare: reduceRule(18, (c, gk) => mul(c, mul(c, c.input(0), c.constant(2)), gk)),
  // y = √Σx²: dx = x·g/y
  ReduceL2: reduceRule(18, (c, gk, r) => mul(c, c.input(0), c.op('Div', [gk, r.keep(c.output(0))]))),
  ReduceL1: reduceRule(18, (c, gk) => mul(c, c.op('Sign', [c.input(0)]), gk)),
  // y = log Σeˣ: dx = eˣ⁻ʸ·g
  ReduceLogSumExp: reduceRule(18, (c, gk, r) =>
    mul(c, c.op('Exp', [c.op('Sub', [c.input(0), r.keep(c.output(0))])]), gk),
  ),
  // the gradient is shared equally among tied extrema
  ReduceMax: reduceRule(18, extremum),
  ReduceMin: reduceRule(18, extremum),
} satisfies GradientTable;

function extremum(c: RuleContext, gk: string, r: Reduction): string {
  const hit = c.op('Cast', [c.op('Equal', [c.input(0), r.keep(c.output(0))])], {
    to: onnxTypeCode(c.floatType),
  });
  const ties = c.reduceSum(
    hit,
    r.axes ?? [...Array(c.rank(c.input(0)) ?? c.fail('input rank unknown')).keys()],
    true,
  );
  return mul(c, hit, c.op('Div', [gk, ties]));
}
