/**
 * The example training set in `input/ti-examples/`, so the shipped training workflows run on a fresh
 * install: five renders of the toy world's unnamed shape (the ring no caption of the toy model ever
 * names), one colour on one background, varied in size and position (deterministic PNGs from a fixed seed).
 * Textual inversion on the toy model learns a word for it. An existing folder is left as it is, so users
 * may replace the images with their own.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { writeFileAtomic } from '../../storage/atomicWrite';
import { toImageBytes, UNNAMED_SHAPES, worldSample, type Scene } from '../../world';

/** Folder under input/ the shipped training workflows read. */
export const EXAMPLE_IMAGES_FOLDER = 'ti-examples';
/** What the examples show: the world's unnamed shape, red on white. */
export const EXAMPLE_CONCEPT = { shape: UNNAMED_SHAPES[0]!, colour: 'red', background: 'white' } as const;
const COUNT = 5;
const SEED = 20261203;

/** The scenes of the example images (for tests and the learning benchmark). */
export function exampleScenes(): Scene[] {
  return Array.from({ length: COUNT }, (_, i) => worldSample(SEED, i, EXAMPLE_CONCEPT).scene);
}

/** Writes the example images unless the folder exists; returns the files written. */
export async function ensureExampleTrainingImages(inputDir: string): Promise<string[]> {
  const dir = path.join(inputDir, EXAMPLE_IMAGES_FOLDER);
  if (fs.existsSync(dir)) return [];
  const written: string[] = [];
  for (let i = 0; i < COUNT; i++) {
    const { image } = worldSample(SEED, i, EXAMPLE_CONCEPT);
    const file = path.join(dir, `${EXAMPLE_CONCEPT.shape}-${i + 1}.png`);
    const png = await sharp(Buffer.from(toImageBytes(image.rgb, 3)), {
      raw: { width: image.size, height: image.size, channels: 3 },
    })
      .png()
      .toBuffer();
    await writeFileAtomic(file, png);
    written.push(file);
  }
  return written;
}
