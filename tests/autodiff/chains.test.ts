/**
 * Gradient rules composed into the blocks SD is made of, written the way torch.onnx exports them (symbolic
 * batch/sequence dims, shape arithmetic feeding Reshape, decomposed LayerNorm, GroupNorm as Reshape +
 * InstanceNormalization), checked against central differences on onnxruntime.
 */
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../server/onnx/graphBuilder';
import { float } from '../../server/onnx/attributes';
import { ort } from '../../server/onnx/sessions';
import { checkGradients, normalRandom } from '../../server/onnx/autodiff/gradientCheck';

type Dtype = 'float32' | 'float64';

function tensor(type: Dtype, dims: number[], random: () => number, scale = 1): ort.Tensor {
  const n = dims.reduce((a, b) => a * b, 1);
  const values = Array.from({ length: n }, () => random() * scale);
  return new ort.Tensor(
    type,
    type === 'float64' ? Float64Array.from(values) : Float32Array.from(values),
    dims,
  );
}

/** Torch's LayerNorm export: (x - mean) / sqrt(mean((x - mean)²) + eps) · γ + β. */
function decomposedLayerNorm(g: GraphBuilder, x: string, gamma: string, beta: string, type: Dtype): string {
  const mean = g.op('ReduceMean', [x], { axes: [-1] });
  const centred = g.op('Sub', [x, mean]);
  const variance = g.op('ReduceMean', [g.op('Pow', [centred, g.constant([2], [], type)])], { axes: [-1] });
  const normed = g.op('Div', [
    centred,
    g.op('Sqrt', [g.op('Add', [variance, g.constant([1e-5], [], type)])]),
  ]);
  return g.op('Add', [g.op('Mul', [normed, gamma]), beta]);
}

/** Shape(x)[i] as a 1-D tensor, as torch exports x.shape[i]. */
function dimOf(g: GraphBuilder, x: string, i: number): string {
  return g.op('Unsqueeze', [
    g.op('Gather', [g.op('Shape', [x]), g.constant([i], [], 'int64')], { axis: 0 }),
    g.ints([0]),
  ]);
}

