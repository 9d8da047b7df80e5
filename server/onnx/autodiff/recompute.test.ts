import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../graphBuilder';
import { loadModel } from '../modelIO';
import type { INodeProto, ModelProto } from '../proto';
import { createSession, ort, type SessionOptions } from '../sessions';
import { normalRandom } from './gradientCheck';
import { vjp } from './vjp';
import type { RecomputePolicy } from './recompute';

const HEADS = 2;
const WIDTH = 8;

/**
 * Two self-attention layers with residuals on x [1, tokens, WIDTH], loss = mean(h²); the second layer adds
 * a causal mask before its Softmax, as the text encoder does.
 */
function attentionModel(tokens: number, type: 'float32' | 'float64'): ModelProto {
  const g = new GraphBuilder({ opset: 17 });
  const random = normalRandom(3);
  const array = (n: number, value: (i: number) => number) =>
    type === 'float64'
      ? Float64Array.from({ length: n }, (_, i) => value(i))
      : Float32Array.from({ length: n }, (_, i) => value(i));
  const x = g.input('x', type, [1, tokens, WIDTH]);
  const mask = g.initializer('mask', {
    type,
    dims: [tokens, tokens],
    data: array(tokens * tokens, (i) => (i % tokens > i / tokens ? -1e4 : 0)),
  });
  const split = g.constant([0, 0, HEADS, WIDTH / HEADS], [4], 'int64');
  const merge = g.constant([0, 0, WIDTH], [3], 'int64');
  let h = x;
  for (const layer of [0, 1]) {
    const weight = (name: string) =>
      g.initializer(`${name}${layer}`, {
        type,
        dims: [WIDTH, WIDTH],
        data: array(WIDTH * WIDTH, () => 0.5 * random()),
      });
    const heads = (name: string, perm: number[]) =>
      g.op('Transpose', [g.op('Reshape', [g.op('MatMul', [h, weight(name)]), split])], { perm });
    const q = heads('wq', [0, 2, 1, 3]);
    const k = heads('wk', [0, 2, 3, 1]);
    const v = heads('wv', [0, 2, 1, 3]);
    let scores = g.op('MatMul', [q, k]);
    if (layer === 1) scores = g.op('Add', [scores, mask]);
    const p = g.op('Softmax', [scores], { axis: -1 }, `probabilities${layer}`);
    const o = g.op('Transpose', [g.op('MatMul', [p, v])], { perm: [0, 2, 1, 3] });
    h = g.op('Add', [h, g.op('MatMul', [g.op('Reshape', [o, merge]), weight('wo')])]);
  }
  g.op('ReduceMean', [g.op('Mul', [h, h])], { keepdims: 0 }, 'loss');
  g.output('loss', type, []);
  return g.toModel();
}

const gradOf = (model: ModelProto, recompute?: RecomputePolicy) =>
  vjp(model, { of: ['loss'], wrt: ['x', 'wq0'], seedScalarLoss: true, ...(recompute ? { recompute } : {}) });

const xFeed = (tokens: number, type: 'float32' | 'float64', shift: (i: number) => number = () => 0) => {
  const data = Float64Array.from({ length: tokens * WIDTH }, (_, i) => Math.sin(0.7 * i) + shift(i));
  return type === 'float64'
    ? new ort.Tensor('float64', data, [1, tokens, WIDTH])
    : new ort.Tensor('float32', Float32Array.from(data), [1, tokens, WIDTH]);
};

async function run(model: ModelProto, x: ort.Tensor, options: SessionOptions) {
  const session = await createSession(model, { provider: 'cpu', threads: 1, ...options });
  const out = await session.run({ x });
  await session.release();
  return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, Array.from(t.data as Float64Array)]));
}

const softmaxOutputs = (model: ModelProto, forward: boolean) =>
  (model.graph?.node ?? [])
    .filter((n) => n.opType === 'Softmax' && (n.name ?? '').startsWith('grad/') !== forward)
    .map((n) => n.output?.[0] ?? '');
const readers = (model: ModelProto, tensor: string): INodeProto[] =>
  (model.graph?.node ?? []).filter((n) => (n.input ?? []).includes(tensor));

