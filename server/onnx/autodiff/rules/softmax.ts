/** Gradient rules for Softmax and LogSoftmax, written with the forward output. */
import type { RuleContext } from '../ruleContext';
import type { GradientTable } from './types';

const mul = (c: RuleContext, a: string, b: string): string => c.op('Mul', [a, b]);

export const softmaxRules = {
  Softmax: {
    inputs: [0],
    backward(c) {
      // dx = y ⊙ (g - Σ(g ⊙ y)) over the softmax axes
      const y = c.output(0);
      const g = c.grad();
      const s = c.reduceSum(mul(c, g, y), softmaxAxes(c), true);
      return [mul(c, y, c.op('Sub', [g, s]))];
    },
  },
  LogSoftmax: {
    inputs: [0],
    backward(c) {
      // dx = g - softmax(x) · Σg
      const g = c.grad();
      const s = c.reduceSum(g, softmaxAxes(c), true);
      return [c.op('Sub', [g, mul(c, c.op('Exp', [c.output(0)]), s)])];
    },
  },
} satisfies GradientTable;

/** Softmax normalises one axis from opset 13; before, every axis from `axis` on (the input coerced to 2-D). */
function softmaxAxes(c: RuleContext): number[] {
  const axis = c.attrInt('axis', c.opset >= 13 ? -1 : 1);
  if (c.opset >= 13) return [axis];
  const rank = c.rank(c.input(0));
  if (rank === undefined) c.fail('opset < 13 Softmax needs the input rank, which is unknown');
  const a = axis < 0 ? axis + rank : axis;
  return Array.from({ length: rank - a }, (_, i) => a + i);
}
