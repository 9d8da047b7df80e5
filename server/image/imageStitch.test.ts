import { describe, expect, it } from 'vitest';
import { createImage, type ImageTensor } from './imageIO';
import { stitchImages, type StitchOptions } from './imageStitch';

/** A batch whose pixel (row, col) of image b holds value `fn(b, row, col)` in every channel. */
function image(
  n: number,
  h: number,
  w: number,
  fn: (b: number, row: number, col: number) => number,
): ImageTensor {
  const out = createImage(n, h, w, 3);
  for (let b = 0; b < n; b++)
    for (let r = 0; r < h; r++)
      for (let c = 0; c < w; c++)
        out.data.fill(fn(b, r, c), ((b * h + r) * w + c) * 3, ((b * h + r) * w + c) * 3 + 3);
  return out;
}

/** Rows of the first channel of image `b`, rounded to 2 decimals. */
function rows(img: ImageTensor, b = 0): number[][] {
  const [, h, w, c] = img.shape;
  return Array.from({ length: h }, (_, r) =>
    Array.from({ length: w }, (_, col) => Math.round(img.data[((b * h + r) * w + col) * c]! * 100) / 100),
  );
}

const plain: StitchOptions = {
  direction: 'right',
  matchImageSize: true,
  spacingWidth: 0,
  spacingColour: 'white',
};

describe('stitchImages', () => {
  it('puts image2 on the asked side with the gap between, in the gap colour', () => {
    const a = image(1, 2, 2, () => 0.1);
    const b = image(1, 2, 1, () => 0.9);
    expect(rows(stitchImages(a, b, { ...plain, spacingWidth: 2 }))).toEqual([
      [0.1, 0.1, 1, 1, 0.9],
      [0.1, 0.1, 1, 1, 0.9],
    ]);
    expect(
      rows(stitchImages(a, b, { ...plain, direction: 'left', spacingColour: 'black', spacingWidth: 2 })),
    ).toEqual([
      [0.9, 0, 0, 0.1, 0.1],
      [0.9, 0, 0, 0.1, 0.1],
    ]);
    const down = stitchImages(
      a,
      image(1, 1, 2, () => 0.9),
      { ...plain, direction: 'down' },
    );
    expect(rows(down)).toEqual([
      [0.1, 0.1],
      [0.1, 0.1],
      [0.9, 0.9],
    ]);
    const up = stitchImages(
      a,
      image(1, 1, 2, () => 0.9),
      { ...plain, direction: 'up', spacingWidth: 2, spacingColour: 'red' },
    );
    expect(up.shape).toEqual([1, 5, 2, 3]);
    // red gap: channel 0 is 1, channels 1 and 2 are 0
    expect(Array.from(up.data.subarray(2 * 3, 2 * 3 + 3))).toEqual([1, 0, 0]);
    expect(rows(up)[0]).toEqual([0.9, 0.9]);
  });

  it('scales image2 to image1’s height keeping its aspect, or pads the shorter one with black, centred', () => {
    const a = image(1, 4, 2, () => 0.5);
    const b = image(1, 2, 3, (_, r) => (r === 0 ? 0.2 : 0.8));
    const matched = stitchImages(a, b, plain);
    expect(matched.shape).toEqual([1, 4, 2 + 6, 3]);
    const padded = stitchImages(a, b, { ...plain, matchImageSize: false });
    expect(rows(padded)).toEqual([
      [0.5, 0.5, 0, 0, 0],
      [0.5, 0.5, 0.2, 0.2, 0.2],
      [0.5, 0.5, 0.8, 0.8, 0.8],
      [0.5, 0.5, 0, 0, 0],
    ]);
  });

  it('pairs batches item by item, repeats a single image, and names the inputs when counts cannot pair', () => {
    const a = image(2, 1, 1, (bIdx) => (bIdx === 0 ? 0.1 : 0.2));
    const out = stitchImages(
      a,
      image(1, 1, 1, () => 0.7),
      plain,
    );
    expect(out.shape).toEqual([2, 1, 2, 3]);
    expect([rows(out, 0), rows(out, 1)]).toEqual([[[0.1, 0.7]], [[0.2, 0.7]]]);
    expect(() =>
      stitchImages(
        a,
        image(3, 1, 1, () => 0),
        plain,
      ),
    ).toThrow(/image1 holds 2 images and image2 3; give both the same number of images/);
  });
});