describe('vjp recompute', () => {
  it('gives the loss and gradients of the kept attention, which match central differences', async () => {
    const model = attentionModel(5, 'float64');
    const options = { optimization: 'basic' } as const;
    const kept = await run(gradOf(model), xFeed(5, 'float64'), options);
    const recomputed = await run(gradOf(model, 'attention'), xFeed(5, 'float64'), options);
    expect(recomputed.loss![0]).toBeCloseTo(kept.loss![0]!, 14);
    expect(recomputed.loss![0]).toBeGreaterThan(0.1);
    for (const name of ['grad_x', 'grad_wq0']) {
      const scale = Math.max(...kept[name]!.map(Math.abs));
      expect(scale).toBeGreaterThan(1e-3);
      kept[name]!.forEach((g, i) => expect(Math.abs(recomputed[name]![i]! - g)).toBeLessThan(1e-12 * scale));
    }
    // d loss along v, by central differences, against ⟨grad_x, v⟩
    const v = (i: number) => Math.cos(1.3 * i);
    const eps = 1e-5;
    const lossAt = async (sign: number) =>
      (
        await run(
          model,
          xFeed(5, 'float64', (i) => sign * eps * v(i)),
          { optimization: 'basic' },
        )
      ).loss![0]!;
    const numeric = ((await lossAt(1)) - (await lossAt(-1))) / (2 * eps);
    const analytic = recomputed.grad_x!.reduce((s, g, i) => s + g * v(i), 0);
    expect(Math.abs(analytic - numeric)).toBeLessThan(1e-7 * Math.abs(numeric));
  });

  it('leaves the forward Softmax outputs to the forward pass: backward nodes read recomputed copies', () => {
    const model = attentionModel(5, 'float32');
    const kept = gradOf(model);
    const recomputed = gradOf(model, 'attention');
    expect(softmaxOutputs(kept, true)).toEqual(['probabilities0', 'probabilities1']);
    expect(softmaxOutputs(recomputed, true)).toEqual(['probabilities0', 'probabilities1']);
    // without recomputation both the Softmax rule and P·v's rule read P
    for (const p of softmaxOutputs(kept, true))
      expect(readers(kept, p).filter((n) => n.name?.startsWith('grad/')).length).toBeGreaterThan(0);
    for (const p of softmaxOutputs(recomputed, true))
      expect(readers(recomputed, p).map((n) => n.opType)).toEqual(['MatMul']);
    const copies = softmaxOutputs(recomputed, false);
    expect(copies).toHaveLength(2);
    for (const copy of copies) {
      expect(readers(recomputed, copy).every((n) => n.name?.startsWith('grad/'))).toBe(true);
      expect(readers(recomputed, copy).length).toBeGreaterThanOrEqual(2);
    }
  });

  it('a predicate picks the Softmax nodes to recompute by size', () => {
    const model = attentionModel(5, 'float32');
    const sizes: (number | undefined)[] = [];
    const none = gradOf(model, ({ elements }) => {
      sizes.push(elements);
      return false;
    });
    expect(sizes).toEqual([HEADS * 5 * 5, HEADS * 5 * 5]);
    expect(softmaxOutputs(none, false)).toEqual([]);
    const firstOnly = gradOf(model, ({ softmax }) => softmax.output?.[0] === 'probabilities0');
    expect(softmaxOutputs(firstOnly, false)).toHaveLength(1);
    expect(readers(firstOnly, 'probabilities1').length).toBeGreaterThan(1);
    expect(readers(firstOnly, 'probabilities0').map((n) => n.opType)).toEqual(['MatMul']);
  });

  it("survives onnxruntime's optimisations and runs late in its execution order", async () => {
    const model = gradOf(attentionModel(6, 'float32'), 'attention');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'recompute-order-'));
    const file = path.join(dir, 'optimized.onnx');
    try {
      await run(model, xFeed(6, 'float32'), { saveOptimizedModel: file });
      // onnxruntime writes the nodes in its execution order
      const order = (loadModel(file).model.graph?.node ?? []).map((n) => ({
        op: n.opType,
        recomputed: (n.name ?? '').includes('recompute/'),
        reads: n.input ?? [],
        writes: n.output ?? [],
      }));
      const made = (layer: number) =>
        order.findIndex((n) => n.recomputed && n.writes[0]!.endsWith(`recompute/probabilities${layer}`));
      const lastRead = (tensor: string) =>
        Math.max(...order.flatMap((n, i) => (n.reads.includes(tensor) ? [i] : [])));
      expect(order.filter((n) => n.op === 'Softmax').map((n) => n.recomputed)).toEqual([
        false,
        false,
        true,
        true,
      ]);
      // the copies are made after the forward pass is done with the originals, last layer first, and the
      // last layer's copy is dead (read by the Softmax rule and P·v's rule) before the first layer's is made
      expect(made(1)).toBeGreaterThan(Math.max(lastRead('probabilities0'), lastRead('probabilities1')));
      expect(lastRead(order[made(1)]!.writes[0]!)).toBeLessThan(made(0));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
