import { describe, expect, it } from 'vitest';
import { GraphBuilder } from './graphBuilder';
import { createSession, ort } from './sessions';
import { float } from './attributes';

describe('GraphBuilder', () => {
  it('builds a graph that onnxruntime runs with the expected values', async () => {
    const g = new GraphBuilder({ name: 'mlp' });
    const x = g.input('x', 'float32', ['batch', 3]);
    const w = g.constant([1, 2, 3, 4, 5, 6], [3, 2]);
    const b = g.constant([0.5, -1], [2]);
    const h = g.op('Add', [g.op('MatMul', [x, w]), b]);
    const y = g.op('LeakyRelu', [h], { alpha: float(1) });
    g.output(y, 'float32', ['batch', 2], 'y');
    const session = await createSession(g.toModel(), { provider: 'cpu' });
    const out = await session.run({
      x: new ort.Tensor('float32', Float32Array.from([1, 0, -1, 0, 1, 0]), [2, 3]),
    });
    // [1,0,-1]·W = [1-5, 2-6] = [-4,-4]; + b = [-3.5,-5]; [0,1,0]·W = [3,4]; + b = [3.5,3]
    expect(Array.from(out.y!.data as Float32Array)).toEqual([-3.5, -5, 3.5, 3]);
  });

  it('names every missing feed', async () => {
    const g = new GraphBuilder();
    const a = g.input('a', 'float32', [1]);
    const b = g.input('b', 'float32', [1]);
    g.output(g.op('Add', [a, b]), 'float32', [1], 'sum');
    const session = await createSession(g.toModel(), { provider: 'cpu' });
    await expect(session.run({})).rejects.toThrow(/missing inputs "a", "b"/);
  });

  it('refuses duplicate initializer names', () => {
    const g = new GraphBuilder();
    g.initializer('w', { type: 'float32', dims: [1], data: new Float32Array(1) });
    expect(() => g.initializer('w', { type: 'float32', dims: [1], data: new Float32Array(1) })).toThrow(
      /already has a tensor named "w"/,
    );
  });
});
