/**
 * Images as they travel between nodes: float32 NHWC in [0, 1] (ComfyUI's IMAGE), masks as float32 NHW.
 * Decoding/encoding goes through sharp; PNGs get the workflow/prompt as text chunks. Resizing is done
 * here on floats (nearest-exact and bilinear with half-pixel centres, like torch's interpolate).
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { insertPngTextChunks } from './pngTextChunks';

/** A batch of images: `data.length === n * h * w * c`, values in [0, 1]. */
export interface ImageTensor {
  data: Float32Array;
  shape: [n: number, h: number, w: number, c: number];
  /**
   * One caption per image ('' for none), when the images came with caption files (Load Images From Folder
   * reads `name.txt` beside `name.png`, as kohya's trainers do); nodes that make new images drop it.
   */
  captions?: readonly string[];
}

/** A batch of masks (1 = masked), `data.length === n * h * w`. */
export interface MaskTensor {
  data: Float32Array;
  shape: [n: number, h: number, w: number];
}

export type ResizeMethod = 'nearest-exact' | 'bilinear';

/** Extensions `listImageFiles` picks up. */
export const IMAGE_EXTENSIONS: ReadonlySet<string> = new Set([
  '.png',
  '.jpg',
  '.jpeg',
  '.webp',
  '.bmp',
  '.gif',
  '.tif',
  '.tiff',
  '.avif',
]);

export function createImage(n: number, h: number, w: number, c = 3, fill = 0): ImageTensor {
  return { data: new Float32Array(n * h * w * c).fill(fill), shape: [n, h, w, c] };
}

/** Decodes to RGB + mask (1 − alpha; all zeros when the file has no alpha). EXIF orientation applied. */
export async function decodeImageWithMask(
  bytes: Uint8Array,
): Promise<{ image: ImageTensor; mask: MaskTensor; hasAlpha: boolean }> {
  const input = sharp(bytes, { failOn: 'error' });
  const meta = await input.metadata();
  const { data, info } = await input
    .rotate()
    .toColourspace('srgb')
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const { width: w, height: h, channels } = info;
  const sixteenBit = data.byteLength === w * h * channels * 2;
  const pixels = sixteenBit ? new Uint16Array(data.buffer, data.byteOffset, data.byteLength / 2) : data;
  const scale = sixteenBit ? 65535 : 255;
  const image = createImage(1, h, w, 3);
  const mask: MaskTensor = { data: new Float32Array(h * w), shape: [1, h, w] };
  const hasAlpha = meta.hasAlpha === true;
  for (let p = 0; p < h * w; p += 1) {
    for (let c = 0; c < 3; c += 1) image.data[p * 3 + c] = pixels[p * channels + c] / scale;
    if (hasAlpha) mask.data[p] = 1 - pixels[p * channels + channels - 1] / scale;
  }
  return { image, mask, hasAlpha };
}

/** Decodes PNG/JPEG/WebP/… bytes to a `[1, h, w, 3]` image. */
export async function decodeImage(bytes: Uint8Array): Promise<ImageTensor> {
  return (await decodeImageWithMask(bytes)).image;
}

/** Width/height/format of decodable image bytes, or null when sharp cannot read them. */
export async function probeImage(
  bytes: Uint8Array,
): Promise<{ width: number; height: number; format: string } | null> {
  try {
    const meta = await sharp(bytes).metadata();
    if (!meta.width || !meta.height || !meta.format) return null;
    return { width: meta.width, height: meta.height, format: meta.format };
  } catch {
    return null;
  }
}

export async function loadImageFile(file: string): Promise<ImageTensor> {
  return decodeImage(await readFile(file));
}

/** Image files directly in `dir` (sorted), e.g. a folder of training images. */
export async function listImageFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && IMAGE_EXTENSIONS.has(path.extname(e.name).toLowerCase()))
    .map((e) => path.join(dir, e.name))
    .sort();
}

/** 8-bit interleaved pixels of batch item `index` (rounded, clamped to [0, 255]). */
export function toUint8(
  image: ImageTensor,
  index = 0,
): { pixels: Uint8Array; width: number; height: number; channels: number } {
  const [n, h, w, c] = image.shape;
  if (index < 0 || index >= n) throw new Error(`image index ${index} out of range for a batch of ${n}`);
  const size = h * w * c;
  const pixels = new Uint8Array(size);
  const offset = index * size;
  for (let i = 0; i < size; i += 1) {
    const v = image.data[offset + i];
    pixels[i] = Number.isNaN(v) ? 0 : Math.round(Math.min(1, Math.max(0, v)) * 255);
  }
  return { pixels, width: w, height: h, channels: c };
}

function sharpFromImage(image: ImageTensor, index: number): ReturnType<typeof sharp> {
  const { pixels, width, height, channels } = toUint8(image, index);
  if (channels !== 1 && channels !== 3 && channels !== 4) {
    throw new Error(`cannot encode an image with ${channels} channels; expected 1, 3 or 4`);
  }
  return sharp(pixels, { raw: { width, height, channels } });
}

