import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../graphBuilder';
import { float } from '../attributes';
import { makeTensorProto } from '../tensorProto';
import { createSession, ort } from '../sessions';
import { readTensor } from '../tensorProto';
import { foldConstants } from './foldConstants';
import { constantNodesToInitializers } from './constantNodes';
import { graphOf } from './graphIndex';

/** y = x + Transpose(W)·c with W, c constant (c from a Constant node), plus a random branch. */
function model() {
  const g = new GraphBuilder();
  const x = g.input('x', 'float32', [3, 2]);
  const w = g.initializer('W', {
    type: 'float32',
    dims: [2, 3],
    data: Float32Array.from([1, 2, 3, 4, 5, 6]),
  });
  const c = g.op('Constant', [], { value: { type: 'float32', dims: [], data: Float32Array.of(10) } }, 'c');
  const folded = g.op('Mul', [g.op('Transpose', [w], { perm: [1, 0] }), c], {}, 'wt_scaled');
  g.output(g.op('Add', [x, folded]), 'float32', [3, 2], 'y');
  g.output(g.op('RandomNormalLike', [folded], { seed: float(1) }), 'float32', [3, 2], 'noise');
  return g.toModel();
}

function opTypes(m: ReturnType<typeof model>): string[] {
  return (graphOf(m).node ?? []).map((n) => n.opType ?? '');
}

describe('constantNodesToInitializers', () => {
  it('turns Constant nodes into initializers of the same name', () => {
    const m = constantNodesToInitializers(model());
    expect(opTypes(m)).not.toContain('Constant');
    const c = (graphOf(m).initializer ?? []).find((t) => t.name === 'c')!;
    expect(Array.from(readTensor(c).data as Float32Array)).toEqual([10]);
  });
});

describe('foldConstants', () => {
  it('evaluates constant subgraphs into initializers and keeps random ops', async () => {
    const folded = await foldConstants(model());
    expect(opTypes(folded)).toEqual(['Add', 'Identity', 'RandomNormalLike', 'Identity']);
    const value = (graphOf(folded).initializer ?? []).find((t) => t.name === 'wt_scaled')!;
    expect(readTensor(value).dims).toEqual([3, 2]);
    expect(Array.from(readTensor(value).data as Float32Array)).toEqual([10, 40, 20, 50, 30, 60]);
    expect((graphOf(folded).initializer ?? []).map((t) => t.name)).not.toContain('W');
    const session = await createSession(folded, { provider: 'cpu' });
    const out = await session.run({
      x: new ort.Tensor('float32', Float32Array.from([1, 1, 1, 1, 1, 1]), [3, 2]),
    });
    expect(Array.from(out.y!.data as Float32Array)).toEqual([11, 41, 21, 51, 31, 61]);
  });

  it('leaves results above maxElements to run time but folds their small inputs', async () => {
    const folded = await foldConstants(model(), { maxElements: 4 });
    expect(opTypes(folded)).toEqual(['Transpose', 'Mul', 'Add', 'Identity', 'RandomNormalLike', 'Identity']);
    expect((graphOf(folded).initializer ?? []).map((t) => t.name).sort()).toEqual(['W', 'c']);
  });

  it('never treats graph inputs as constants, even with a default initializer', async () => {
    const g = new GraphBuilder();
    const k = g.input('k', 'float32', [1]);
    g.initializers.push(makeTensorProto('k', { type: 'float32', dims: [1], data: Float32Array.of(2) }));
    g.output(g.op('Mul', [k, g.scalar(3)]), 'float32', [1], 'y');
    const folded = await foldConstants(g.toModel());
    expect(opTypes(folded)).toEqual(['Mul', 'Identity']);
    expect((graphOf(folded).initializer ?? []).map((t) => t.name)).toEqual(['k', 'scalar']);
  });
});
