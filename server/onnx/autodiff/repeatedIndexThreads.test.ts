/**
 * Gradients of Gather and GatherND with many repeated indices, run on two threads as weight training runs
 * them: exact sums, the same on every run. onnxruntime's CPU ScatterND (add) races on repeated indices over
 * threads (measured: token-embedding gradients off by up to 3.3, eleven different results in fifty runs),
 * so these rules must not use it where rows repeat.
 */
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../graphBuilder';
import { createSession, ort } from '../sessions';
import { vjp } from './vjp';

const ROWS = 60;
const WIDTH = 64;
/** As many lookups as a batch of 64 captions of 77 tokens. */
const LOOKUPS = 64 * 77;
const RUNS = 20;

/** Runs the gradient model RUNS times on two threads; returns the distinct results and the worst error. */
async function repeatedRuns(
  model: ReturnType<typeof vjp>,
  feeds: Record<string, ort.Tensor>,
  expected: Float64Array,
): Promise<{ distinct: number; worst: number }> {
  const session = await createSession(model, { provider: 'cpu', threads: 2 });
  try {
    const seen = new Set<string>();
    let worst = 0;
    for (let r = 0; r < RUNS; r++) {
      const out = (await session.run(feeds))['grad_table']!.data as Float32Array;
      seen.add(Buffer.from(out.buffer, out.byteOffset, out.byteLength).toString('base64'));
      for (let i = 0; i < out.length; i++) worst = Math.max(worst, Math.abs(out[i]! - expected[i]!));
    }
    return { distinct: seen.size, worst };
  } finally {
    await session.release();
  }
}

const rowOf = (n: number) => (n * 7919) % ROWS;
const upstream = Float32Array.from({ length: LOOKUPS * WIDTH }, (_, i) => Math.sin(i));

/** d sum(g · table[rows]) / d table, added up in float64. */
function expectedGradient(): Float64Array {
  const out = new Float64Array(ROWS * WIDTH);
  for (let n = 0; n < LOOKUPS; n++)
    for (let h = 0; h < WIDTH; h++) out[rowOf(n) * WIDTH + h]! += upstream[n * WIDTH + h]!;
  return out;
}

function gradientModel(op: 'Gather' | 'GatherND') {
  const g = new GraphBuilder({ opset: 17 });
  const table = g.input('table', 'float32', [ROWS, WIDTH]);
  const ids = g.input('ids', 'int64', op === 'Gather' ? [LOOKUPS] : [LOOKUPS, 1]);
  g.op(op, [table, ids], op === 'Gather' ? { axis: 0 } : {}, 'y');
  g.output('y', 'float32', [LOOKUPS, WIDTH]);
  return vjp(g.toModel(), { of: ['y'], wrt: ['table'] });
}

describe('gradients of repeated lookups on two threads', () => {
  for (const op of ['Gather', 'GatherND'] as const) {
    it(`${op}: every repeat is added, and every run gives the same gradient`, async () => {
      const ids = BigInt64Array.from({ length: LOOKUPS }, (_, n) => BigInt(rowOf(n)));
      const feeds = {
        table: new ort.Tensor('float32', new Float32Array(ROWS * WIDTH), [ROWS, WIDTH]),
        ids: new ort.Tensor('int64', ids, op === 'Gather' ? [LOOKUPS] : [LOOKUPS, 1]),
        grad_y: new ort.Tensor('float32', upstream, [LOOKUPS, WIDTH]),
      };
      const { distinct, worst } = await repeatedRuns(gradientModel(op), feeds, expectedGradient());
      // ~82 float32 additions per value: rounding stays far below one lost update (|sin| up to 1)
      expect(worst).toBeLessThan(1e-4);
      expect(distinct).toBe(1);
    });
  }
});
