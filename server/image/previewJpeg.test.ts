import { describe, expect, it } from 'vitest';
import { createImage, decodeImage } from './imageIO';
import { previewJpeg } from './previewJpeg';

describe('previewJpeg', () => {
  it.each([
    ['enlarges by a whole factor until the larger side reaches 256', 8, 16, [1, 128, 256, 3]],
    ['rounds the factor up', 5, 3, [1, 260, 156, 3]],
    ['keeps an image that is large enough', 10, 300, [1, 10, 300, 3]],
  ])('%s', async (_, h, w, shape) => {
    const bytes = await previewJpeg(createImage(2, h, w, 3, 0.5), 80);
    expect([...bytes.subarray(0, 2)]).toEqual([0xff, 0xd8]);
    expect((await decodeImage(bytes)).shape).toEqual(shape);
  });
});
