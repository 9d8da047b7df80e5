import { describe, expect, it } from 'vitest';
import { bicubicKernel, resizeBicubic } from './bicubicResize';
import { CLIP_IMAGE_MEAN, CLIP_IMAGE_STD, preprocessForClip, shortestSideSize } from './clipPreprocess';

const row = (values: number[]) => ({
  data: Float32Array.from(values),
  width: values.length,
  height: 1,
  channels: 1,
});

describe('Pillow-style bicubic resize', () => {
  it('uses the a = -0.5 cubic kernel', () => {
    expect([0, 0.25, 0.75, 1, 1.25, 2].map((x) => bicubicKernel(x) + 0)).toEqual([
      1, 0.8671875, 0.2265625, 0, -0.0703125, 0,
    ]);
  });

  it('shrinks with a kernel stretched by the scale (antialiasing)', () => {
    // 4 → 2: out[0] weights k((x - 1 + 0.5)/2) = [.8671875, .8671875, .2265625, -.0703125] / 1.890625
    const out = resizeBicubic(row([1, 0, 0, 0]), 2, 1, -Infinity, Infinity);
    expect(out.data[0]).toBeCloseTo(0.4586776859504132, 7);
    expect(out.data[1]).toBeCloseTo(-0.0371900826446281, 7);
  });

  it('enlarges with renormalised edge weights and clips each pass to [0, 1]', () => {
    const out = resizeBicubic(row([0, 1]), 4, 1);
    expect(Array.from(out.data)).toEqual([0, 0.20714285714285716, 0.7928571428571428, 1].map(Math.fround));
  });

  it('is separable: a 2-D outer product resizes to the outer product of the 1-D results', () => {
    const u = [1, 0, 0, 0];
    const v = [0.3, 0.9];
    const image = {
      data: Float32Array.from(u.flatMap((a) => v.map((b) => a * b))),
      width: 2,
      height: 4,
      channels: 1,
    };
    const out = resizeBicubic(image, 4, 2, -Infinity, Infinity);
    const ru = resizeBicubic(row(u), 2, 1, -Infinity, Infinity).data;
    const rv = resizeBicubic(row(v), 4, 1, -Infinity, Infinity).data;
    for (let y = 0; y < 2; y++)
      for (let x = 0; x < 4; x++) expect(out.data[y * 4 + x]).toBeCloseTo(ru[y] * rv[x], 6);
  });

  it('keeps a constant image constant in every channel', () => {
    const data = new Float32Array(7 * 5 * 3).map((_, i) => [0.2, 0.5, 0.8][i % 3]);
    const out = resizeBicubic({ data, width: 7, height: 5, channels: 3 }, 4, 3);
    out.data.forEach((v, i) => expect(v).toBeCloseTo([0.2, 0.5, 0.8][i % 3], 6));
  });
});

describe('CLIP preprocessing', () => {
  it('resizes the shortest side to the target and keeps the aspect ratio (truncating)', () => {
    expect(shortestSideSize(480, 640, 224)).toEqual([224, 298]);
    expect(shortestSideSize(640, 480, 224)).toEqual([298, 224]);
    expect(shortestSideSize(224, 300, 224)).toEqual([224, 300]);
  });

  it('centre-crops and normalises to NCHW', () => {
    // 2×4 RGB image whose value is its column index / 10 in every channel: no resize, crop columns 1..2
    const data = Float32Array.from({ length: 2 * 4 * 3 }, (_, i) => (Math.floor(i / 3) % 4) / 10);
    const { data: out, shape } = preprocessForClip({ data, shape: [1, 2, 4, 3] }, { imageSize: 2 });
    expect(shape).toEqual([1, 3, 2, 2]);
    for (let ch = 0; ch < 3; ch++) {
      const expected = [0.1, 0.2, 0.1, 0.2].map((v) =>
        Math.fround((v - CLIP_IMAGE_MEAN[ch]) / CLIP_IMAGE_STD[ch]),
      );
      expect(Array.from(out.subarray(ch * 4, ch * 4 + 4))).toEqual(expected.map((v) => expect.closeTo(v, 6)));
    }
  });

  it('replicates a grey channel and drops alpha', () => {
    const grey = preprocessForClip(
      { data: new Float32Array(4).fill(0.5), shape: [1, 2, 2, 1] },
      { imageSize: 2 },
    );
    const rgba = preprocessForClip(
      { data: Float32Array.from({ length: 16 }, (_, i) => (i % 4 === 3 ? 0 : 0.5)), shape: [1, 2, 2, 4] },
      { imageSize: 2 },
    );
    expect(grey.data).toEqual(rgba.data);
    expect(grey.data[0]).toBeCloseTo((0.5 - CLIP_IMAGE_MEAN[0]) / CLIP_IMAGE_STD[0], 6);
  });

  it('rejects inconsistent shapes with the numbers involved', () => {
    expect(() =>
      preprocessForClip({ data: new Float32Array(5), shape: [1, 2, 2, 3] }, { imageSize: 2 }),
    ).toThrow('image batch has 5 values but shape [1, 2, 2, 3] needs 12');
    expect(() =>
      preprocessForClip({ data: new Float32Array(8), shape: [1, 2, 2, 2] }, { imageSize: 2 }),
    ).toThrow('images need 1, 3 or 4 channels (NHWC), got 2');
  });
});
