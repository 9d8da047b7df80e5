import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../graphBuilder';
import { float } from '../attributes';
import type { ModelProto } from '../proto';
import { createSession, ort } from '../sessions';
import { vjp } from './vjp';
import { checkGradients } from './gradientCheck';

const f64 = (values: number[], dims: number[]) => new ort.Tensor('float64', Float64Array.from(values), dims);
const f32 = (values: number[], dims: number[]) => new ort.Tensor('float32', Float32Array.from(values), dims);

async function run(model: ModelProto, feeds: Record<string, ort.Tensor>): Promise<Record<string, number[]>> {
  const session = await createSession(model, { provider: 'cpu', threads: 1, optimization: 'basic' });
  const out = await session.run(feeds);
  await session.release();
  return Object.fromEntries(
    Object.entries(out).map(([k, t]) => [k, Array.from(t.data as Float64Array, Number)]),
  );
}

const gradNodes = (model: ModelProto, prefix = 'grad/') =>
  (model.graph?.node ?? []).filter((n) => (n.name ?? '').startsWith(prefix));
const opsOf = (model: ModelProto) => gradNodes(model).map((n) => n.opType);
/** Gradient nodes that read any of `tensors`. */
const readersOf = (model: ModelProto, tensors: string[]) =>
  gradNodes(model).filter((n) => (n.input ?? []).some((name) => tensors.includes(name)));

