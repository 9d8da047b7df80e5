/**
 * The ClipScorer built from the dataset's clip/ folder reproduces golden.json → `clip` through its own
 * preprocessing and session code: image_0to1 → image_embeds, input_ids → text_embeds, and the cosine
 * similarities behind CLIP-T. Datasets without a scoring CLIP (the SD 2.x sets) skip with the reason.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ClipScorer } from '../../server/scoring/clipScorer';
import { cosineMatrix } from '../../server/scoring/cosineAverages';
import { worstExcess } from '../support/arrayCompare';
import { goldenArray, goldenValue } from '../support/referenceData';
import { withSkipReason } from '../support/skipReason';
import { clipSkipReason, datasetClipDir, nchwToImage } from '../scoring/clipScoringSupport';

const skipReason = clipSkipReason();
// README tolerance for float32 forward passes: |a - b| <= 1e-4 + 1e-4·|b|
const ABS = 1e-4;
const REL = 1e-4;

describe.skipIf(skipReason !== undefined)(
  withSkipReason('ClipScorer on the dataset CLIP (golden clip)', skipReason),
  () => {
    let scorer: ClipScorer;
    beforeAll(() => {
      scorer = ClipScorer.open(datasetClipDir, { provider: 'cpu' });
    });
    afterAll(async () => scorer?.close());

    const ids = () => {
      const array = goldenArray('clip.input_ids');
      return { data: Int32Array.from(array.data), shape: [array.shape[0]!, array.shape[1]!] as const };
    };

    it('embeds image_0to1 through its own preprocessing to image_embeds', async () => {
      const image = nchwToImage(goldenArray('clip.image_0to1'));
      // the golden image already has the tower's size, so the resize step is the identity
      expect(image.shape[1]).toBe(scorer.imageSize);
      const embeds = await scorer.imageEmbeddings(image);
      const expected = goldenArray('clip.image_embeds');
      expect([...embeds.shape]).toEqual(expected.shape);
      expect(worstExcess(embeds.data, expected.data, ABS, REL)).toBeLessThanOrEqual(0);
    });

    it('embeds input_ids to text_embeds', async () => {
      const embeds = await scorer.textEmbeddings(ids());
      const expected = goldenArray('clip.text_embeds');
      expect([...embeds.shape]).toEqual(expected.shape);
      expect(worstExcess(embeds.data, expected.data, ABS, REL)).toBeLessThanOrEqual(0);
    });

    it('gives cosine_similarity, CLIP-T per prompt and the logit scale', async () => {
      const image = nchwToImage(goldenArray('clip.image_0to1'));
      const cosine = cosineMatrix(await scorer.textEmbeddings(ids()), await scorer.imageEmbeddings(image));
      const expected = goldenArray('clip.cosine_similarity');
      expect([cosine.length, cosine[0]!.length]).toEqual(expected.shape);
      expect(worstExcess(cosine.flat(), expected.data, ABS, REL)).toBeLessThanOrEqual(0);

      // CLIP-T of the golden image against each prompt row alone is that row's cosine
      const all = ids();
      const [texts, sequence] = all.shape;
      const perPrompt: number[] = [];
      for (let t = 0; t < texts; t++) {
        const row = { data: all.data.slice(t * sequence, (t + 1) * sequence), shape: [1, sequence] as const };
        perPrompt.push(await scorer.clipT(image, row));
      }
      expect(worstExcess(perPrompt, expected.data, ABS, REL)).toBeLessThanOrEqual(0);
      // an image set against itself: CLIP-I is 1
      expect(await scorer.clipI(image, image)).toBeCloseTo(1, 6);
      expect(scorer.logitScale).toBeCloseTo(Math.exp(z.number().parse(goldenValue('clip.logit_scale'))), 4);
    });
  },
);
