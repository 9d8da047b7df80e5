import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../graphBuilder';
import { inferElementTypes } from './elementTypes';
import { graphOf } from './graphIndex';

describe('inferElementTypes', () => {
  it('follows shape, comparison, cast and constant typing rules', () => {
    const g = new GraphBuilder();
    const ids = g.input('ids', 'int32', [2]);
    const x = g.input('x', 'float16', [2]);
    g.op('Shape', [ids], {}, 'shape');
    g.op('Equal', [ids, ids], {}, 'eq');
    g.op('Where', ['eq', x, x], {}, 'picked');
    g.op('Cast', [ids], { to: 1 }, 'as_float');
    g.op('ConstantOfShape', ['shape'], {}, 'zeros');
    g.op('ArgMax', [x], {}, 'argmax');
    g.op('Gather', [x, 'argmax'], {}, 'gathered');
    g.opN('TopK', [x, g.ints([1])], 2, {}, ['top_values', 'top_indices']);
    const types = inferElementTypes(graphOf(g.toModel()));
    expect(
      Object.fromEntries(
        ['shape', 'eq', 'picked', 'as_float', 'zeros', 'argmax', 'gathered', 'top_values', 'top_indices'].map(
          (n) => [n, types.get(n)],
        ),
      ),
    ).toEqual({
      shape: 'int64',
      eq: 'bool',
      picked: 'float16',
      as_float: 'float32',
      zeros: 'float32',
      argmax: 'int64',
      gathered: 'float16',
      top_values: 'float16',
      top_indices: 'int64',
    });
  });
});
