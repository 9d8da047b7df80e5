import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../server/onnx/graphBuilder';
import { createSession, ort } from '../../server/onnx/sessions';
import { loadModel } from '../../server/onnx/modelIO';
import { readTensor } from '../../server/onnx/tensorProto';
import { foldShapes } from '../../server/onnx/surgery/foldShapes';
import { bindInputShapes } from '../../server/onnx/surgery/bindInputShapes';
import { graphOf } from '../../server/onnx/surgery/graphIndex';
import { datasetPath, goldenArray } from '../support/referenceData';

/** torch's pattern: Reshape(x, Concat(Unsqueeze(Gather(Shape(x), 0)), [2, -1])). */
function torchStyleReshape() {
  const g = new GraphBuilder();
  const x = g.input('x', 'float32', ['batch', 6]);
  const batch = g.op('Gather', [g.op('Shape', [x]), g.constant(BigInt64Array.of(0n), [], 'int64')], {
    axis: 0,
  });
  const target = g.op(
    'Concat',
    [g.op('Unsqueeze', [batch, g.ints([0])]), g.ints([2, -1])],
    { axis: 0 },
    'target_shape',
  );
  const reshaped = g.op('Reshape', [g.op('Relu', [x]), target]);
  g.output(reshaped, 'float32', ['batch', 2, 3], 'y');
  // a data-dependent shape must not be folded: the count of positive entries
  g.output(g.op('Shape', [g.op('NonZero', [g.op('Greater', [x, g.scalar(0)])])]), 'int64', [2], 'positives');
  return g.toModel();
}

describe('bindInputShapes', () => {
  it('replaces symbolic dims and checks rank and fixed dims', () => {
    const bound = bindInputShapes(torchStyleReshape(), { x: [4, 6] });
    expect(graphOf(bound).input![0]!.type!.tensorType!.shape!.dim!.map((d) => Number(d.dimValue))).toEqual([
      4, 6,
    ]);
    expect(() => bindInputShapes(torchStyleReshape(), { x: [4] })).toThrow(
      /input "x" has rank 2; got dims \[4\]/,
    );
    expect(() => bindInputShapes(torchStyleReshape(), { x: [4, 5] })).toThrow(/fixes dim 1 to 6; got 5/);
    expect(() => bindInputShapes(torchStyleReshape(), { y: [1] })).toThrow(
      /"y": not a graph input \(inputs: x\)/,
    );
  });
});

describe('foldShapes', () => {
  it('turns Shape→Gather→Unsqueeze→Concat chains into constants for the bound shape', async () => {
    const folded = await foldShapes(torchStyleReshape(), { x: [4, 6] });
    const graph = graphOf(folded);
    expect((graph.node ?? []).map((n) => n.opType)).toEqual([
      'Relu',
      'Reshape',
      'Identity',
      'Greater',
      'NonZero',
      'Shape',
      'Identity',
    ]);
    const target = (graph.initializer ?? []).find((t) => t.name === 'target_shape')!;
    expect(Array.from(readTensor(target).data as BigInt64Array)).toEqual([4n, 2n, -1n]);
    const session = await createSession(folded, { provider: 'cpu' });
    const x = Float32Array.from({ length: 24 }, (_, i) => (i % 3) - 1);
    const out = await session.run({ x: new ort.Tensor('float32', x, [4, 6]) });
    expect(out.y!.dims).toEqual([4, 2, 3]);
    expect(Array.from(out.y!.data as Float32Array)).toEqual(Array.from(x, (v) => Math.max(v, 0)));
    expect(Array.from(out.positives!.data as BigInt64Array)).toEqual([2n, 8n]);
  });

  it('folds the reference text encoder to a shape-free graph with the golden output', async () => {
    const ids = goldenArray('text_encoder.input_ids');
    const { model } = loadModel(datasetPath('onnx', 'text_encoder', 'model.onnx'));
    const folded = await foldShapes(model, { input_ids: ids.shape });
    const ops = (graphOf(folded).node ?? []).map((n) => n.opType);
    expect(ops).not.toContain('Shape');
    expect(ops).not.toContain('Constant');
    expect(ops.length).toBeLessThan((graphOf(model).node ?? []).length / 2);
    const session = await createSession(folded, { provider: 'cpu' });
    const out = await session.run({
      input_ids: new ort.Tensor('int32', Int32Array.from(ids.data), ids.shape),
    });
    const got = out.last_hidden_state!.data as Float32Array;
    const expected = goldenArray('text_encoder.last_hidden_state').data;
    expect(got.length).toBe(expected.length);
    expected.forEach((v, i) => expect(Math.abs(got[i]! - v)).toBeLessThanOrEqual(1e-4 + 1e-4 * Math.abs(v)));
  });
});
