import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../graphBuilder';
import { createSession, ort } from '../sessions';
import { tensorToInput } from './tensorToInput';
import { graphOf } from './graphIndex';

/** ids → Gather(table) → + position → Tanh: the shape of a text encoder's embedding stage. */
function embeddingModel() {
  const g = new GraphBuilder();
  const ids = g.input('ids', 'int64', [2]);
  const table = g.initializer('table', {
    type: 'float32',
    dims: [3, 2],
    data: Float32Array.from([0, 1, 10, 11, 20, 21]),
  });
  const emb = g.op('Gather', [table, ids], {}, 'token_emb');
  const pos = g.constant([0.5, -0.5], [2]);
  const cnt = g.op('Cast', [g.op('Shape', [ids])], { to: 1 }, 'count');
  g.output(g.op('Tanh', [g.op('Add', [emb, pos])]), 'float32', [2, 2], 'hidden');
  g.output(cnt, 'float32', [1], 'count_out');
  return g.toModel();
}

describe('tensorToInput', () => {
  it('makes an intermediate tensor a typed input and removes its producer and dead ancestors', async () => {
    const cut = tensorToInput(embeddingModel(), 'token_emb', { name: 'embeddings', shape: [2, 2] });
    const graph = graphOf(cut);
    expect((graph.input ?? []).map((v) => [v.name, v.type?.tensorType?.elemType])).toEqual([
      ['ids', 7],
      ['embeddings', 1],
    ]);
    expect((graph.node ?? []).map((n) => n.opType)).not.toContain('Gather');
    expect((graph.initializer ?? []).map((t) => t.name)).not.toContain('table');
    const session = await createSession(cut, { provider: 'cpu' });
    const out = await session.run({
      ids: new ort.Tensor('int64', BigInt64Array.from([0n, 0n]), [2]),
      embeddings: new ort.Tensor('float32', Float32Array.from([0, 0, 1, 2]), [2, 2]),
    });
    const expected = [0.5, -0.5, 1.5, 1.5].map(Math.tanh);
    Array.from(out.hidden!.data as Float32Array).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 6));
  });

  it('prunes inputs that nothing reads when asked', () => {
    const g = new GraphBuilder();
    const ids = g.input('ids', 'int64', [2]);
    const table = g.initializer('table', { type: 'float32', dims: [3, 2], data: new Float32Array(6) });
    g.output(g.op('Neg', [g.op('Gather', [table, ids], {}, 'emb')]), 'float32', [2, 2], 'y');
    const cut = tensorToInput(g.toModel(), 'emb', { pruneInputs: true });
    expect((graphOf(cut).input ?? []).map((v) => v.name)).toEqual(['emb']);
  });

  it('needs a type where none can be inferred and refuses name clashes', () => {
    expect(() => tensorToInput(embeddingModel(), 'token_emb', { name: 'count' })).toThrow(
      /cannot name the new input "count"/,
    );
    expect(() => tensorToInput(embeddingModel(), 'ids')).toThrow(/already a graph input/);
    const g = new GraphBuilder();
    const [custom] = g.opN('MyOp', [g.input('x', 'float32', [1])], 1, {}, ['custom'], 'com.example');
    g.output(g.op('Neg', [custom!]), 'float32', [1], 'y');
    expect(() => tensorToInput(g.toModel({ 'com.example': 1 }), 'custom')).toThrow(
      /cannot infer the element type of "custom"; pass \{type/,
    );
    const typed = tensorToInput(g.toModel({ 'com.example': 1 }), 'custom', { type: 'float32' });
    expect((graphOf(typed).node ?? []).map((n) => n.opType)).toEqual(['Neg', 'Identity']);
    expect((graphOf(typed).input ?? []).map((v) => v.name)).toEqual(['x', 'custom']);
  });
});