describe('chain rules through whole blocks', () => {
  it('MLP: MatMul + bias, Tanh, Gemm (transB), Sigmoid', async () => {
    const g = new GraphBuilder({ opset: 14 });
    const x = g.input('x', 'float64', ['batch', 5]);
    const w1 = g.input('w1', 'float64', [5, 8]);
    const b1 = g.input('b1', 'float64', [8]);
    const w2 = g.input('w2', 'float64', [3, 8]);
    const b2 = g.input('b2', 'float64', [3]);
    const h = g.op('Tanh', [g.op('Add', [g.op('MatMul', [x, w1]), b1])]);
    g.op('Sigmoid', [g.op('Gemm', [h, w2, b2], { transB: 1, alpha: float(0.7) })], undefined, 'y');
    g.output('y', 'float64', ['batch', 3]);
    const r = normalRandom(1);
    const feeds = {
      x: tensor('float64', [4, 5], r),
      w1: tensor('float64', [5, 8], r, 0.5),
      b1: tensor('float64', [8], r),
      w2: tensor('float64', [3, 8], r, 0.5),
      b2: tensor('float64', [3], r),
    };
    const results = await checkGradients(g.toModel(), feeds, {
      of: ['y'],
      wrt: Object.keys(feeds),
      eps: 1e-6,
    });
    for (const c of results) expect(c.relativeError, c.wrt).toBeLessThan(1e-7);
  });

  it('attention block: decomposed LayerNorm, head split by shape arithmetic, scaled Softmax, residual', async () => {
    const type = 'float64';
    const g = new GraphBuilder({ opset: 14 });
    const x = g.input('x', type, ['batch', 'seq', 8]);
    const [gamma, beta, wq, wk, wv, wo] = ['gamma', 'beta', 'wq', 'wk', 'wv', 'wo'].map((n) =>
      g.input(n, type, n.startsWith('w') ? [8, 8] : [8]),
    );
    const ln = decomposedLayerNorm(g, x, gamma!, beta!, type);
    const heads = (t: string) =>
      g.op(
        'Transpose',
        [g.op('Reshape', [t, g.op('Concat', [dimOf(g, x, 0), dimOf(g, x, 1), g.ints([2, 4])], { axis: 0 })])],
        { perm: [0, 2, 1, 3] },
      );
    const [q, k, v] = [wq, wk, wv].map((w) => heads(g.op('MatMul', [ln, w!])));
    const scores = g.op('Mul', [
      g.op('MatMul', [q!, g.op('Transpose', [k!], { perm: [0, 1, 3, 2] })]),
      g.constant([0.5], [], type),
    ]);
    const context = g.op('MatMul', [g.op('Softmax', [scores], { axis: -1 }), v!]);
    const merged = g.op('Reshape', [
      g.op('Transpose', [context], { perm: [0, 2, 1, 3] }),
      g.op('Concat', [dimOf(g, x, 0), dimOf(g, x, 1), g.ints([8])], { axis: 0 }),
    ]);
    g.op('Add', [g.op('MatMul', [merged, wo!]), x], undefined, 'y');
    g.output('y', type, ['batch', 'seq', 8]);
    const r = normalRandom(2);
    const feeds = {
      x: tensor(type, [2, 3, 8], r),
      gamma: tensor(type, [8], r),
      beta: tensor(type, [8], r),
      wq: tensor(type, [8, 8], r, 0.4),
      wk: tensor(type, [8, 8], r, 0.4),
      wv: tensor(type, [8, 8], r, 0.4),
      wo: tensor(type, [8, 8], r, 0.4),
    };
    const results = await checkGradients(g.toModel(), feeds, {
      of: ['y'],
      wrt: ['x', 'gamma', 'wq', 'wv'],
      eps: 1e-6,
    });
    for (const c of results) expect(c.relativeError, c.wrt).toBeLessThan(1e-7);
  });

  it('conv + GroupNorm (Reshape, InstanceNormalization, Reshape, affine) + SiLU + strided conv', async () => {
    const type = 'float32';
    const g = new GraphBuilder({ opset: 14 });
    const x = g.input('x', type, ['n', 4, 'h', 'w']);
    const w1 = g.input('w1', type, [8, 4, 3, 3]);
    const gamma = g.input('gamma', type, [8, 1, 1]);
    const beta = g.input('beta', type, [8, 1, 1]);
    const w2 = g.initializer('w2', tensorValue([4, 8, 3, 3], normalRandom(3), 0.3));
    const h = g.op('Conv', [x, w1], { pads: [1, 1, 1, 1] });
    const grouped = g.op('Reshape', [h, g.ints([0, 2, -1])]);
    const normed = g.op(
      'InstanceNormalization',
      [grouped, g.constant([1, 1], [2]), g.constant([0, 0], [2])],
      { epsilon: float(1e-5) },
    );
    const affine = g.op('Add', [g.op('Mul', [g.op('Reshape', [normed, g.op('Shape', [h])]), gamma]), beta]);
    const silu = g.op('Mul', [affine, g.op('Sigmoid', [affine])]);
    g.op('Conv', [silu, w2], { strides: [2, 2], pads: [1, 1, 1, 1] }, 'y');
    g.output('y', type, undefined);
    const r = normalRandom(4);
    const feeds = {
      x: tensor(type, [1, 4, 5, 6], r),
      w1: tensor(type, [8, 4, 3, 3], r, 0.3),
      gamma: tensor(type, [8, 1, 1], r),
      beta: tensor(type, [8, 1, 1], r),
    };
    const whole = await checkGradients(g.toModel(), feeds, {
      of: ['y'],
      wrt: ['x', 'gamma', 'beta'],
      eps: 1e-2,
    });
    for (const c of whole) expect(c.relativeError, c.wrt).toBeLessThan(5e-3);
    const [directional] = await checkGradients(g.toModel(), feeds, {
      of: ['y'],
      wrt: ['w1'],
      eps: 1e-2,
      directions: 4,
    });
    expect(directional!.relativeError).toBeLessThan(5e-3);
  });
});

function tensorValue(dims: number[], random: () => number, scale: number) {
  const n = dims.reduce((a, b) => a * b, 1);
  return { type: 'float32' as const, dims, data: Float32Array.from({ length: n }, () => random() * scale) };
}
