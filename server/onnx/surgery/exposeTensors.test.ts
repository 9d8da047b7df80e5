import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../graphBuilder';
import { createSession, ort } from '../sessions';
import { exposeTensors } from './exposeTensors';
import { graphOf } from './graphIndex';

function chain() {
  const g = new GraphBuilder();
  const x = g.input('x', 'float32', [3]);
  const doubled = g.op('Add', [x, x], {}, 'doubled');
  const shape = g.op('Shape', [doubled], {}, 'shape');
  g.output(g.op('Exp', [doubled]), 'float32', [3], 'y');
  return { model: g.toModel(), shape };
}

describe('exposeTensors', () => {
  it('adds intermediate tensors as typed outputs that a session can fetch', async () => {
    const { model } = chain();
    const exposed = exposeTensors(model, ['doubled', 'shape']);
    const outputs = graphOf(exposed).output ?? [];
    expect(outputs.map((o) => [o.name, o.type?.tensorType?.elemType])).toEqual([
      ['y', 1],
      ['doubled', 1],
      ['shape', 7],
    ]);
    expect(graphOf(model).output).toHaveLength(1);
    const session = await createSession(exposed, { provider: 'cpu' });
    const out = await session.run({ x: new ort.Tensor('float32', Float32Array.from([0.5, 1, -2]), [3]) });
    expect(Array.from(out.doubled!.data as Float32Array)).toEqual([1, 2, -4]);
    expect(Array.from(out.shape!.data as BigInt64Array)).toEqual([3n]);
  });

  it('can replace the outputs and rejects unknown names', () => {
    const { model } = chain();
    expect(
      (graphOf(exposeTensors(model, ['doubled'], { replaceOutputs: true })).output ?? []).map((o) => o.name),
    ).toEqual(['doubled']);
    expect(() => exposeTensors(model, ['dubled'])).toThrow(
      /tensor "dubled" is not an input, initializer or node output/,
    );
  });
});