/** PNG bytes of batch item `index`, with each `textChunks` entry as a tEXt/iTXt chunk. */
export async function encodePng(
  image: ImageTensor,
  index = 0,
  textChunks: Record<string, string> = {},
  options: { compressionLevel?: number } = {},
): Promise<Uint8Array> {
  const png = await sharpFromImage(image, index)
    .png({ compressionLevel: options.compressionLevel ?? 4 })
    .toBuffer();
  return Object.keys(textChunks).length > 0 ? insertPngTextChunks(png, textChunks) : new Uint8Array(png);
}

/** JPEG bytes of batch item `index` (for progress previews). */
export async function encodeJpeg(image: ImageTensor, index = 0, quality = 85): Promise<Uint8Array> {
  return new Uint8Array(await sharpFromImage(image, index).jpeg({ quality }).toBuffer());
}

/** Crops to the aspect of `width × height`, centred (ComfyUI's `crop: center`). */
export function centerCropToAspect(image: ImageTensor, width: number, height: number): ImageTensor {
  const [n, h, w, c] = image.shape;
  const oldAspect = w / h;
  const newAspect = width / height;
  let x = 0;
  let y = 0;
  if (oldAspect > newAspect) x = Math.round((w - w * (newAspect / oldAspect)) / 2);
  else if (oldAspect < newAspect) y = Math.round((h - h * (oldAspect / newAspect)) / 2);
  if (x === 0 && y === 0) return image;
  const cw = w - 2 * x;
  const ch = h - 2 * y;
  const out = createImage(n, ch, cw, c);
  for (let b = 0; b < n; b += 1) {
    for (let row = 0; row < ch; row += 1) {
      const src = ((b * h + row + y) * w + x) * c;
      out.data.set(image.data.subarray(src, src + cw * c), (b * ch + row) * cw * c);
    }
  }
  return out;
}

/** Source index and weight of the next pixel along one axis (half-pixel centres, clamped). */
function sampleAxis(
  size: number,
  outSize: number,
  method: ResizeMethod,
): { i0: Int32Array; i1: Int32Array; t: Float32Array } {
  const scale = size / outSize;
  const i0 = new Int32Array(outSize);
  const i1 = new Int32Array(outSize);
  const t = new Float32Array(outSize);
  for (let o = 0; o < outSize; o += 1) {
    if (method === 'nearest-exact') {
      i0[o] = Math.min(Math.floor((o + 0.5) * scale), size - 1);
      i1[o] = i0[o];
      continue;
    }
    const src = Math.max(0, (o + 0.5) * scale - 0.5);
    const lo = Math.min(Math.floor(src), size - 1);
    i0[o] = lo;
    i1[o] = Math.min(lo + 1, size - 1);
    t[o] = src - lo;
  }
  return { i0, i1, t };
}

/** Resizes every image of the batch to `width × height`. */
export function resizeImage(
  image: ImageTensor,
  width: number,
  height: number,
  method: ResizeMethod,
): ImageTensor {
  const [n, h, w, c] = image.shape;
  if (width === w && height === h) return image;
  if (width < 1 || height < 1)
    throw new Error(`cannot resize to ${width}×${height}; both sides must be at least 1`);
  const ys = sampleAxis(h, height, method);
  const xs = sampleAxis(w, width, method);
  const out = createImage(n, height, width, c);
  const src = image.data;
  for (let b = 0; b < n; b += 1) {
    for (let oy = 0; oy < height; oy += 1) {
      const r0 = (b * h + ys.i0[oy]) * w;
      const r1 = (b * h + ys.i1[oy]) * w;
      const ty = ys.t[oy];
      for (let ox = 0; ox < width; ox += 1) {
        const c0 = xs.i0[ox];
        const c1 = xs.i1[ox];
        const tx = xs.t[ox];
        const dst = ((b * height + oy) * width + ox) * c;
        for (let k = 0; k < c; k += 1) {
          const top = src[(r0 + c0) * c + k] * (1 - tx) + src[(r0 + c1) * c + k] * tx;
          const bottom = src[(r1 + c0) * c + k] * (1 - tx) + src[(r1 + c1) * c + k] * tx;
          out.data[dst + k] = top * (1 - ty) + bottom * ty;
        }
      }
    }
  }
  return out;
}

/** Concatenates two batches along n; channel counts and sizes must match. */
export function concatImages(a: ImageTensor, b: ImageTensor): ImageTensor {
  const [na, h, w, c] = a.shape;
  const [nb, hb, wb, cb] = b.shape;
  if (h !== hb || w !== wb || c !== cb) {
    throw new Error(
      `cannot batch a ${w}×${h}×${c} image with a ${wb}×${hb}×${cb} one; resize one of them first`,
    );
  }
  const data = new Float32Array(a.data.length + b.data.length);
  data.set(a.data, 0);
  data.set(b.data, a.data.length);
  return { data, shape: [na + nb, h, w, c] };
}

/** Narrows a linked input to an ImageTensor, or throws naming the input and what arrived. */
export function expectImage(value: unknown, inputName: string): ImageTensor {
  const record = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const shape = record.shape;
  const ok =
    record.data instanceof Float32Array &&
    Array.isArray(shape) &&
    shape.length === 4 &&
    shape.every((d) => Number.isInteger(d) && d >= 0) &&
    (shape as number[]).reduce((a, b) => a * b, 1) === record.data.length;
  if (!ok)
    throw new TypeError(
      `input "${inputName}" is not an IMAGE (float32 NHWC tensor); connect an IMAGE output`,
    );
  return value as ImageTensor;
}
