/**
 * Gradient rules for one-input math and activation ops. Each is dy/dx · g written with the forward output
 * where that is cheaper (Exp, Sigmoid, Tanh, Sqrt), and with ops onnxruntime's CPU provider has for every
 * float type (double has no Cos kernel, so Sin's derivative there is Sin(x + π/2)).
 */
import type { RuleContext } from '../ruleContext';
import type { GradientRule, GradientTable } from './types';

/** A rule for y = f(x) given g·f'(x). */
function unary(local: (c: RuleContext, g: string, x: string, y: string) => string): GradientRule {
  return { inputs: [0], backward: (c) => [local(c, c.grad(), c.input(0), c.output(0))] };
}

const mul = (c: RuleContext, a: string, b: string): string => c.op('Mul', [a, b]);

function cosine(c: RuleContext, x: string): string {
  if (c.floatType === 'float64') return c.op('Sin', [c.op('Add', [x, c.constant(Math.PI / 2)])]);
  return c.op('Cos', [x]);
}

/** The mask of x inside Clip's [min, max] (gradient passes where min ≤ x ≤ max, as in torch.clamp). */
function clipMask(c: RuleContext, x: string): string | undefined {
  const bound = (i: number, attrName: string): string | undefined => {
    if (c.opset >= 11) return c.hasInput(i) ? c.input(i) : undefined;
    const v = c.attrFloat(attrName, Number.NaN);
    return Number.isNaN(v) ? undefined : c.constant(v);
  };
  const lo = bound(1, 'min');
  const hi = bound(2, 'max');
  const parts = [
    lo && c.op('Not', [c.op('Less', [x, lo])]),
    hi && c.op('Not', [c.op('Greater', [x, hi])]),
  ].filter((p): p is string => !!p);
  if (parts.length === 0) return undefined;
  return parts.length === 1 ? parts[0] : c.op('And', parts);
}

function gelu(c: RuleContext, g: string, x: string): string {
  if (c.attrString('approximate', 'none') === 'tanh') {
    // y = ½x(1 + t), t = tanh(u), u = √(2/π)(x + 0.044715x³): y' = ½(1 + t) + ½x(1 - t²)·√(2/π)(1 + 3·0.044715x²)
    const k = Math.sqrt(2 / Math.PI);
    const x2 = mul(c, x, x);
    const u = mul(c, c.op('Add', [x, mul(c, mul(c, x2, x), c.constant(0.044715))]), c.constant(k));
    const t = c.op('Tanh', [u]);
    const du = mul(c, c.op('Add', [c.constant(1), mul(c, x2, c.constant(3 * 0.044715))]), c.constant(k));
    const left = mul(c, c.op('Add', [t, c.constant(1)]), c.constant(0.5));
    const right = mul(c, mul(c, mul(c, x, c.op('Sub', [c.constant(1), mul(c, t, t)])), du), c.constant(0.5));
    return mul(c, g, c.op('Add', [left, right]));
  }
  // y = xΦ(x): y' = Φ(x) + x·φ(x), Φ(x) = ½(1 + erf(x/√2)), φ(x) = exp(-x²/2)/√(2π)
  const cdf = mul(
    c,
    c.op('Add', [c.op('Erf', [mul(c, x, c.constant(Math.SQRT1_2))]), c.constant(1)]),
    c.constant(0.5),
  );
  const pdf = mul(
    c,
    c.op('Exp', [mul(c, mul(c, x, x), c.constant(-0.5))]),
    c.constant(1 / Math.sqrt(2 * Math.PI)),
  );
  return mul(c, g, c.op('Add', [cdf, mul(c, x, pdf)]));
}

export const unaryMathRules = {
  Neg: unary((c, g) => c.op('Neg', [g])),
  Sqrt: unary((c, g, _x, y) => c.op('Div', [g, mul(c, y, c.constant(2))])),
  Reciprocal: unary((c, g, _x, y) => c.op('Neg', [mul(c, g, mul(c, y, y))])), // d(1/x) = -1/x² = -y²
  Exp: unary((c, g, _x, y) => mul(c, g, y)),
  Log: unary((c, g, x) => c.op('Div', [g, x])),
  // d erf(x) = 2/√π · exp(-x²)
  Erf: unary((c, g, x) =>
    mul(c, g, mul(c, c.op('Exp', [c.op('Neg', [mul(c, x, x)])]), c.constant(2 / Math.sqrt(Math.PI)))),
  ),
  Sin: unary((c, g, x) => mul(c, g, cosine(c, x))),
  Cos: unary((c, g, x) => c.op('Neg', [mul(c, g, c.op('Sin', [x]))])),
  Abs: unary((c, g, x) => mul(c, g, c.op('Sign', [x]))),
  Tanh: unary((c, g, _x, y) => mul(c, g, c.op('Sub', [c.constant(1), mul(c, y, y)]))),
  Sigmoid: unary((c, g, _x, y) => mul(c, g, mul(c, y, c.op('Sub', [c.constant(1), y])))),
  Relu: unary((c, g, _x, y) => c.op('Where', [c.op('Greater', [y, c.constant(0)]), g, c.constant(0)])),
  LeakyRelu: unary((c, g, x) =>
    c.op('Where', [
      c.op('Greater', [x, c.constant(0)]),
      g,
      mul(c, g, c.constant(c.attrFloat('alpha', 0.01))),
    ]),
  ),
  Elu: unary((c, g, x, y) =>
    // x ≤ 0: y = α(eˣ - 1), y' = y + α
    c.op('Where', [
      c.op('Greater', [x, c.constant(0)]),
      g,
      mul(c, g, c.op('Add', [y, c.constant(c.attrFloat('alpha', 1))])),
    ]),
  ),
  Softplus: unary((c, g, x) => mul(c, g, c.op('Sigmoid', [x]))),
  HardSigmoid: unary((c, g, _x, y) => {
    const inside = c.op('And', [c.op('Greater', [y, c.constant(0)]), c.op('Less', [y, c.constant(1)])]);
    return c.op('Where', [inside, mul(c, g, c.constant(c.attrFloat('alpha', 0.2))), c.constant(0)]);
  }),
  Clip: unary((c, g, x) => {
    const mask = clipMask(c, x);
    return mask ? c.op('Where', [mask, g, c.constant(0)]) : g;
  }),
  Gelu: unary((c, g, x) => gelu(c, g, x)),
} satisfies GradientTable;
