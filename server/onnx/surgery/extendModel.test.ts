import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../graphBuilder';
import { createSession, ort } from '../sessions';
import { extendModel } from './extendModel';
import { graphOf } from './graphIndex';

describe('extendModel', () => {
  it('appends an MSE loss after an output and returns the scalar loss', async () => {
    const g = new GraphBuilder({ opset: 14 });
    const x = g.input('x', 'float32', [2, 2]);
    g.output(g.op('Mul', [x, g.scalar(2)], {}, 'pred'), 'float32', [2, 2]);
    const withLoss = extendModel(g.toModel(), (b) => {
      const target = b.input('target', 'float32', [2, 2]);
      const diff = b.op('Sub', ['pred', target]);
      b.output(b.op('ReduceMean', [b.op('Mul', [diff, diff])], { keepdims: 0 }), 'float32', [], 'loss');
    });
    const graph = graphOf(withLoss);
    expect((graph.input ?? []).map((v) => v.name)).toEqual(['x', 'target']);
    expect((graph.output ?? []).map((v) => v.name)).toEqual(['loss']);
    const session = await createSession(withLoss, { provider: 'cpu' });
    const out = await session.run({
      x: new ort.Tensor('float32', Float32Array.from([1, 2, 3, 4]), [2, 2]),
      target: new ort.Tensor('float32', Float32Array.from([2, 4, 5, 9]), [2, 2]),
    });
    // pred = [2,4,6,8]; diffs [0,0,1,-1] → mean of squares 0.5
    expect(out.loss!.dims).toEqual([]);
    expect((out.loss!.data as Float32Array)[0]).toBe(0.5);
  });

  it('keeps existing outputs on request and needs at least one output otherwise', () => {
    const g = new GraphBuilder();
    g.output(g.op('Neg', [g.input('x', 'float32', [1])], {}, 'y'), 'float32', [1]);
    const kept = extendModel(g.toModel(), (b) => void b.output(b.op('Exp', ['y']), 'float32', [1], 'z'), {
      keepOutputs: true,
    });
    expect((graphOf(kept).output ?? []).map((v) => v.name)).toEqual(['y', 'z']);
    expect(() => extendModel(g.toModel(), () => undefined)).toThrow(/declared no output/);
  });
});
