import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../graphBuilder';
import type { GraphProto } from '../proto';
import { GraphFacts } from './shapeInference';
import { SHAPE_RULES } from './shapeRules';
import { broadcastDim, dimDiv, dimMul } from './symbolicDims';

describe('symbolic dims', () => {
  it('multiplies and divides products of symbols exactly', () => {
    expect(dimMul('batch', 8)).toBe('8*batch');
    expect(dimMul('h', 'w')).toBe(dimMul('w', 'h'));
    expect(dimDiv(dimMul(dimMul('batch', 8), 'seq'), 8)).toBe('batch*seq');
    expect(dimDiv(12, 5)).toBe(2);
    // not exact: an opaque but deterministic floor(batch / 2)
    expect(dimDiv('batch', 2)).toBe(dimDiv('batch', 2));
    expect(dimDiv('batch', 2)).not.toBe('batch');
  });

  it('broadcasts only what is knowable', () => {
    expect(broadcastDim(1, 'n')).toBe('n');
    expect(broadcastDim('n', 4)).toBe(4);
    expect(broadcastDim('n', 'n')).toBe('n');
    expect(broadcastDim('n', 'm')).toBeUndefined();
  });
});

describe('GraphFacts', () => {
  it('follows torch-style shape arithmetic through an attention head split and merge', () => {
    // [batch, seq, 32] → Reshape [b, s, 4, 8] (dims from Shape) → Transpose → Reshape [b·4, s, 8] → back
    const g = new GraphBuilder({ opset: 14 });
    const x = g.input('x', 'float32', ['batch', 'seq', 32]);
    const dim = (t: string, i: number) =>
      g.op('Unsqueeze', [
        g.op('Gather', [g.op('Shape', [t]), g.constant([i], [], 'int64')], { axis: 0 }),
        g.ints([0]),
      ]);
    const heads = g.op('Reshape', [x, g.op('Concat', [dim(x, 0), dim(x, 1), g.ints([4, 8])], { axis: 0 })]);
    const t = g.op('Transpose', [heads], { perm: [0, 2, 1, 3] });
    const batchHeads = g.op('Mul', [
      g.op('Gather', [g.op('Shape', [x]), g.constant([0], [], 'int64')], { axis: 0 }),
      g.constant([4], [], 'int64'),
    ]);
    const merged = g.op('Reshape', [
      t,
      g.op('Concat', [g.op('Unsqueeze', [batchHeads, g.ints([0])]), dim(x, 1), g.ints([8])], { axis: 0 }),
    ]);
    const back = g.op('Reshape', [merged, g.op('Shape', [x])]);
    const facts = new GraphFacts(g.toModel().graph as GraphProto, 14, SHAPE_RULES);
    expect(facts.get(heads).dims).toEqual(['batch', 'seq', 4, 8]);
    expect(facts.get(merged).dims).toEqual(['4*batch', 'seq', 8]);
    expect(facts.get(back).dims).toEqual(['batch', 'seq', 32]);
    expect(facts.get(merged).type).toBe('float32');
  });

  it('gives two strided convolutions of one input the same symbolic size', () => {
    const g = new GraphBuilder({ opset: 14 });
    const x = g.input('x', 'float32', ['n', 3, 'h', 'w']);
    const w = g.initializer('w', { type: 'float32', dims: [4, 3, 3, 3], data: new Float32Array(108) });
    const a = g.op('Conv', [x, w], { strides: [2, 2], pads: [1, 1, 1, 1] });
    const b = g.op('Conv', [x, w], { strides: [2, 2], pads: [1, 1, 1, 1] });
    const same = g.op('Conv', [x, w], { pads: [1, 1, 1, 1] });
    const facts = new GraphFacts(g.toModel().graph as GraphProto, 14, SHAPE_RULES);
    expect(facts.get(a).dims).toEqual(facts.get(b).dims);
    expect(facts.get(a).dims?.slice(0, 2)).toEqual(['n', 4]);
    expect(facts.get(same).dims).toEqual(['n', 4, 'h', 'w']);
  });

  it('pins input dims when asked and keeps integer values of small constants', () => {
    const g = new GraphBuilder({ opset: 14 });
    const x = g.input('x', 'float32', ['batch', 6]);
    const y = g.op('Reshape', [x, g.ints([-1, 2, 3])]);
    const size = g.op('Shape', [y]);
    const facts = new GraphFacts(g.toModel().graph as GraphProto, 14, SHAPE_RULES, { x: [5, 6] });
    expect(facts.get(y).dims).toEqual([5, 2, 3]);
    expect(facts.get(size).value).toEqual([5, 2, 3]);
  });
});
