/**
 * Frozen-model plumbing on the dataset: built graphs are cached on disk and a second load builds nothing
 * and gives identical outputs; the graphs handed to the trainer (text encoder over embeddings, plain-op
 * UNet) reproduce golden.json from every source; the ONNX export's random VAE encoder, cut to its moments
 * by graph surgery, gives the golden moments.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../server/onnx/modelIO';
import { createSession, ort } from '../../server/onnx/sessions';
import type { FrozenModel } from '../../server/sd/model/frozenModel';
import { loadFrozenModel } from '../../server/sd/model/loadFrozenModel';
import { exposeMoments } from '../../server/sd/model/onnxExportSurgery';
import { worstExcess } from '../support/arrayCompare';
import { datasetName, datasetPath, goldenArray, type GoldenArray } from '../support/referenceData';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'frozen-cache-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const tensor = (g: GoldenArray) => ({ data: g.data, dims: g.shape });
const within = (actual: Float32Array, expected: GoldenArray) =>
  worstExcess(actual, expected.data, 1e-4, 1e-4);

async function runAll(model: FrozenModel): Promise<Float32Array[]> {
  const ids = goldenArray('text_encoder.input_ids');
  const text = await model.textEncoder(Int32Array.from(ids.data), ids.shape);
  const unet = await model.unet(
    tensor(goldenArray('unet.sample')),
    goldenArray('unet.timestep').data,
    tensor(goldenArray('unet.encoder_hidden_states')),
  );
  const decoded = await model.vaeDecode(tensor(goldenArray('vae.decode.latents')));
  const moments = await model.vaeEncodeMoments(tensor(goldenArray('vae.encode.image')));
  const embeds = await model.textEncoderFromEmbeds(
    { data: gatherRows(model, ids.data), dims: [...ids.shape, model.info.textHiddenSize] },
    Int32Array.from(ids.data),
  );
  return [text.lastHiddenState.data, unet.data, decoded.data, moments.mean.data, embeds.lastHiddenState.data];
}

function gatherRows(model: FrozenModel, ids: ArrayLike<number>): Float32Array {
  const hidden = model.info.textHiddenSize;
  const table = model.tokenEmbeddings();
  const out = new Float32Array(ids.length * hidden);
  for (let i = 0; i < ids.length; i++)
    out.set(table.subarray(ids[i]! * hidden, (ids[i]! + 1) * hidden), i * hidden);
  return out;
}

describe(`frozen model cache and training graphs (${datasetName})`, () => {
  it('caches built graphs on disk: a second load builds nothing and computes the same numbers', async () => {
    const cacheDir = path.join(tmp, 'cache');
    const built: string[] = [];
    const first = await loadFrozenModel(datasetPath('model'), {
      provider: 'cpu',
      cacheDir,
      onBuild: (name) => built.push(name),
    });
    const before = await runAll(first);
    await first.close();
    expect(built.sort()).toEqual([
      'text_encoder',
      'text_encoder_embeds',
      'unet',
      'vae_decoder',
      'vae_encoder',
    ]);
    const folders = fs.readdirSync(path.join(cacheDir, 'frozen'));
    expect(folders).toHaveLength(1);
    const files = fs.readdirSync(path.join(cacheDir, 'frozen', folders[0]!));
    expect(files).toContain('unet.onnx');
    expect(files).toContain('unet.onnx_data');
    expect(files).toContain('frozen.json');

    const rebuilt: string[] = [];
    const second = await loadFrozenModel(datasetPath('model'), {
      provider: 'cpu',
      cacheDir,
      onBuild: (name) => rebuilt.push(name),
    });
    const after = await runAll(second);
    await second.close();
    expect(rebuilt).toEqual([]);
    after.forEach((values, i) => expect(values, `output ${i}`).toEqual(before[i]));
  });

  it.each(['onnx', 'model'])(
    'the training graphs from %s/ reproduce the golden text encoder and UNet',
    async (folder) => {
      const model = await loadFrozenModel(datasetPath(folder), {
        provider: 'cpu',
        cacheDir: path.join(tmp, 'train'),
      });
      const { textEncoderEmbeds, unet } = model.differentiableComponents();
      const outputs = (textEncoderEmbeds.model.graph?.output ?? []).map((o) => o.name);
      expect(outputs).toEqual(['last_hidden_state']);

      const ids = goldenArray('text_encoder.input_ids');
      const text = await createSession(textEncoderEmbeds.model, {
        provider: 'cpu',
        sourceDir: textEncoderEmbeds.baseDir,
      });
      const hidden = model.info.textHiddenSize;
      const feeds: Record<string, ort.Tensor> = {
        inputs_embeds: new ort.Tensor('float32', gatherRows(model, ids.data), [...ids.shape, hidden]),
      };
      if (text.inputNames.includes('input_ids'))
        feeds.input_ids = new ort.Tensor('int32', Int32Array.from(ids.data), ids.shape);
      const states = (await text.run(feeds)).last_hidden_state!;
      expect(
        within(states.data as Float32Array, goldenArray('text_encoder.last_hidden_state')),
      ).toBeLessThanOrEqual(0);
      await text.release();

      // the trainer's UNet must be plain ONNX ops (no contrib attention kernel) for autodiff
      const domains = new Set((unet.model.graph?.node ?? []).map((n) => n.domain ?? ''));
      expect([...domains].filter((d) => d !== '' && d !== 'ai.onnx')).toEqual([]);
      const session = await createSession(unet.model, { provider: 'cpu', sourceDir: unet.baseDir });
      const out = await session.run({
        sample: new ort.Tensor('float32', goldenArray('unet.sample').data, goldenArray('unet.sample').shape),
        timestep: new ort.Tensor('float32', goldenArray('unet.timestep').data, [2]),
        encoder_hidden_states: new ort.Tensor(
          'float32',
          goldenArray('unet.encoder_hidden_states').data,
          goldenArray('unet.encoder_hidden_states').shape,
        ),
      });
      expect(
        within(out[session.outputNames[0]!]!.data as Float32Array, goldenArray('unet.out_sample')),
      ).toBeLessThanOrEqual(0);
      await session.release();
      await model.close();
    },
  );

  it('graph surgery turns the random ONNX VAE encoder into the golden moments', async () => {
    const { model, baseDir } = loadModel(datasetPath('onnx/vae_encoder/model.onnx'));
    const cut = exposeMoments(model);
    expect((cut.graph?.node ?? []).some((n) => n.opType === 'RandomNormalLike')).toBe(false);
    const session = await createSession(cut, { provider: 'cpu', sourceDir: baseDir });
    const image = goldenArray('vae.encode.image');
    const moments = (await session.run({ sample: new ort.Tensor('float32', image.data, image.shape) }))
      .moments!;
    const [b, c2, h, w] = moments.dims as number[];
    const plane = (c2! / 2) * h! * w!;
    expect(b).toBe(1);
    const data = moments.data as Float32Array;
    expect(within(data.subarray(0, plane), goldenArray('vae.encode.latent_mean'))).toBeLessThanOrEqual(0);
    expect(within(data.subarray(plane), goldenArray('vae.encode.latent_logvar'))).toBeLessThanOrEqual(0);
    await session.release();
  });
});