describe('vjp', () => {
  it('sums the gradients of a tensor used three times with one Sum node', async () => {
    // y = x·x + sin(x): dy/dx = 2x + cos(x)
    const g = new GraphBuilder({ opset: 14 });
    const x = g.input('x', 'float64', [3]);
    g.op('Add', [g.op('Mul', [x, x]), g.op('Sin', [x])], undefined, 'y');
    g.output('y', 'float64', [3]);
    const model = vjp(g.toModel(), { of: ['y'], wrt: ['x'] });
    const xs = [0.5, -1, 2];
    const out = await run(model, { x: f64(xs, [3]), grad_y: f64([1, 1, 1], [3]) });
    xs.forEach((v, i) => expect(out.grad_x![i]).toBeCloseTo(2 * v + Math.cos(v), 12));
    expect(opsOf(model).filter((op) => op === 'Sum')).toHaveLength(1);
  });

  it('seeds a scalar loss with 1 and keeps only gradients when asked', async () => {
    // loss = mean(x²): d/dx = 2x/n
    const g = new GraphBuilder({ opset: 14 });
    const x = g.input('x', 'float64', [2, 2]);
    g.op('ReduceMean', [g.op('Mul', [x, x])], { keepdims: 0 }, 'loss');
    g.output('loss', 'float64', []);
    const model = vjp(g.toModel(), {
      of: ['loss'],
      wrt: ['x'],
      seedScalarLoss: true,
      keepOutputs: false,
      gradName: (n) => `d_${n}`,
    });
    expect(model.graph?.input?.map((v) => v.name)).toEqual(['x']);
    expect(model.graph?.output?.map((v) => v.name)).toEqual(['d_x']);
    const out = await run(model, { x: f64([1, 2, 3, 4], [2, 2]) });
    expect(out.d_x).toEqual([0.5, 1, 1.5, 2]);
  });

  it('differentiates only between wrt and of: ops elsewhere need no rule', async () => {
    // Hardmax has no gradient rule; it sits upstream of wrt and on a side output
    const g = new GraphBuilder({ opset: 14 });
    const a = g.input('a', 'float32', [2, 3]);
    const x = g.input('x', 'float32', [2, 3]);
    g.op('Mul', [g.op('Hardmax', [a]), x], undefined, 'y');
    g.op('Hardmax', [x], undefined, 'side');
    g.output('y', 'float32', [2, 3]);
    g.output('side', 'float32', [2, 3]);
    const model = vjp(g.toModel(), { of: ['y'], wrt: ['x'] });
    const out = await run(model, {
      a: f32([1, 5, 2, 7, 0, 3], [2, 3]),
      x: f32([1, 2, 3, 4, 5, 6], [2, 3]),
      grad_y: f32([1, 1, 1, 1, 1, 1], [2, 3]),
    });
    expect(out.grad_x).toEqual([0, 1, 0, 1, 0, 0]);
    expect(out.side).toEqual([0, 0, 1, 0, 0, 1]);
  });

  it('differentiates w.r.t. an intermediate tensor without touching its producer', async () => {
    const g = new GraphBuilder({ opset: 14 });
    const a = g.input('a', 'float32', [2, 3]);
    const h = g.opN('Hardmax', [a], 1, undefined, ['h'])[0]!;
    g.op('Mul', [h, g.constant([2, 3, 4], [3])], undefined, 'y');
    g.output('y', 'float32', [2, 3]);
    const model = vjp(g.toModel(), { of: ['y'], wrt: ['h'] });
    const out = await run(model, {
      a: f32([1, 2, 3, 4, 5, 6], [2, 3]),
      grad_y: f32([1, 1, 1, 1, 1, 1], [2, 3]),
    });
    expect(out.grad_h).toEqual([2, 3, 4, 2, 3, 4]);
  });

  it('names the op, the node and the path from the loss when a rule is missing', () => {
    const g = new GraphBuilder({ opset: 14 });
    const x = g.input('x', 'float32', [2, 3]);
    const h = g.op('Add', [x, g.scalar(1)]);
    const hm = g.opN('Hardmax', [h], 1, undefined, ['hm'])[0]!;
    g.op('Mul', [g.op('Relu', [hm]), g.scalar(2)], undefined, 'loss');
    g.output('loss', 'float32', [2, 3]);
    const model = g.toModel();
    const hardmax = model.graph!.node!.find((n) => n.opType === 'Hardmax')!;
    expect(() => vjp(model, { of: ['loss'], wrt: ['x'] })).toThrow(
      new RegExp(
        `no gradient rule for op Hardmax \\(node "${hardmax.name}"\\).*"loss" ← Mul "Mul" ← Relu "Relu" ← Hardmax "${hardmax.name}"`,
      ),
    );
  });

  it('gives a LayerNorm exported op by op a closed-form gradient', async () => {
    // torch: (x - mean(x)) / sqrt(mean((x - mean(x))²) + eps)
    const g = new GraphBuilder({ opset: 14 });
    const x = g.input('x', 'float64', ['batch', 6]);
    const centred = g.op('Sub', [x, g.op('ReduceMean', [x], { axes: [-1] })]);
    const squared = g.op('Pow', [centred, g.constant([2], [], 'float64')]);
    const variance = g.op('ReduceMean', [squared], { axes: [-1] });
    const shifted = g.op('Add', [variance, g.constant([1e-5], [], 'float64')]);
    g.op('Div', [centred, g.op('Sqrt', [shifted])], undefined, 'y');
    g.output('y', 'float64', ['batch', 6]);
    // dx = (g - y·mean(g·y)) / σ, then minus its mean: no step of the variance is differentiated, so the
    // gradient reads none of its tensors (σ itself is read) and emits no Pow or Sqrt of its own
    const model = vjp(g.toModel(), { of: ['y'], wrt: ['x'] });
    expect(readersOf(model, [squared, variance, shifted])).toEqual([]);
    expect(opsOf(model)).not.toContain('Pow');
    expect(opsOf(model)).not.toContain('Sqrt');
    const data = Array.from({ length: 12 }, (_, i) => Math.sin(3 * i));
    const [dx] = await checkGradients(
      g.toModel(),
      { x: f64(data, [2, 6]) },
      { of: ['y'], wrt: ['x'], eps: 1e-6 },
    );
    expect(dx!.relativeError).toBeLessThan(1e-7);
  });

  it('emits no weight gradient when conv weights are frozen', () => {
    const g = new GraphBuilder({ opset: 14 });
    const x = g.input('x', 'float32', [1, 2, 5, 5]);
    const w = g.initializer('w', {
      type: 'float32',
      dims: [3, 2, 3, 3],
      data: new Float32Array(54).fill(0.1),
    });
    const b = g.initializer('b', { type: 'float32', dims: [3], data: new Float32Array(3) });
    g.op('Conv', [x, w, b], { pads: [1, 1, 1, 1] }, 'y');
    g.output('y', 'float32', [1, 3, 5, 5]);
    // a weight gradient correlates x with grad_y and a bias gradient sums grad_y; the input gradient needs
    // only grad_y and w: nothing reads x, and grad_y feeds one node, a ConvTranspose with w
    const forInput = vjp(g.toModel(), { of: ['y'], wrt: ['x'] });
    expect(readersOf(forInput, ['x'])).toEqual([]);
    expect(readersOf(forInput, ['grad_y']).map((n) => [n.opType, ...(n.input ?? [])])).toEqual([
      ['ConvTranspose', 'grad_y', 'w'],
    ]);
    // and with x not asked for, no input gradient (no ConvTranspose)
    expect(opsOf(vjp(g.toModel(), { of: ['y'], wrt: ['w'] }))).not.toContain('ConvTranspose');
  });

  it('does not differentiate shape computations that feed a Reshape', async () => {
    // torch-style: Reshape(x, Concat(Shape(x)[0], 2, 3)) with a symbolic batch
    const g = new GraphBuilder({ opset: 14 });
    const x = g.input('x', 'float64', ['batch', 6]);
    const batch = g.op('Unsqueeze', [
      g.op('Gather', [g.op('Shape', [x]), g.constant([0], [], 'int64')], { axis: 0 }),
      g.ints([0]),
    ]);
    const shape = g.op('Concat', [batch, g.ints([2, 3])], { axis: 0 });
    g.op('Mul', [g.op('Reshape', [x, shape]), g.constant([3], [], 'float64')], undefined, 'y');
    g.output('y', 'float64', ['batch', 2, 3]);
    const model = vjp(g.toModel(), { of: ['y'], wrt: ['x'] });
    expect(opsOf(model)).not.toContain('Shape'); // [batch, 6] is reached with Reshape(0, -1)
    const out = await run(model, {
      x: f64(Array(12).fill(1), [2, 6]),
      grad_y: f64([...Array(12).keys()], [2, 2, 3]),
    });
    expect(out.grad_x).toEqual([...Array(12).keys()].map((v) => 3 * v));
  });

  it('reduces broadcasts statically when dims are known and at run time when they are not', async () => {
    const staticGraph = new GraphBuilder({ opset: 14 });
    staticGraph.op(
      'Add',
      [staticGraph.input('a', 'float32', ['batch', 3]), staticGraph.input('bias', 'float32', [3])],
      undefined,
      'y',
    );
    staticGraph.output('y', 'float32', ['batch', 3]);
    // known dims: one ReduceSum over the broadcast axis, no run-time shape arithmetic
    const staticModel = vjp(staticGraph.toModel(), { of: ['y'], wrt: ['bias'] });
    expect(opsOf(staticModel).filter((op) => op === 'ReduceSum')).toHaveLength(1);
    for (const op of ['Shape', 'NonZero']) expect(opsOf(staticModel)).not.toContain(op);
    const summed = await run(staticModel, {
      a: f32([1, 2, 3, 4, 5, 6], [2, 3]),
      bias: f32([0, 0, 0], [3]),
      grad_y: f32([1, 2, 3, 4, 5, 6], [2, 3]),
    });
    expect(summed.grad_bias).toEqual([5, 7, 9]);

    // n and m are unrelated symbols: either may be 1, so only the run time knows what to sum
    const dynamic = new GraphBuilder({ opset: 14 });
    dynamic.op(
      'Add',
      [dynamic.input('a', 'float32', ['n', 3]), dynamic.input('b', 'float32', ['m', 3])],
      undefined,
      'y',
    );
    dynamic.output('y', 'float32', ['k', 3]);
    const model = vjp(dynamic.toModel(), { of: ['y'], wrt: ['a', 'b'] });
    expect(opsOf(model)).toContain('NonZero');
    const out = await run(model, {
      a: f32([1, 2, 3, 4, 5, 6], [2, 3]),
      b: f32([0, 0, 0], [1, 3]),
      grad_y: f32([1, 2, 3, 4, 5, 6], [2, 3]),
    });
    expect(out.grad_a).toEqual([1, 2, 3, 4, 5, 6]);
    expect(out.grad_b).toEqual([5, 7, 9]);
  });

  it('crops strided conv gradients at run time when spatial sizes are symbolic', async () => {
    const g = new GraphBuilder({ opset: 14 });
    const x = g.input('x', 'float32', ['n', 2, 'h', 'w']);
    const w = g.input('w', 'float32', [3, 2, 3, 3]);
    g.op('Conv', [x, w], { strides: [2, 2], pads: [1, 1, 1, 1] }, 'y');
    g.output('y', 'float32', undefined);
    const data = Array.from({ length: 2 * 7 * 8 }, (_, i) => Math.sin(i));
    const weights = Array.from({ length: 54 }, (_, i) => Math.cos(i));
    const [dx, dw] = await checkGradients(
      g.toModel(),
      { x: f32(data, [1, 2, 7, 8]), w: f32(weights, [3, 2, 3, 3]) },
      { of: ['y'], wrt: ['x', 'w'], eps: 0.25 },
    );
    expect(dx!.relativeError).toBeLessThan(1e-4);
    expect(dw!.relativeError).toBeLessThan(1e-4);
  });

  it('pins input shapes so that the model and onnxruntime see static dims', () => {
    const g = new GraphBuilder({ opset: 14 });
    g.op(
      'Gemm',
      [g.input('x', 'float32', ['batch', 4]), g.input('w', 'float32', [4, 2])],
      { alpha: float(1) },
      'y',
    );
    g.output('y', 'float32', ['batch', 2]);
    const model = vjp(g.toModel(), { of: ['y'], wrt: ['x'], inputShapes: { x: [5, 4] } });
    const dims = model.graph!.input![0]!.type!.tensorType!.shape!.dim!.map((d) => Number(d.dimValue));
    expect(dims).toEqual([5, 4]);
  });

  it('gives zeros for a wrt tensor the outputs do not depend on', async () => {
    const g = new GraphBuilder({ opset: 14 });
    const x = g.input('x', 'float64', [2]);
    g.input('unused', 'float64', [3]);
    g.op('Neg', [x], undefined, 'y');
    g.output('y', 'float64', [2]);
    const out = await run(vjp(g.toModel(), { of: ['y'], wrt: ['x', 'unused'] }), {
      x: f64([1, 2], [2]),
      unused: f64([1, 2, 3], [3]),
      grad_y: f64([1, 1], [2]),
    });
    expect(out.grad_x).toEqual([-1, -1]);
    expect(out.grad_unused).toEqual([0, 0, 0]);
  });

  it('refuses integer wrt tensors, unknown names and clashing output names', () => {
    const g = new GraphBuilder({ opset: 14 });
    const ids = g.input('ids', 'int64', [2]);
    const x = g.input('x', 'float32', [2]);
    g.op('Mul', [g.op('Cast', [ids], { to: 1 }), x], undefined, 'y');
    g.output('y', 'float32', [2]);
    const model = g.toModel();
    expect(() => vjp(model, { of: ['y'], wrt: ['ids'] })).toThrow(
      /"ids" of type int64; only float tensors have gradients/,
    );
    expect(() => vjp(model, { of: ['why'], wrt: ['x'] })).toThrow(/no tensor named "why"/);
    expect(() => vjp(model, { of: ['y'], wrt: ['x'], gradName: () => 'y' })).toThrow(
      /gradient output name "y" is already taken/,
    );
  });
});
