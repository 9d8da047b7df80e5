/**
 * A few example training images in `input/ti-examples/`, so the shipped training workflows run on a fresh
 * install: a red toy ball on a blue-green backdrop, at four positions and sizes (deterministic PNGs). An
 * existing folder is left as it is, so users may replace the images with their own.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { writeFileAtomic } from '../../storage/atomicWrite';

/** Folder under input/ the shipped training workflows read. */
export const EXAMPLE_IMAGES_FOLDER = 'ti-examples';
const SIZE = 128;
const BALLS: ReadonlyArray<readonly [x: number, y: number, r: number]> = [
  [64, 64, 34],
  [48, 72, 28],
  [80, 56, 30],
  [60, 80, 24],
];

/** RGB bytes of example `index`. */
function examplePixels(index: number): Buffer {
  const [cx, cy, r] = BALLS[index % BALLS.length]!;
  const pixels = Buffer.alloc(SIZE * SIZE * 3);
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const o = (y * SIZE + x) * 3;
      const d = Math.hypot(x - cx, y - cy) / r;
      if (d <= 1) {
        const shade = 1 - (0.45 * Math.hypot(x - cx + r / 3, y - cy + r / 3)) / r;
        pixels[o] = Math.round(230 * shade + 20);
        pixels[o + 1] = Math.round(60 * shade);
        pixels[o + 2] = Math.round(40 * shade);
      } else {
        pixels[o] = 40 + ((x + index * 7) % 16);
        pixels[o + 1] = Math.round(90 + (60 * y) / SIZE);
        pixels[o + 2] = Math.round(150 + (70 * x) / SIZE);
      }
    }
  }
  return pixels;
}

/** Writes the example images unless the folder exists; returns the files written. */
export async function ensureExampleTrainingImages(inputDir: string): Promise<string[]> {
  const dir = path.join(inputDir, EXAMPLE_IMAGES_FOLDER);
  if (fs.existsSync(dir)) return [];
  const written: string[] = [];
  for (let i = 0; i < BALLS.length; i++) {
    const file = path.join(dir, `toy-${i + 1}.png`);
    const png = await sharp(examplePixels(i), { raw: { width: SIZE, height: SIZE, channels: 3 } })
      .png()
      .toBuffer();
    await writeFileAtomic(file, png);
    written.push(file);
  }
  return written;
}
