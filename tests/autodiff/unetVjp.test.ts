/**
 * vjp on the real torch.onnx UNet export of the reference dataset (external weights): the gradient of
 * ⟨c, out_sample⟩ w.r.t. encoder_hidden_states against central differences along random directions, the
 * forward outputs of the vjp model against golden.json, and the dynamic-shape model against the pinned one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../server/onnx/modelIO';
import { createSession, ort, type ModelSession } from '../../server/onnx/sessions';
import { vjp } from '../../server/onnx/autodiff/vjp';
import { normalRandom } from '../../server/onnx/autodiff/gradientCheck';
import { datasetPath, goldenArray, type GoldenArray } from '../support/referenceData';

const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};

describe('vjp of the reference UNet w.r.t. encoder_hidden_states', () => {
  const names = ['sample', 'timestep', 'encoder_hidden_states', 'out_sample'] as const;
  const golden = Object.fromEntries(names.map((n) => [n, goldenArray(`unet.${n}`)])) as Record<
    (typeof names)[number],
    GoldenArray
  >;
  const inputNames = names.slice(0, 3);
  const feeds = Object.fromEntries(
    inputNames.map((n) => [n, new ort.Tensor('float32', golden[n].data, golden[n].shape)]),
  );
  const outShape = golden.out_sample.shape;
  const random = normalRandom(11);
  const cotangent = new ort.Tensor(
    'float32',
    Float32Array.from({ length: outShape.reduce((a, b) => a * b, 1) }, random),
    outShape,
  );
  const modelFile = datasetPath('onnx/unet/model.onnx');
  let forward: ModelSession;
  let pinned: ModelSession;
  let gradient: Float32Array;

  beforeAll(async () => {
    const { model, baseDir } = loadModel(modelFile);
    const inputShapes = Object.fromEntries(inputNames.map((n) => [n, golden[n].shape]));
    forward = await createSession(modelFile, { provider: 'cpu' });
    pinned = await createSession(
      vjp(model, { of: ['out_sample'], wrt: ['encoder_hidden_states'], inputShapes }),
      { provider: 'cpu', sourceDir: baseDir },
    );
    const out = await pinned.run({ ...feeds, grad_out_sample: cotangent });
    gradient = out.grad_encoder_hidden_states!.data as Float32Array;
    const expected = golden.out_sample.data;
    const actual = out.out_sample!.data as Float32Array;
    expect(
      Math.max(...actual.map((v, i) => Math.abs(v - expected[i]!) - 1e-4 * Math.abs(expected[i]!))),
    ).toBeLessThan(1e-4);
  });

  afterAll(async () => {
    await forward?.release();
    await pinned?.release();
  });

  it('matches central differences along random directions', async () => {
    const ehs = feeds.encoder_hidden_states!;
    const x0 = ehs.data as Float32Array;
    const loss = async (v: Float64Array, step: number): Promise<number> => {
      const x = Float32Array.from(x0, (e, i) => e + step * v[i]!);
      const out = await forward.run({
        ...feeds,
        encoder_hidden_states: new ort.Tensor('float32', x, ehs.dims),
      });
      return dot(out.out_sample!.data as Float32Array, cotangent.data as Float32Array);
    };
    const eps = 1e-2;
    const analytic: number[] = [];
    const numeric: number[] = [];
    for (let d = 0; d < 3; d++) {
      const v = Float64Array.from({ length: x0.length }, random);
      analytic.push(dot(gradient, v));
      numeric.push(((await loss(v, eps)) - (await loss(v, -eps))) / (2 * eps));
    }
    const scale = Math.max(...numeric.map(Math.abs));
    expect(scale).toBeGreaterThan(1e-3);
    analytic.forEach((a, d) =>
      expect(Math.abs(a - numeric[d]!) / scale, `direction ${d}`).toBeLessThan(1e-2),
    );
  });

  it('gives the same gradient with dynamic (symbolic) input shapes', async () => {
    const { model, baseDir } = loadModel(modelFile);
    const dynamic = await createSession(vjp(model, { of: ['out_sample'], wrt: ['encoder_hidden_states'] }), {
      provider: 'cpu',
      sourceDir: baseDir,
    });
    const out = await dynamic.run({ ...feeds, grad_out_sample: cotangent });
    await dynamic.release();
    const g = out.grad_encoder_hidden_states!.data as Float32Array;
    const scale = Math.max(...gradient.map(Math.abs));
    expect(Math.max(...g.map((v, i) => Math.abs(v - gradient[i]!))) / scale).toBeLessThan(1e-5);
  });
});
