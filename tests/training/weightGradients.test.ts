/**
 * Weight gradients of whole SD components from our autodiff agree with finite differences of the loss:
 * the VAE (Conv, GroupNorm, mid-block attention), the UNet (Conv, GroupNorm, time-embedding Gemm/MatMul,
 * LayerNorm, self- and cross-attention, GEGLU) and CLIP (embeddings, LayerNorm, causal attention, MatMul,
 * the contrastive loss and its temperature). Directions are drawn per parameter family, so a wrong rule for
 * one family cannot hide behind the others. The trainable build also computes exactly what the frozen one does.
 */
import { describe, expect, it } from 'vitest';
import { createSession, ort } from '../../server/onnx/sessions';
import { GaussianRng } from '../../server/diffusion/gaussianRng';
import { buildUNet, buildVaeDecoder } from '../../server/sd/graphs';
import { tinyClipConfig, tinyConfigs } from '../../server/sd/tiny/tinyConfigs';
import { randomWeights } from '../../server/sd/tiny/randomWeights';
import {
  clipModelParameterShapes,
  unetParameterShapes,
  vaeParameterShapes,
} from '../../server/sd/weights/parameterShapes';
import {
  buildParameterGradientGraph,
  type ParameterGraph,
} from '../../server/training/weights/parameterGradientGraph';
import {
  clipLossModel,
  LOSS_IO,
  unetLossModel,
  vaeDecoderLossModel,
  vaeLossModel,
  type LossModel,
} from '../../server/training/weights/lossModels';
import { trainableWeights } from '../../server/training/weights/trainableWeights';

const configs = tinyConfigs('sd1');
const rng = new GaussianRng(7);
const normal = (dims: readonly number[]) =>
  new ort.Tensor('float32', rng.normal(dims.reduce((a, b) => a * b, 1)), [...dims]);

interface Family {
  readonly name: string;
  readonly match: (parameter: string, dims: readonly number[]) => boolean;
}

const FAMILIES: readonly Family[] = [
  { name: 'Conv weights', match: (_, d) => d.length === 4 },
  { name: 'Linear (MatMul/Gemm) weights', match: (p, d) => d.length === 2 && !/embedding/.test(p) },
  {
    name: 'attention q/k/v/out',
    match: (p) => /(to_[qkv]|to_out|q_proj|k_proj|v_proj|out_proj|\.(q|k|v|proj_out)\.)/.test(p),
  },
  { name: 'GroupNorm/LayerNorm affine', match: (p, d) => d.length === 1 && /norm|layer_norm/.test(p) },
  { name: 'biases', match: (p, d) => d.length === 1 && /bias$/.test(p) },
  { name: 'embeddings (token, position, time)', match: (p) => /embedding/.test(p) },
  { name: 'temperature', match: (p) => p === 'logit_scale' },
];

/** Loss at θ + t·d for a direction restricted to `family` (d = 0 elsewhere). */
async function directionalCheck(
  graph: ParameterGraph,
  feeds: Record<string, ort.Tensor>,
  family: Family,
): Promise<{ analytic: number; numeric: number; count: number } | undefined> {
  const names = [...graph.parameters].filter(([n, p]) => family.match(n, p.dims)).map(([n]) => n);
  if (!names.length) return undefined;
  const session = await createSession(graph.model, { provider: 'cpu' });
  try {
    const direction = new Map(names.map((n) => [n, rng.normal(graph.parameters.get(n)!.data.length)]));
    const run = async (t: number) => {
      const f: Record<string, ort.Tensor> = { ...feeds };
      for (const [n, p] of graph.parameters) {
        const d = direction.get(n);
        const data = d ? p.data.map((v, i) => v + t * d[i]!) : p.data;
        f[n] = new ort.Tensor('float32', data, [...p.dims]);
      }
      return session.run(f);
    };
    const at = await run(0);
    let analytic = 0;
    for (const n of names) {
      const g = at[graph.gradName(n)]!.data as Float32Array;
      const d = direction.get(n)!;
      for (let i = 0; i < g.length; i++) analytic += g[i]! * d[i]!;
    }
    // small: random-weight UNets curve fast, and float32 losses still resolve 1e-4 steps
    const eps = 1e-4;
    const lossAt = async (t: number) => Number((await run(t))[graph.loss]!.data[0]);
    const numeric = ((await lossAt(eps)) - (await lossAt(-eps))) / (2 * eps);
    return { analytic, numeric, count: names.length };
  } finally {
    await session.release();
  }
}

