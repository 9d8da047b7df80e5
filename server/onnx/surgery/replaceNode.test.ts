import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../graphBuilder';
import { createSession, ort } from '../sessions';
import { replaceNode } from './replaceNode';
import { graphOf } from './graphIndex';

/** y = Sigmoid(x) · 2, with the Sigmoid to be replaced by its definition 1 / (1 + exp(-x)). */
function model() {
  const g = new GraphBuilder();
  const x = g.input('x', 'float32', [3]);
  const s = g.op('Sigmoid', [x], {}, 's');
  g.output(g.op('Mul', [s, g.scalar(2)]), 'float32', [3], 'y');
  return g.toModel();
}

async function run(m: ReturnType<typeof model>): Promise<number[]> {
  const session = await createSession(m, { provider: 'cpu' });
  const out = await session.run({ x: new ort.Tensor('float32', Float32Array.from([-1, 0, 2]), [3]) });
  return Array.from(out.y!.data as Float32Array);
}

describe('replaceNode', () => {
  it('swaps a node for an equivalent subgraph, keeping its output name for consumers', async () => {
    const sigmoidName = graphOf(model()).node![0]!.name!;
    const replaced = replaceNode(model(), sigmoidName, (g, [x]) => [
      g.op('Reciprocal', [g.op('Add', [g.scalar(1), g.op('Exp', [g.op('Neg', [x!])])])]),
    ]);
    const graph = graphOf(replaced);
    expect((graph.node ?? []).map((n) => n.opType)).toEqual([
      'Neg',
      'Exp',
      'Add',
      'Reciprocal',
      'Mul',
      'Identity',
    ]);
    expect(graph.node![3]!.output).toEqual(['s']);
    const expected = [-1, 0, 2].map((v) => 2 / (1 + Math.exp(-v)));
    (await run(replaced)).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 6));
  });

  it('inserts an Identity when the replacement returns an existing tensor', async () => {
    const sigmoidName = graphOf(model()).node![0]!.name!;
    const replaced = replaceNode(model(), sigmoidName, (_, [x]) => [x!]);
    expect((graphOf(replaced).node ?? []).map((n) => n.opType)).toEqual(['Identity', 'Mul', 'Identity']);
    expect(await run(replaced)).toEqual([-2, 0, 4]);
  });

  it('names near matches when the node is missing and checks the output count', () => {
    const name = graphOf(model()).node![0]!.name!;
    expect(() => replaceNode(model(), 'sigmoid', () => [])).toThrow(
      new RegExp(`no node named "sigmoid".*similar: ${name}`),
    );
    expect(() => replaceNode(model(), name, () => [])).toThrow(
      /returned 0 tensors; the Sigmoid node has 1 outputs/,
    );
  });
});
