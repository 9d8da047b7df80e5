/**
 * The scoring CLIP built by our builders from the dataset's `clip/` folder reproduces golden.json → `clip`:
 * normalised text and image embeddings, cosine similarities and logits. Datasets without a scoring CLIP
 * (the SD 2.x sets) skip it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createSession, ort, type ModelSession } from '../../server/onnx/sessions';
import { buildClipImageEmbedder, buildClipTextEmbedder } from '../../server/sd/graphs';
import type { OpenedClipModel } from '../../server/sd/weights/diffusersFolder';
import { goldenArray, goldenValue } from '../support/referenceData';
import { withSkipReason } from '../support/skipReason';
import { clipSkipReason } from '../scoring/clipScoringSupport';
import { datasetClip, expectGolden, floatTensor, idsTensor } from './graphsSupport';
import { measured } from '../support/measured';

const skipReason = clipSkipReason();

describe.skipIf(skipReason !== undefined)(withSkipReason('scoring CLIP graphs (clip/)', skipReason), () => {
  let text: ModelSession;
  let image: ModelSession;
  let opened: OpenedClipModel | undefined;
  let logitScale = 0;
  let weightKeys: string[] = [];
  let allKeys: readonly string[] = [];

  beforeAll(async () => {
    opened = datasetClip();
    const { config, weights } = opened;
    const textGraph = await measured('clip text build', () => buildClipTextEmbedder(config, weights));
    const imageGraph = await measured('clip vision build', () => buildClipImageEmbedder(config, weights));
    logitScale = textGraph.logitScale;
    // logit_scale is read by both towers
    weightKeys = [...new Set([...textGraph.weightKeys, ...imageGraph.weightKeys])].sort();
    allKeys = weights.names();
    text = await createSession(textGraph.model, { provider: 'cpu' }, 'clip_text');
    image = await createSession(imageGraph.model, { provider: 'cpu' }, 'clip_vision');
  });
  afterAll(async () => {
    await text?.release();
    await image?.release();
    opened?.close();
  });

  it('the two towers together read every weight of the checkpoint', () => {
    expect(weightKeys).toEqual(allKeys);
  });

  it('reproduces the normalised embeddings, cosine similarities and logits', async () => {
    const textEmbeds = (await text.run({ input_ids: idsTensor(goldenArray('clip.input_ids')) })).text_embeds!;
    const imageEmbeds = (await image.run({ pixel_values: floatTensor(goldenArray('clip.pixel_values')) }))
      .image_embeds!;
    expectGolden(textEmbeds, goldenArray('clip.text_embeds'), 'text_embeds');
    expectGolden(imageEmbeds, goldenArray('clip.image_embeds'), 'image_embeds');

    // cosine [T, I] = text_embeds · image_embedsᵀ
    const [texts, width] = textEmbeds.dims as [number, number];
    const images = imageEmbeds.dims[0]!;
    const t = textEmbeds.data as Float32Array;
    const v = imageEmbeds.data as Float32Array;
    const cosine = new Float32Array(texts * images);
    for (let i = 0; i < texts; i++) {
      for (let j = 0; j < images; j++) {
        let dot = 0;
        for (let k = 0; k < width; k++) dot += t[i * width + k]! * v[j * width + k]!;
        cosine[i * images + j] = dot;
      }
    }
    expectGolden(
      new ort.Tensor('float32', cosine, [texts, images]),
      goldenArray('clip.cosine_similarity'),
      'cosine_similarity',
    );
    expect(logitScale).toBeCloseTo(Math.exp(z.number().parse(goldenValue('clip.logit_scale'))), 5);
    expectGolden(
      new ort.Tensor(
        'float32',
        cosine.map((c) => c * logitScale),
        [texts, images],
      ),
      goldenArray('clip.logits_per_text'),
      'logits_per_text',
    );
  });
});
