/**
 * Gradient rules for broadcasting arithmetic (Add Sub Mul Div Pow Sum Mean Where Expand) and the
 * pass-through ops (Identity Cast Dropout). Every gradient is reduced back to its input's shape.
 */
import { onnxTypeCode } from '../../dataTypes';
import type { RuleContext } from '../ruleContext';
import type { GradientRule, GradientTable } from './types';
import { meanAxes, rmsNormalizedAxes } from './normalizationPatterns';

/** A two-input broadcasting op: `local` returns the unreduced input gradients. */
function binary(
  local: (c: RuleContext, g: string) => [string | undefined, string | undefined],
): GradientRule {
  return {
    backward(c) {
      const [da, db] = local(c, c.grad());
      const outDims = c.dims(c.output(0));
      return [da && c.reduceTo(da, c.input(0), outDims), db && c.reduceTo(db, c.input(1), outDims)];
    },
  };
}

function powRule(c: RuleContext, g: string): [string | undefined, string | undefined] {
  const [a, b, y] = [c.input(0), c.input(1), c.output(0)];
  let da: string | undefined;
  if (c.needs(0)) {
    const exponent = c.constNumbers(1);
    const p = exponent && exponent.length === 1 ? exponent[0]! : undefined;
    if (p === 1) da = g;
    else if (p === 2)
      da = c.op('Mul', [g, c.op('Mul', [a, c.constant(2)])]); // d(a²) = 2a
    else if (p === 0.5)
      da = c.op('Div', [g, c.op('Mul', [y, c.constant(2)])]); // d√a = 1 / (2√a)
    else if (p !== undefined)
      da = c.op('Mul', [g, c.op('Mul', [c.op('Pow', [a, c.constant(p - 1)]), c.constant(p)])]);
    else {
      const bf = c.type(b) === c.floatType ? b : c.op('Cast', [b], { to: onnxTypeCode(c.floatType) });
      da = c.op('Mul', [g, c.op('Mul', [bf, c.op('Pow', [a, c.op('Sub', [bf, c.constant(1)])])])]); // b·a^(b-1)
    }
  }
  // d(a^b)/db = a^b · ln a
  const db = c.needs(1) ? c.op('Mul', [g, c.op('Mul', [y, c.op('Log', [a])])]) : undefined;
  return [da, db];
}

function variadicSum(scale: boolean): GradientRule {
  return {
    backward(c) {
      const n = c.node.input.length;
      const g = scale ? c.op('Mul', [c.grad(), c.constant(1 / n)]) : c.grad();
      const outDims = c.dims(c.output(0));
      return c.node.input.map((x, i) => (c.needs(i) ? c.reduceTo(g, x, outDims) : undefined));
    },
  };
}

const subtract = binary((c, g) => [c.needs(0) ? g : undefined, c.needs(1) ? c.op('Neg', [g]) : undefined]);

const divide = binary((c, g) => {
  // y = a / b: da = g / b, db = -g·a/b² = -da·y
  const da = c.op('Div', [g, c.input(1)]);
  return [
    c.needs(0) ? da : undefined,
    c.needs(1) ? c.op('Neg', [c.op('Mul', [da, c.output(0)])]) : undefined,
  ];
});

const passThrough: GradientRule = { inputs: [0], outputs: [0], backward: (c) => [c.grad()] };

export const elementwiseRules = {
  Add: binary((c, g) => [c.needs(0) ? g : undefined, c.needs(1) ? g : undefined]),
  Sub: {
    backward(c) {
      // x - mean(x): dx = g - mean(g), with the mean's path folded in
      const axes = c.needs(0) && c.needs(1) ? meanAxes(c, c.producer(c.input(1)), c.input(0)) : undefined;
      if (!axes) return subtract.backward(c);
      c.fold(1);
      const g = c.grad();
      return [c.op('Sub', [g, c.reduceMean(g, axes, true)])];
    },
  },
  Mul: binary((c, g) => [
    c.needs(0) ? c.op('Mul', [g, c.input(1)]) : undefined,
    c.needs(1) ? c.op('Mul', [g, c.input(0)]) : undefined,
  ]),
  Div: {
    backward(c) {
      // y = c / √(mean(c²) + ε): dc = (g - y·mean(g·y)) / √(…), the path through the denominator folded in
      const axes = c.needs(0) && c.needs(1) ? rmsNormalizedAxes(c) : undefined;
      if (!axes) return divide.backward(c);
      c.fold(1);
      const [g, y] = [c.grad(), c.output(0)];
      const projected = c.op('Mul', [y, c.reduceMean(c.op('Mul', [g, y]), axes, true)]);
      return [c.op('Div', [c.op('Sub', [g, projected]), c.input(1)])];
    },
  },
  Pow: binary(powRule),
  Sum: variadicSum(false),
  Mean: variadicSum(true),
  Where: {
    inputs: [1, 2],
    backward(c) {
      const g = c.grad();
      const zero = c.constant(0);
      const outDims = c.dims(c.output(0));
      const dx = c.needs(1)
        ? c.reduceTo(c.op('Where', [c.input(0), g, zero]), c.input(1), outDims)
        : undefined;
      const dy = c.needs(2)
        ? c.reduceTo(c.op('Where', [c.input(0), zero, g]), c.input(2), outDims)
        : undefined;
      return [undefined, dx, dy];
    },
  },
  Expand: { inputs: [0], backward: (c) => [c.reduceTo(c.grad(), c.input(0), c.dims(c.output(0)))] },
  Identity: passThrough,
  Cast: {
    inputs: [0],
    backward(c) {
      const from = c.type(c.input(0)) ?? c.fail('the element type of its input is unknown');
      return [from === c.type(c.output(0)) ? c.grad() : c.op('Cast', [c.grad()], { to: onnxTypeCode(from) })];
    },
  },
  Dropout: {
    inputs: [0],
    outputs: [0],
    backward(c) {
      const training = c.constNumbers(2);
      if (c.hasInput(2) && (!training || training[0] !== 0))
        c.fail('training-mode Dropout is random; export the model in eval mode');
      return [c.grad()];
    },
  },
} satisfies GradientTable;
