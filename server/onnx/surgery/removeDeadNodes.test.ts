import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../graphBuilder';
import { removeDeadNodes } from './removeDeadNodes';
import { graphOf } from './graphIndex';

function model() {
  const g = new GraphBuilder();
  const x = g.input('x', 'float32', [2]);
  const unused = g.input('unused', 'float32', [2]);
  const w = g.initializer('w', { type: 'float32', dims: [2], data: Float32Array.from([1, 2]) });
  g.initializer('dead_w', { type: 'float32', dims: [2], data: Float32Array.from([5, 6]) });
  g.op('Mul', [g.op('Exp', [unused], {}, 'e'), 'dead_w'], {}, 'dead');
  g.output(g.op('Add', [x, w], {}, 'y'), 'float32', [2]);
  return g.toModel();
}

describe('removeDeadNodes', () => {
  it('drops nodes and initializers that reach no output, keeping the signature', () => {
    const graph = graphOf(removeDeadNodes(model()));
    expect((graph.node ?? []).map((n) => n.output?.[0])).toEqual(['y']);
    expect((graph.initializer ?? []).map((t) => t.name)).toEqual(['w']);
    expect((graph.input ?? []).map((v) => v.name)).toEqual(['x', 'unused']);
  });

  it('prunes unread inputs on request', () => {
    expect((graphOf(removeDeadNodes(model(), { pruneInputs: true })).input ?? []).map((v) => v.name)).toEqual(
      ['x'],
    );
  });
});
