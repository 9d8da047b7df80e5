import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../graphBuilder';
import { createSession, ort } from '../sessions';
import { mergeModels } from './mergeModels';
import { graphOf } from './graphIndex';

/** Like a text encoder: two outputs, the second (a "pooled" reduction) unused downstream. */
function encoder(opset = 17) {
  const g = new GraphBuilder({ name: 'encoder', opset });
  const x = g.input('x', 'float32', [2]);
  const hidden = g.op('Mul', [x, g.scalar(3)], {}, 'hidden');
  g.output(hidden, 'float32', [2], 'last');
  g.output(g.op('ArgMax', [x], { keepdims: 0 }), 'int64', [], 'pooled');
  return g.toModel();
}

/** Like a UNet: reads the encoder's hidden state; uses the same generated names (scalar, Mul...). */
function decoder(opset = 17) {
  const g = new GraphBuilder({ name: 'decoder', opset });
  const cond = g.input('cond', 'float32', [2]);
  const sample = g.input('sample', 'float32', [2]);
  g.output(g.op('Add', [g.op('Mul', [sample, g.scalar(10)]), cond]), 'float32', [2], 'out');
  return g.toModel();
}

describe('mergeModels', () => {
  it('wires a tensor of the first model into an input of the second and prunes unused branches', async () => {
    const merged = mergeModels(encoder(), decoder(), {
      connect: { cond: 'last' },
      firstPrefix: 'te/',
      secondPrefix: 'unet/',
    });
    const graph = graphOf(merged);
    expect((graph.input ?? []).map((v) => v.name)).toEqual(['te/x', 'unet/sample']);
    expect((graph.output ?? []).map((v) => v.name)).toEqual(['unet/out']);
    expect((graph.node ?? []).map((n) => n.opType)).not.toContain('ArgMax');
    const session = await createSession(merged, { provider: 'cpu' });
    const out = await session.run({
      'te/x': new ort.Tensor('float32', Float32Array.from([1, -2]), [2]),
      'unet/sample': new ort.Tensor('float32', Float32Array.from([0.5, 1]), [2]),
    });
    // out = sample·10 + x·3
    expect(Array.from(out['unet/out']!.data as Float32Array)).toEqual([8, 4]);
  });

  it('keeps the first outputs on request and reports name clashes without prefixes', () => {
    const kept = mergeModels(encoder(), decoder(), {
      connect: { cond: 'hidden' },
      firstPrefix: 'a/',
      keepFirstOutputs: true,
    });
    expect((graphOf(kept).output ?? []).map((v) => v.name)).toEqual(['a/last', 'a/pooled', 'out']);
    expect(() => mergeModels(encoder(), decoder(), { connect: { cond: 'last' } })).toThrow(
      /both models define "scalar".*pass firstPrefix\/secondPrefix/,
    );
    expect(() => mergeModels(encoder(), decoder(), { connect: { cnd: 'last' }, firstPrefix: 'a/' })).toThrow(
      /second model has no input "cnd"; its inputs are cond, sample/,
    );
    expect(() => mergeModels(encoder(), decoder(), { connect: { cond: 'lst' }, firstPrefix: 'a/' })).toThrow(
      /first model has no tensor "lst"/,
    );
  });

  it('raises the older opset when safe and refuses when an op changed meaning', () => {
    const merged = mergeModels(encoder(14), decoder(17), { connect: { cond: 'last' }, firstPrefix: 'a/' });
    expect((merged.opsetImport ?? []).map((o) => [o.domain, Number(o.version)])).toEqual([['', 17]]);
    const g = new GraphBuilder({ opset: 14 });
    const x = g.input('x', 'float32', [2, 2]);
    g.output(g.op('ReduceMean', [x], { axes: [1], keepdims: 0 }), 'float32', [2], 'm');
    expect(() =>
      mergeModels(g.toModel(), decoder(18), { connect: { cond: 'm' }, firstPrefix: 'a/' }),
    ).toThrow(/cannot raise the first model from opset 14 to 18: ReduceMean \(changed at opset 18\)/);
  });
});
