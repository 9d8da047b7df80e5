import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../graphBuilder';
import { elementTypeOf } from '../dataTypes';
import { ort } from '../sessions';
import { checkGradients, normalRandom, type Feed } from './gradientCheck';
import { RULE_CASES, TOLERANCES, type Domain, type RuleCase } from './gradientRules.cases';
import { gradientRules } from './gradientRules';
import { notDifferentiable } from './rules/types';

function seedOf(name: string): number {
  let h = 2166136261;
  for (const ch of name) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  return h >>> 0;
}

function sample(random: () => number, n: number, domain: Domain): number[] {
  return Array.from({ length: n }, () => {
    const v = random();
    if (domain === 'positive') return 0.5 + Math.abs(v) * 0.5;
    if (domain === 'awayFromZero') return Math.sign(v || 1) * (0.3 + Math.abs(random()) * 0.5);
    return v;
  });
}

/** A one-op model whose float inputs are fed (and differentiated) unless frozen. */
function oneOpModel(k: RuleCase) {
  const type = k.type ?? 'float64';
  const random = normalRandom(seedOf(k.name));
  const g = new GraphBuilder({ name: k.op, opset: k.opset ?? 14 });
  const feeds: Record<string, Feed> = {};
  const wrt: string[] = [];
  const floats = (values: number[]) =>
    type === 'float64' ? Float64Array.from(values) : Float32Array.from(values);
  const names = k.inputs.map((spec, i) => {
    if ('absent' in spec) return '';
    if ('ints' in spec)
      return g.constant(BigInt64Array.from(spec.ints.map(BigInt)), spec.dims ?? [spec.ints.length], 'int64');
    if ('bools' in spec) return g.constant(Uint8Array.from(spec.bools), spec.dims, 'bool');
    if ('float32' in spec)
      return g.constant(Float32Array.from(spec.float32), [spec.float32.length], 'float32');
    if ('value' in spec) {
      const values = typeof spec.value === 'number' ? [spec.value] : [...spec.value];
      return g.constant(
        floats(values),
        spec.dims ?? (typeof spec.value === 'number' ? [] : [values.length]),
        type,
      );
    }
    const n = spec.shape.reduce((a, b) => a * b, 1);
    const data = floats(sample(random, n, spec.domain ?? 'any'));
    if (spec.frozen) return g.initializer(`w${i}`, { type, dims: spec.shape, data });
    feeds[`x${i}`] = new ort.Tensor(type, data, spec.shape);
    wrt.push(`x${i}`);
    return g.input(`x${i}`, type, spec.shape);
  });
  const of = Array.from({ length: k.outputs ?? 1 }, (_, i) => `y${i}`);
  g.opN(k.op, names, of.length, k.attrs, of);
  const outType = k.op === 'Cast' ? elementTypeOf(Number(k.attrs?.to)) : type;
  for (const o of of) g.output(o, outType);
  return { model: g.toModel(), feeds, wrt, of, type };
}

describe('gradient rules against central differences', () => {
  it.each(RULE_CASES)('$name', async (k) => {
    const { model, feeds, wrt, of, type } = oneOpModel(k);
    const { eps, tol } = TOLERANCES[k.op] ?? TOLERANCES[type]!;
    const results = await checkGradients(model, feeds, { of, wrt, eps });
    expect(results.length).toBe(wrt.length);
    for (const r of results) {
      expect(r.scale, `gradient of ${r.wrt} is not trivially zero`).toBeGreaterThan(1e-3);
      expect(r.relativeError, `d${of.join('+')}/d${r.wrt}`).toBeLessThan(tol);
    }
  });

  it('covers every rule of the table with at least one case', () => {
    const tested = new Set(RULE_CASES.map((k) => k.op));
    const untested = Object.entries(gradientRules)
      .filter(([op, entry]) => entry !== notDifferentiable && !tested.has(op))
      .map(([op]) => op);
    expect(untested).toEqual([]);
  });
});
