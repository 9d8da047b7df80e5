/** Golden `clip`: our CLIP preprocessing of `image_0to1` gives `pixel_values` (datasets with a scoring CLIP). */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CLIP_IMAGE_MEAN, CLIP_IMAGE_STD, preprocessForClip } from '../../server/image/clipPreprocess';
import { worstExcess } from '../support/arrayCompare';
import { datasetJson, datasetName, goldenArray, goldenNumbers } from '../support/referenceData';
import { withSkipReason } from '../support/skipReason';
import { clipSkipReason } from '../scoring/clipScoringSupport';

const skipReason = clipSkipReason();

describe.skipIf(skipReason !== undefined)(
  withSkipReason(`CLIP preprocessing (${datasetName})`, skipReason),
  () => {
    it('uses the CLIP mean/std the dataset records', () => {
      expect(worstExcess(CLIP_IMAGE_MEAN, goldenNumbers('clip.image_mean'), 1e-7, 0)).toBeLessThanOrEqual(0);
      expect(worstExcess(CLIP_IMAGE_STD, goldenNumbers('clip.image_std'), 1e-7, 0)).toBeLessThanOrEqual(0);
    });

    it('turns image_0to1 into pixel_values', () => {
      const config = z
        .object({ vision_config: z.looseObject({ image_size: z.number().int() }) })
        .parse(datasetJson('clip/config.json'));
      const image = goldenArray('clip.image_0to1');
      const [n, c, h, w] = image.shape;
      const nhwc = new Float32Array(image.data.length);
      for (let b = 0; b < n; b++)
        for (let ch = 0; ch < c; ch++)
          for (let i = 0; i < h * w; i++)
            nhwc[(b * h * w + i) * c + ch] = image.data[(b * c + ch) * h * w + i];
      const ours = preprocessForClip(
        { data: nhwc, shape: [n, h, w, c] },
        { imageSize: config.vision_config.image_size },
      );
      const expected = goldenArray('clip.pixel_values');
      expect(ours.shape).toEqual(expected.shape);
      expect(worstExcess(ours.data, expected.data, 1e-6, 1e-6)).toBeLessThanOrEqual(0);
    });
  },
);
