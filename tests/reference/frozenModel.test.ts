/**
 * The frozen model reproduces golden.json (text_encoder, unet, vae.decode, vae.encode moments) through one
 * object, whichever source it was loaded from: the dataset's ONNX export (`onnx/`), its diffusers folder
 * (`model/`) and its float16 single-file checkpoint (`checkpoint.safetensors`). float32 sources meet the
 * README tolerance; the float16 checkpoint is held to a bound relative to each output's largest magnitude
 * (observed values are printed).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FrozenModel } from '../../server/sd/model/frozenModel';
import type { FloatTensor } from '../../server/sd/model/tensors';
import { maxAbs, worstExcess } from '../support/arrayCompare';
import { frozenModelSources } from '../support/frozenModelSources';
import { datasetName, goldenArray, goldenHas, goldenValue, type GoldenArray } from '../support/referenceData';

/**
 * Largest |a − b| relative to max |golden| allowed for the float16 checkpoint. Observed on both public sets:
 * ≤ 1.8e-3 (text encoder ~9e-4, UNet ~1.2e-3, VAE ~1.8e-3); the bound leaves room for the hidden sets.
 */
const FP16_RELATIVE_BOUND = 5e-3;

const expectedFamily =
  goldenHas('meta.architecture') && goldenValue('meta.architecture') === 'sd2' ? 'sd2' : 'sd1';
const expectedPrediction = goldenHas('meta.prediction_type')
  ? goldenValue('meta.prediction_type')
  : 'epsilon';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'frozen-model-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Gathers rows of `ids` from a [rows, hidden] table, as CLIPTextEncode and the trainer do. */
function gather(
  table: Float32Array,
  hidden: number,
  ids: ArrayLike<number>,
  dims: readonly number[],
): FloatTensor {
  const out = new Float32Array(ids.length * hidden);
  for (let i = 0; i < ids.length; i++)
    out.set(table.subarray(ids[i]! * hidden, (ids[i]! + 1) * hidden), i * hidden);
  return { data: out, dims: [...dims, hidden] };
}

const tensor = (g: GoldenArray): FloatTensor => ({ data: g.data, dims: g.shape });

describe.each(frozenModelSources)(`frozen model from $name (${datasetName})`, (source) => {
  let model: FrozenModel;
  const observed: string[] = [];

  /** float32: README tolerance; float16: |a−b| ≤ bound·max|b|. */
  function expectClose(actual: FloatTensor, expected: GoldenArray, label: string): void {
    expect([...actual.dims], `${label} dims`).toEqual(expected.shape);
    if (!source.float16) {
      expect(
        worstExcess(actual.data, expected.data, 1e-4, 1e-4),
        `${label}: worst excess`,
      ).toBeLessThanOrEqual(0);
      return;
    }
    let diff = 0;
    for (let i = 0; i < expected.data.length; i++)
      diff = Math.max(diff, Math.abs(actual.data[i]! - expected.data[i]!));
    const relative = diff / maxAbs(expected.data);
    observed.push(`${label} max|Δ| ${diff.toExponential(2)} (${relative.toExponential(2)} of max|golden|)`);
    expect(relative, label).toBeLessThanOrEqual(FP16_RELATIVE_BOUND);
  }

  beforeAll(async () => {
    model = await source.load(path.join(tmp, source.name.replace(/\W/g, '_')));
  });
  afterAll(async () => {
    if (observed.length) console.info(`[fp16 ${datasetName} ${source.name}] ${observed.join('; ')}`);
    await model?.close();
  });

  it('reads family and sizes from the files', () => {
    expect(model.family).toBe(expectedFamily);
    expect(model.info.textHiddenSize).toBe(goldenArray('text_encoder.last_hidden_state').shape[2]);
    expect(model.info.latentChannels).toBe(goldenArray('unet.sample').shape[1]);
    expect(model.info.vaeScaleFactor).toBe(
      goldenArray('vae.decode.sample').shape[2]! / goldenArray('vae.decode.latents').shape[2]!,
    );
    expect(model.info.predictionType).toBe(expectedPrediction);
  });

  it('refuses the bundled CLIP vocabulary for a smaller embedding table and says where its own goes (the dataset ships none)', () => {
    expect(() => model.tokenizer()).toThrow(
      new RegExp(
        `has 49408 tokens but the text encoder's embedding table has ${model.info.vocabSize} rows: it belongs to another model\\. Put this model's own tokenizer files in`,
      ),
    );
  });

  it('text encoder: token ids and token embeddings give the golden states', async () => {
    const ids = goldenArray('text_encoder.input_ids');
    const int32 = Int32Array.from(ids.data);
    const byIds = await model.textEncoder(int32, ids.shape);
    expectClose(byIds.lastHiddenState, goldenArray('text_encoder.last_hidden_state'), 'last_hidden_state');
    expectClose(byIds.pooled!, goldenArray('text_encoder.pooler_output'), 'pooler_output');
    const table = model.tokenEmbeddings();
    expect(table.length).toBe(model.info.vocabSize * model.info.textHiddenSize);
    const embeds = gather(table, model.info.textHiddenSize, ids.data, ids.shape);
    const byEmbeds = await model.textEncoderFromEmbeds(embeds, int32);
    expectClose(byEmbeds.lastHiddenState, goldenArray('text_encoder.last_hidden_state'), 'from embeds');
  });

  it('unet: per-row and scalar timesteps give the golden out_sample', async () => {
    const out = await model.unet(
      tensor(goldenArray('unet.sample')),
      goldenArray('unet.timestep').data,
      tensor(goldenArray('unet.encoder_hidden_states')),
    );
    expectClose(out, goldenArray('unet.out_sample'), 'unet');
    const t = Number(goldenValue('unet.scalar_timestep_case.timestep'));
    const outScalar = await model.unet(
      tensor(goldenArray('unet.sample')),
      t,
      tensor(goldenArray('unet.encoder_hidden_states')),
    );
    expectClose(outScalar, goldenArray('unet.scalar_timestep_case.out_sample'), 'unet scalar t');
  });

  it('vae: decoding pipeline latents and encoding an image give the golden sample and moments', async () => {
    const decoded = await model.vaeDecode(tensor(goldenArray('vae.decode.latents')));
    expectClose(decoded, goldenArray('vae.decode.sample'), 'vae decode');
    const moments = await model.vaeEncodeMoments(tensor(goldenArray('vae.encode.image')));
    expectClose(moments.mean, goldenArray('vae.encode.latent_mean'), 'latent mean');
    expectClose(moments.logvar, goldenArray('vae.encode.latent_logvar'), 'latent logvar');
  });
});
