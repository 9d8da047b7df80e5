/**
 * The embedded tiny models end to end, without the studio: create them in a temporary models folder, load
 * the checkpoints as frozen models (family and prediction type from the files), encode a prompt, sample 4
 * steps and decode. Prints the wall time and peak RSS of each build and of one UNet call.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FrozenModel } from '../../server/sd/model/frozenModel';
import { loadFrozenModel } from '../../server/sd/model/loadFrozenModel';
import { encodePrompt } from '../../server/sd/model/promptEncoding';
import { decodeLatent, emptyLatent, runKSampler } from '../../server/sd/model/sampling';
import { makeTinyCheckpoint, makeTinyClip, tinyCheckpointPath, tinyClipPath } from '../../server/sd/tiny/tinyModels';
import { TINY_IMAGE_SIZE } from '../../server/sd/tiny/tinyConfigs';
import { openClipModelFolder } from '../../server/sd/weights/diffusersFolder';
import { measured } from '../support/measured';

const modelsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tiny-models-'));
afterAll(() => fs.rmSync(modelsDir, { recursive: true, force: true }));

const finite = (values: Float32Array) => values.every(Number.isFinite);

describe.each(['sd1', 'sd2'] as const)('tiny %s model', (family) => {
  let model: FrozenModel;

  beforeAll(async () => {
    await measured(`build tiny ${family}`, () => makeTinyCheckpoint(modelsDir, family));
    model = await loadFrozenModel(tinyCheckpointPath(modelsDir, family), {
      provider: 'cpu',
      cacheDir: path.join(modelsDir, 'cache'),
    });
  });
  afterAll(async () => model?.close());

  it('is read back as its family with its prediction type and its own tokenizer', () => {
    expect(model.family).toBe(family);
    expect(model.info.predictionType).toBe(family === 'sd2' ? 'v_prediction' : 'epsilon');
    expect(model.info.vaeScaleFactor * model.info.sampleSize).toBe(TINY_IMAGE_SIZE);
    const tokenizer = model.tokenizer();
    const { ids } = tokenizer.encode('a photo of a cat');
    expect(ids).toHaveLength(77);
    expect(ids[0]).toBe(tokenizer.bosId);
    expect(ids.at(-1)).toBe(family === 'sd2' ? 0 : tokenizer.eosId);
    expect(tokenizer.size).toBe(model.info.vocabSize);
  });

  it('never overwrites an existing checkpoint', async () => {
    const file = tinyCheckpointPath(modelsDir, family);
    const before = fs.statSync(file).mtimeMs;
    const again = await makeTinyCheckpoint(modelsDir, family);
    expect(again.created).toEqual([]);
    expect(fs.statSync(file).mtimeMs).toBe(before);
  });

  it('encodes, samples 4 steps and decodes: right shapes, finite, seeded', async () => {
    const positive = await encodePrompt(model, 'a photo of a red cat');
    const negative = await encodePrompt(model, '');
    expect(positive.context.dims).toEqual([1, 77, model.info.textHiddenSize]);
    expect(finite(positive.context.data)).toBe(true);
    const latent = emptyLatent(TINY_IMAGE_SIZE, TINY_IMAGE_SIZE, 2, model.info.latentChannels);
    const run = (seed: number) =>
      runKSampler(model, {
        positive,
        negative,
        latent,
        seed,
        steps: 4,
        cfg: 5,
        samplerName: 'euler',
        scheduler: 'normal',
        denoise: 1,
      });
    const first = await measured(`tiny ${family} sample 4 steps (batch 2, cfg)`, () => run(42));
    expect(first.shape).toEqual([2, 4, TINY_IMAGE_SIZE / 8, TINY_IMAGE_SIZE / 8]);
    expect(finite(first.samples)).toBe(true);
    const same = await run(42);
    expect(same.samples).toEqual(first.samples);
    const other = await run(43);
    const changed = other.samples.reduce((n, v, i) => n + (v !== first.samples[i] ? 1 : 0), 0);
    expect(changed).toBeGreaterThan(first.samples.length / 2);

    const image = await measured(`tiny ${family} decode`, () => decodeLatent(model, first));
    expect(image.shape).toEqual([2, TINY_IMAGE_SIZE, TINY_IMAGE_SIZE, 3]);
    expect(finite(image.data)).toBe(true);
    expect(Math.min(...image.data)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...image.data)).toBeLessThanOrEqual(1);
  });

  it('runs one UNet call (timed)', async () => {
    const size = TINY_IMAGE_SIZE / 8;
    const sample = { data: new Float32Array(2 * 4 * size * size).fill(0.5), dims: [2, 4, size, size] };
    const context = { data: new Float32Array(2 * 77 * model.info.textHiddenSize).fill(0.1), dims: [2, 77, model.info.textHiddenSize] };
    await model.unet(sample, 500, context);
    const out = await measured(`tiny ${family} one UNet call (batch 2, warm)`, () => model.unet(sample, 500, context));
    expect(out.dims).toEqual(sample.dims);
    expect(finite(out.data)).toBe(true);
  });
});

describe('tiny scoring CLIP', () => {
  it('is a CLIPModel folder whose weights match its config, with its tokenizer beside it', async () => {
    await measured('build tiny clip', () => makeTinyClip(modelsDir));
    const clip = openClipModelFolder(tinyClipPath(modelsDir));
    expect(clip.config.text_config.vocab_size).toBe(1000);
    expect(clip.weights.names()).toContain('visual_projection.weight');
    clip.close();
    for (const file of ['vocab.json', 'merges.txt']) expect(fs.existsSync(path.join(tinyClipPath(modelsDir), file))).toBe(true);
  });
});
