import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../graphBuilder';
import type { ModelProto } from '../proto';
import { createSession, ort } from '../sessions';
import { splitAttentionQueries } from './splitAttentionQueries';

/**
 * softmax(q·kᵀ [+ mask])·v on q [1, 2, queries, 4], k [1, 2, 4, keys], v [1, 2, keys, 3]; the mask is
 * [queries, keys] (split with the queries) or [1, keys] (broadcast over them).
 */
function attention(queries: number, keys: number, mask?: 'per-query' | 'broadcast'): ModelProto {
  const g = new GraphBuilder({ opset: 17 });
  const q = g.input('q', 'float32', [1, 2, queries, 4]);
  const k = g.input('k', 'float32', [1, 2, 4, keys]);
  const v = g.input('v', 'float32', [1, 2, keys, 3]);
  let scores = g.op('MatMul', [q, k]);
  if (mask) {
    const rows = mask === 'per-query' ? queries : 1;
    const values = Array.from({ length: rows * keys }, (_, i) => (i % keys > (i / keys) % keys ? -1e4 : 0.1));
    scores = g.op('Add', [g.constant(values, [rows, keys], 'float32'), scores]);
  }
  g.op('MatMul', [g.op('Softmax', [scores], { axis: -1 }), v], undefined, 'out');
  g.output('out', 'float32', [1, 2, queries, 3]);
  return g.toModel();
}

const wave = (n: number, f: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(f * i + 0.3));

async function run(model: ModelProto, queries: number, keys: number): Promise<Float32Array> {
  const session = await createSession(model, { provider: 'cpu', threads: 1 });
  const out = await session.run({
    q: new ort.Tensor('float32', wave(8 * queries, 0.7), [1, 2, queries, 4]),
    k: new ort.Tensor('float32', wave(8 * keys, 1.1), [1, 2, 4, keys]),
    v: new ort.Tensor('float32', wave(6 * keys, 0.4), [1, 2, keys, 3]),
  });
  await session.release();
  return out.out!.data as Float32Array;
}

const ops = (model: ModelProto) => (model.graph?.node ?? []).map((n) => n.opType);
const count = (model: ModelProto, op: string) => ops(model).filter((o) => o === op).length;

describe('splitAttentionQueries', () => {
  it.each([
    // 2 heads × 7 queries × 5 keys = 70 probabilities; at most 30 a chunk → 3 chunks of 3, 2, 2 queries
    { mask: undefined, chunkElements: 30, chunks: 3 },
    { mask: 'per-query' as const, chunkElements: 30, chunks: 3 },
    { mask: 'broadcast' as const, chunkElements: 20, chunks: 4 },
  ])('mask $mask, at most $chunkElements per chunk: $chunks chunks, same output', async (c) => {
    const whole = attention(7, 5, c.mask);
    const split = splitAttentionQueries(whole, { chunkElements: c.chunkElements });
    expect(count(split, 'Softmax')).toBe(c.chunks);
    expect(count(split, 'MatMul')).toBe(2 * c.chunks);
    expect(count(split, 'Split')).toBe(c.mask === 'per-query' ? 2 : 1);
    expect(count(split, 'Concat')).toBe(1);
    expect(count(split, 'Add')).toBe(c.mask ? c.chunks : 0);
    const [a, b] = [await run(whole, 7, 5), await run(split, 7, 5)];
    expect(a.length).toBe(42);
    expect(Math.max(...a.map(Math.abs))).toBeGreaterThan(0.1);
    a.forEach((x, i) => expect(b[i]).toBeCloseTo(x, 6));
  });

  it('leaves attention within the bound, and a Softmax that is not attention, as it is', () => {
    const whole = attention(7, 5);
    expect(splitAttentionQueries(whole, { chunkElements: 70 })).toBe(whole);
    const g = new GraphBuilder({ opset: 17 });
    const x = g.input('x', 'float32', [4, 50]);
    g.op('Softmax', [g.op('Mul', [x, x])], { axis: -1 }, 'y');
    g.output('y', 'float32', [4, 50]);
    const plain = g.toModel();
    expect(splitAttentionQueries(plain, { chunkElements: 10 })).toBe(plain);
  });
});
