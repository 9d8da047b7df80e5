/**
 * Gradient rules for ops that only move elements: the gradient is moved back (inverse reshape, inverse
 * permutation, Split of a Concat and Concat of a Split). Shape, axes and size inputs take no gradient.
 */
import type { RuleContext } from '../ruleContext';
import type { GradientTable } from './types';

const INT_MAX = 2 ** 31 - 1;

/** Axes given as an attribute before `inputSince` and as input 1 from then on. */
function axesOf(c: RuleContext, inputSince: number): number[] | undefined {
  if (c.opset < inputSince) return c.attrInts('axes');
  if (!c.hasInput(1)) return undefined;
  return c.constInts(1) ?? c.fail('its axes are computed at run time; only constant axes are supported');
}

const reshapeBack = { inputs: [0], backward: (c: RuleContext) => [c.reshapeLike(c.grad(), c.input(0))] };

/** Sizes of each input along `axis`: numbers when static, else a run-time int64 tensor. */
function concatSizes(c: RuleContext, axis: number): number[] | string {
  const dims = c.node.input.map((x) => c.dims(x));
  const sizes = dims.map((d) => (d ? d[axis < 0 ? axis + d.length : axis] : undefined));
  if (sizes.every((s): s is number => typeof s === 'number')) return sizes;
  const parts = c.node.input.map((x, i) => {
    const s = sizes[i];
    if (typeof s === 'number') return c.ints([s]);
    return c.op('Slice', [c.op('Shape', [x]), c.ints([axis]), c.ints([axis + 1 === 0 ? INT_MAX : axis + 1])]);
  });
  return c.op('Concat', parts, { axis: 0 });
}

export const shapeOpRules = {
  Reshape: reshapeBack,
  Flatten: reshapeBack,
  Squeeze: {
    inputs: [0],
    backward(c) {
      const axes = axesOf(c, 13);
      return [axes ? c.unsqueeze(c.grad(), axes) : c.reshapeLike(c.grad(), c.input(0))];
    },
  },
  Unsqueeze: {
    inputs: [0],
    backward(c) {
      // Unsqueeze's axes index its output, which is what Squeeze's index in g
      const axes = axesOf(c, 13) ?? c.fail('its axes are unknown');
      return [c.squeeze(c.grad(), axes)];
    },
  },
  Transpose: {
    backward(c) {
      const perm = c.attrInts('perm');
      if (!perm) return [c.op('Transpose', [c.grad()])]; // the default reversal is its own inverse
      const inverse = perm.map((_, i) => perm.indexOf(i));
      return [c.transpose(c.grad(), inverse)];
    },
  },
  Concat: {
    backward(c) {
      const n = c.node.input.length;
      if (n === 1) return [c.grad()];
      const axis = c.attrInt('axis', 0);
      const parts = c.split(c.grad(), axis, concatSizes(c, axis), n);
      return parts.map((p, i) => (c.needs(i) ? p : undefined));
    },
  },
  Split: {
    inputs: [0],
    backward(c) {
      const parts = c.node.output.map((o, i) => (o ? c.grad(i) : undefined));
      if (parts.some((p) => p === undefined)) c.fail('one of its outputs is unnamed');
      return [c.op('Concat', parts as string[], { axis: c.attrInt('axis', 0) })];
    },
  },
} satisfies GradientTable;
