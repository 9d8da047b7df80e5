/**
 * A PNG contact sheet of generated images with the prompt (and the oracle's verdict) under each, for the
 * resolution notes and README: SVG text over the upscaled images, rasterised by sharp.
 */
import sharp, { type OverlayOptions } from 'sharp';
import type { ImageTensor } from '../../server/image/imageIO';
import { encodePng } from '../../server/image/imageIO';

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Lays out `images` in `columns` columns, each `cell` px, with up to two caption lines under each. */
export async function labelledGrid(
  images: ImageTensor,
  labels: readonly (readonly string[])[],
  options: { columns?: number; cell?: number } = {},
): Promise<Uint8Array> {
  const [n] = images.shape;
  const columns = options.columns ?? 8;
  const cell = options.cell ?? 128;
  const captionHeight = 30;
  // DejaVu Sans is ~0.55 em per character: shrink the font until the longest label fits its cell
  const longest = Math.max(1, ...labels.flat().map((l) => l.length));
  const fontSize = Math.min(11, Math.max(6, (cell - 6) / (0.55 * longest))).toFixed(1);
  const rows = Math.ceil(n / columns);
  const width = columns * cell;
  const height = rows * (cell + captionHeight);
  const composites: OverlayOptions[] = [];
  const texts: string[] = [];
  for (let i = 0; i < n; i++) {
    const x = (i % columns) * cell;
    const y = Math.floor(i / columns) * (cell + captionHeight);
    const png = await encodePng(images, i);
    composites.push({
      input: await sharp(png).resize(cell, cell, { kernel: 'nearest' }).png().toBuffer(),
      left: x,
      top: y,
    });
    (labels[i] ?? []).slice(0, 2).forEach((line, k) => {
      texts.push(
        `<text x="${x + cell / 2}" y="${y + cell + 12 + k * 13}" font-family="DejaVu Sans, sans-serif" font-size="${fontSize}" text-anchor="middle" fill="${k === 0 ? '#111' : '#555'}">${escape(line)}</text>`,
      );
    });
  }
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${texts.join('')}</svg>`;
  composites.push({ input: Buffer.from(svg), left: 0, top: 0 });
  const out = await sharp({ create: { width, height, channels: 3, background: '#ffffff' } })
    .composite(composites)
    .png()
    .toBuffer();
  return new Uint8Array(out);
}
