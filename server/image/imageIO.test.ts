import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { readPngTextChunks } from '../../protocol/pngTextChunks';
import {
  centerCropToAspect,
  concatImages,
  decodeImage,
  decodeImageWithMask,
  encodeJpeg,
  encodePng,
  type ImageTensor,
  probeImage,
  resizeImage,
} from './imageIO';

const image = (h: number, w: number, c: number, values: number[], n = 1): ImageTensor => ({
  data: Float32Array.from(values),
  shape: [n, h, w, c],
});

describe('encodePng / decodeImage', () => {
  it('round-trips 8-bit values exactly and carries text chunks', async () => {
    const values = [0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255].map((v) => v / 255);
    const png = await encodePng(image(2, 2, 3, values), 0, {
      workflow: '{"nodes":[]}',
      prompt: '{"text":"Grüße 猫"}',
    });
    expect(readPngTextChunks(png)).toEqual({ workflow: '{"nodes":[]}', prompt: '{"text":"Grüße 猫"}' });
    const decoded = await decodeImage(png);
    expect(decoded.shape).toEqual([1, 2, 2, 3]);
    expect(Array.from(decoded.data, (v) => Math.round(v * 255))).toEqual([
      0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255,
    ]);
    expect(await probeImage(png)).toEqual({ width: 2, height: 2, format: 'png' });
  });

  it('encodes the requested batch item, rounding and clamping', async () => {
    const batch = image(1, 1, 3, [0, 0, 0, 0.5, -3, 7], 2);
    const decoded = await decodeImage(await encodePng(batch, 1));
    expect(Array.from(decoded.data, (v) => Math.round(v * 255))).toEqual([128, 0, 255]);
    await expect(encodePng(batch, 2)).rejects.toThrow(/index 2 out of range for a batch of 2/);
  });

  it('turns alpha into a mask (1 − alpha) and greyscale into RGB', async () => {
    const rgba = await sharp(Buffer.from([10, 20, 30, 255, 40, 50, 60, 0]), {
      raw: { width: 2, height: 1, channels: 4 },
    })
      .png()
      .toBuffer();
    const { image: rgb, mask, hasAlpha } = await decodeImageWithMask(rgba);
    expect(hasAlpha).toBe(true);
    expect(Array.from(mask.data)).toEqual([0, 1]);
    expect(Array.from(rgb.data.subarray(0, 3), (v) => Math.round(v * 255))).toEqual([10, 20, 30]);

    const grey = await sharp(Buffer.from([7, 200]), { raw: { width: 2, height: 1, channels: 1 } })
      .png()
      .toBuffer();
    const g = await decodeImageWithMask(grey);
    expect(g.hasAlpha).toBe(false);
    expect(Array.from(g.mask.data)).toEqual([0, 0]);
    expect(Array.from(g.image.data, (v) => Math.round(v * 255))).toEqual([7, 7, 7, 200, 200, 200]);
  });

  it('decodes 16-bit PNGs to [0, 1]', async () => {
    const png16 = await sharp(Buffer.from([0, 128, 255]), { raw: { width: 1, height: 1, channels: 3 } })
      .toColourspace('rgb16')
      .png()
      .toBuffer();
    const decoded = await decodeImage(png16);
    expect(Array.from(decoded.data, (v) => Math.round(v * 255))).toEqual([0, 128, 255]);
  });

  it('encodes JPEG previews and rejects non-images', async () => {
    const jpeg = await encodeJpeg(image(1, 1, 3, [1, 1, 1]));
    expect(Array.from(jpeg.subarray(0, 3))).toEqual([0xff, 0xd8, 0xff]);
    expect(await probeImage(Buffer.from('not an image'))).toBeNull();
    await expect(decodeImage(Buffer.from('not an image'))).rejects.toThrow();
  });
});

describe('resizeImage', () => {
  it('bilinear with half-pixel centres (torch align_corners=False)', () => {
    const up = resizeImage(image(1, 2, 1, [0, 1]), 4, 1, 'bilinear');
    expect(Array.from(up.data)).toEqual([0, 0.25, 0.75, 1]);
    const down = resizeImage(image(1, 4, 1, [0, 0.2, 0.6, 1]), 2, 1, 'bilinear');
    expect(Array.from(down.data)).toEqual([Math.fround(0.1), Math.fround(0.8)]);
  });

  it('nearest-exact picks the source pixel under each centre', () => {
    const up = resizeImage(image(1, 2, 1, [0.25, 0.75]), 5, 1, 'nearest-exact');
    expect(Array.from(up.data)).toEqual([0.25, 0.25, 0.75, 0.75, 0.75]); // src = floor((o + 0.5) · 2/5)
    const tall = resizeImage(image(2, 1, 2, [1, 2, 3, 4]), 1, 4, 'nearest-exact');
    expect(tall.shape).toEqual([1, 4, 1, 2]);
    expect(Array.from(tall.data)).toEqual([1, 2, 1, 2, 3, 4, 3, 4]);
  });
});

describe('centerCropToAspect / concatImages', () => {
  it('crops the centre to the target aspect', () => {
    const wide = image(2, 4, 1, [1, 2, 3, 4, 5, 6, 7, 8]);
    const square = centerCropToAspect(wide, 10, 10);
    expect(square.shape).toEqual([1, 2, 2, 1]);
    expect(Array.from(square.data)).toEqual([2, 3, 6, 7]);
  });

  it('batches equal sizes and explains a mismatch', () => {
    const a = image(1, 1, 3, [0, 0, 0]);
    expect(concatImages(a, a).shape).toEqual([2, 1, 1, 3]);
    expect(() => concatImages(a, image(1, 2, 3, [0, 0, 0, 0, 0, 0]))).toThrow(
      /cannot batch a 1×1×3 image with a 2×1×3 one/,
    );
  });
});