async function checkAllFamilies(
  { model, parameters }: LossModel,
  feeds: Record<string, ort.Tensor>,
  shapes: Record<string, readonly number[]>,
) {
  const graph = await buildParameterGradientGraph({
    model,
    parameters,
    loss: LOSS_IO.loss,
    inputShapes: shapes,
  });
  const checked: string[] = [];
  for (const family of FAMILIES) {
    const r = await directionalCheck(graph, feeds, family);
    if (!r) continue;
    checked.push(family.name);
    expect(
      Math.abs(r.analytic - r.numeric),
      `${family.name} (${r.count} tensors): analytic ${r.analytic}, numeric ${r.numeric}`,
    ).toBeLessThanOrEqual(0.02 * Math.abs(r.analytic) + 2e-4);
    expect(Math.abs(r.analytic), `${family.name} gradient is not zero`).toBeGreaterThan(1e-6);
  }
  return { graph, checked };
}

describe('weight gradients of SD components agree with finite differences', () => {
  it('VAE (reconstruction + KL): Conv, GroupNorm, attention projections, biases', async () => {
    const c = configs.vae;
    const weights = randomWeights('vae', vaeParameterShapes(c), 11);
    const size = 16;
    const latent = size / 2 ** (c.block_out_channels.length - 1);
    const shapes = {
      [LOSS_IO.image]: [2, 3, size, size],
      [LOSS_IO.noise]: [2, c.latent_channels, latent, latent],
    };
    const feeds = { [LOSS_IO.image]: normal(shapes.image!), [LOSS_IO.noise]: normal(shapes.noise!) };
    const { graph, checked } = await checkAllFamilies(vaeLossModel(c, weights, 1e-3), feeds, shapes);
    expect(checked).toEqual([
      'Conv weights',
      'Linear (MatMul/Gemm) weights',
      'attention q/k/v/out',
      'GroupNorm/LayerNorm affine',
      'biases',
    ]);
    expect(graph.parameters.size).toBe(vaeParameterShapes(c).size);
  });

  it('VAE decoder alone (encoder frozen): only decoder weights learn, loss = MSE of the decoded image', async () => {
    const c = configs.vae;
    const weights = randomWeights('vae', vaeParameterShapes(c), 14);
    const size = 16;
    const latent = size / 2 ** (c.block_out_channels.length - 1);
    const shapes = {
      [LOSS_IO.latents]: [2, c.latent_channels, latent, latent],
      [LOSS_IO.image]: [2, 3, size, size],
    };
    const latents = normal(shapes.latents!);
    const decoder = await createSession(buildVaeDecoder(c, weights).model, { provider: 'cpu' });
    const decoded = (await decoder.run({ latent_sample: latents })).sample!.data as Float32Array;
    await decoder.release();
    // a target near the decoded image: a small loss keeps float32 finite differences precise
    const noise = rng.normal(decoded.length);
    const target = decoded.map((v, i) => v + 0.3 * noise[i]!);
    const feeds = {
      [LOSS_IO.latents]: latents,
      [LOSS_IO.image]: new ort.Tensor('float32', target, shapes.image!),
    };
    const loss = vaeDecoderLossModel(c, weights);
    const { graph, checked } = await checkAllFamilies(loss, feeds, shapes);
    expect(checked).toContain('attention q/k/v/out');
    const decoderKeys = [...vaeParameterShapes(c).keys()].filter((k) =>
      /^(decoder|post_quant_conv)\./.test(k),
    );
    expect([...graph.parameters.keys()].sort()).toEqual(decoderKeys.sort());
    // the loss is the MSE between what the inference decoder draws from the same latents and the target
    const mse = decoded.reduce((sum, v, i) => sum + (v - target[i]!) ** 2, 0) / decoded.length;
    const lossSession = await createSession(loss.model, { provider: 'cpu' });
    try {
      expect(Number((await lossSession.run(feeds))[LOSS_IO.loss]!.data[0])).toBeCloseTo(mse, 5);
    } finally {
      await lossSession.release();
    }
  });

  it('UNet (epsilon MSE): Conv, Gemm/MatMul, GroupNorm/LayerNorm, self/cross attention', async () => {
    const c = configs.unet;
    const weights = randomWeights('unet', unetParameterShapes(c), 12);
    const shapes = {
      [LOSS_IO.noisyLatents]: [2, c.in_channels, 16, 16],
      [LOSS_IO.timesteps]: [2],
      [LOSS_IO.context]: [2, 5, configs.textEncoder.hidden_size],
      [LOSS_IO.target]: [2, c.out_channels, 16, 16],
    };
    const feeds = {
      [LOSS_IO.noisyLatents]: normal(shapes.noisy_latents!),
      [LOSS_IO.timesteps]: new ort.Tensor('float32', Float32Array.of(10, 700), [2]),
      [LOSS_IO.context]: normal(shapes.context!),
      [LOSS_IO.target]: normal(shapes.target!),
    };
    const { graph, checked } = await checkAllFamilies(unetLossModel(c, weights), feeds, shapes);
    expect(checked).toEqual([
      'Conv weights',
      'Linear (MatMul/Gemm) weights',
      'attention q/k/v/out',
      'GroupNorm/LayerNorm affine',
      'biases',
      'embeddings (token, position, time)',
    ]);
    expect(graph.parameters.size).toBe(unetParameterShapes(c).size);
  });

  it('UNet with per-sample loss weights (min-SNR): the batch mean of w·MSE per sample, gradients agree', async () => {
    const c = configs.unet;
    const weights = randomWeights('unet', unetParameterShapes(c), 15);
    const sample = [c.in_channels, 8, 8];
    const shapes = {
      [LOSS_IO.noisyLatents]: [2, ...sample],
      [LOSS_IO.timesteps]: [2],
      [LOSS_IO.context]: [2, 5, configs.textEncoder.hidden_size],
      [LOSS_IO.target]: [2, ...sample],
      [LOSS_IO.lossWeights]: [2],
    };
    const feeds: Record<string, ort.Tensor> = {
      [LOSS_IO.noisyLatents]: normal(shapes.noisy_latents!),
      [LOSS_IO.timesteps]: new ort.Tensor('float32', Float32Array.of(30, 800), [2]),
      [LOSS_IO.context]: normal(shapes.context!),
      [LOSS_IO.target]: normal(shapes.target!),
      [LOSS_IO.lossWeights]: new ort.Tensor('float32', Float32Array.of(0.25, 2), [2]),
    };
    const weighted = unetLossModel(c, weights, { weighted: true });
    const { checked } = await checkAllFamilies(weighted, feeds, shapes);
    expect(checked).toContain('attention q/k/v/out');
    // each sample's plain MSE, from the unweighted loss on that sample alone
    const plain = await createSession(unetLossModel(c, weights).model, { provider: 'cpu' });
    const weightedSession = await createSession(weighted.model, { provider: 'cpu' });
    try {
      const mse: number[] = [];
      for (const b of [0, 1]) {
        const one = (name: string) => {
          const t = feeds[name]!;
          const per = t.size / 2;
          return new ort.Tensor('float32', (t.data as Float32Array).slice(b * per, (b + 1) * per), [
            1,
            ...t.dims.slice(1),
          ]);
        };
        const out = await plain.run({
          [LOSS_IO.noisyLatents]: one(LOSS_IO.noisyLatents),
          [LOSS_IO.timesteps]: one(LOSS_IO.timesteps),
          [LOSS_IO.context]: one(LOSS_IO.context),
          [LOSS_IO.target]: one(LOSS_IO.target),
        });
        mse.push(Number(out[LOSS_IO.loss]!.data[0]));
      }
      const loss = Number((await weightedSession.run(feeds))[LOSS_IO.loss]!.data[0]);
      expect(loss).toBeCloseTo((0.25 * mse[0]! + 2 * mse[1]!) / 2, 5);
      expect(Math.abs(mse[0]! - mse[1]!)).toBeGreaterThan(1e-3);
    } finally {
      await plain.release();
      await weightedSession.release();
    }
  });

  it('CLIP (contrastive): embeddings, LayerNorm, causal attention, projections, temperature', async () => {
    const c = tinyClipConfig();
    const weights = randomWeights('clip', clipModelParameterShapes(c), 13);
    const v = c.vision_config;
    const ids = new Int32Array(3 * 77).fill(c.text_config.eos_token_id!);
    [
      [998, 5, 6, 7, 999],
      [998, 8, 999],
      [998, 5, 6, 7, 999],
    ].forEach((row, i) => ids.set(row, i * 77));
    const positives = Float32Array.of(0.5, 0, 0.5, 0, 1, 0, 0.5, 0, 0.5);
    const shapes = {
      [LOSS_IO.inputIds]: [3, 77],
      [LOSS_IO.pixels]: [3, 3, v.image_size, v.image_size],
      [LOSS_IO.positives]: [3, 3],
    };
    const feeds = {
      [LOSS_IO.inputIds]: new ort.Tensor('int32', ids, [3, 77]),
      [LOSS_IO.pixels]: normal(shapes.pixel_values!),
      [LOSS_IO.positives]: new ort.Tensor('float32', positives, [3, 3]),
    };
    const { checked } = await checkAllFamilies(clipLossModel(c, weights), feeds, shapes);
    expect(checked).toEqual([
      'Conv weights',
      'Linear (MatMul/Gemm) weights',
      'attention q/k/v/out',
      'GroupNorm/LayerNorm affine',
      'biases',
      'embeddings (token, position, time)',
      'temperature',
    ]);
  });

  it('a trainable build (weights under their checkpoint keys, transforms as ops) computes what the frozen build does', async () => {
    const c = configs.unet;
    const weights = randomWeights('unet', unetParameterShapes(c), 14);
    const feeds = {
      sample: normal([1, c.in_channels, 8, 8]),
      timestep: new ort.Tensor('float32', Float32Array.of(321), [1]),
      encoder_hidden_states: normal([1, 5, configs.textEncoder.hidden_size]),
    };
    const outputs = [];
    for (const w of [weights, trainableWeights(weights)]) {
      const session = await createSession(buildUNet(c, w).model, { provider: 'cpu' });
      outputs.push((await session.run(feeds))['out_sample']!.data as Float32Array);
      await session.release();
    }
    expect(outputs[1]!.length).toBe(outputs[0]!.length);
    let worst = 0;
    for (let i = 0; i < outputs[0]!.length; i++)
      worst = Math.max(worst, Math.abs(outputs[0]![i]! - outputs[1]![i]!));
    expect(worst).toBeLessThan(1e-5);
    const vae = buildVaeDecoder(
      configs.vae,
      trainableWeights(randomWeights('vae', vaeParameterShapes(configs.vae), 15)),
    );
    const initializers = (vae.model.graph?.initializer ?? [])
      .map((t) => t.name ?? '')
      .filter((n) => n.includes('.'));
    expect(initializers.every((n) => !/\.(T|c11)$/.test(n))).toBe(true);
  });
});
