/**
 * Two image batches joined into one picture per item (ComfyUI's Image Stitch): the second to the right of,
 * below, left of or above the first, optionally scaled to the first's height (width) and with a coloured gap.
 */
import { createImage, resizeImage, type ImageTensor } from './imageIO';

export const STITCH_DIRECTIONS = ['right', 'down', 'left', 'up'] as const;
export type StitchDirection = (typeof STITCH_DIRECTIONS)[number];

export const SPACING_COLOURS = {
  white: [1, 1, 1],
  black: [0, 0, 0],
  red: [1, 0, 0],
  green: [0, 1, 0],
  blue: [0, 0, 1],
} as const;
export type SpacingColour = keyof typeof SPACING_COLOURS;

export interface StitchOptions {
  readonly direction: StitchDirection;
  /** Scale the second image (aspect kept) to the first's height (right/left) or width (down/up). */
  readonly matchImageSize: boolean;
  /** Pixels between the two. */
  readonly spacingWidth: number;
  readonly spacingColour: SpacingColour;
}

/** The batch with its single image repeated `n` times (a batch of n is returned as it is). */
function repeatTo(image: ImageTensor, n: number): ImageTensor {
  const [count, h, w, c] = image.shape;
  if (count === n) return image;
  const data = new Float32Array(n * h * w * c);
  for (let i = 0; i < n; i++) data.set(image.data, i * h * w * c);
  return { data, shape: [n, h, w, c] };
}

/** Copies every image of `src` into `dst` with its top-left corner at (x, y). */
function paste(dst: ImageTensor, src: ImageTensor, x: number, y: number): void {
  const [n, h, w, c] = src.shape;
  const [, H, W] = dst.shape;
  for (let b = 0; b < n; b++)
    for (let row = 0; row < h; row++) {
      const from = (b * h + row) * w * c;
      dst.data.set(src.data.subarray(from, from + w * c), ((b * H + y + row) * W + x) * c);
    }
}

/** Fills a rectangle of every image with `rgb`. */
function fill(dst: ImageTensor, x: number, y: number, w: number, h: number, rgb: readonly number[]): void {
  const [n, H, W, c] = dst.shape;
  for (let b = 0; b < n; b++)
    for (let row = y; row < y + h; row++)
      for (let col = x; col < x + w; col++)
        for (let k = 0; k < c; k++) dst.data[((b * H + row) * W + col) * c + k] = rgb[k] ?? 1;
}

/** Stitches `second` to `first` as `options` say; throws naming the inputs when their batches cannot pair up. */
export function stitchImages(first: ImageTensor, second: ImageTensor, options: StitchOptions): ImageTensor {
  const [na, , , ca] = first.shape;
  const [nb, , , cb] = second.shape;
  if (ca !== cb)
    throw new Error(`image1 has ${ca} channels and image2 ${cb}; stitch images with the same channels`);
  if (na !== nb && na !== 1 && nb !== 1)
    throw new Error(
      `image1 holds ${na} images and image2 ${nb}; give both the same number of images, or one of them a single image`,
    );
  if (!Number.isInteger(options.spacingWidth) || options.spacingWidth < 0)
    throw new Error(`spacing_width ${options.spacingWidth} must be a whole number ≥ 0`);
  const n = Math.max(na, nb);
  const a = repeatTo(first, n);
  let b = repeatTo(second, n);
  const horizontal = options.direction === 'right' || options.direction === 'left';
  const [, ha, wa] = a.shape;
  if (options.matchImageSize) {
    const [, hb, wb] = b.shape;
    b = horizontal
      ? resizeImage(b, Math.max(1, Math.round((wb * ha) / hb)), ha, 'bilinear')
      : resizeImage(b, wa, Math.max(1, Math.round((hb * wa) / wb)), 'bilinear');
  }
  const [, hb, wb] = b.shape;
  const gap = options.spacingWidth;
  // the one placed first (left or top) and the one after it
  const [lead, follow] = options.direction === 'right' || options.direction === 'down' ? [a, b] : [b, a];
  const [, hl, wl] = lead.shape;
  const [, hf, wf] = follow.shape;
  const width = horizontal ? wa + gap + wb : Math.max(wa, wb);
  const height = horizontal ? Math.max(ha, hb) : ha + gap + hb;
  const out = createImage(n, height, width, ca);
  const rgb = SPACING_COLOURS[options.spacingColour];
  if (horizontal) {
    // a shorter image is centred on black, as ComfyUI pads it
    paste(out, lead, 0, Math.floor((height - hl) / 2));
    fill(out, wl, 0, gap, height, rgb);
    paste(out, follow, wl + gap, Math.floor((height - hf) / 2));
  } else {
    paste(out, lead, Math.floor((width - wl) / 2), 0);
    fill(out, 0, hl, width, gap, rgb);
    paste(out, follow, Math.floor((width - wf) / 2), hl + gap);
  }
  return out;
}
