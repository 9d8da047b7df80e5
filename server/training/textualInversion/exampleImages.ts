/**
 * The example training set in `input/ti-examples/`, so the shipped training workflows run on a fresh
 * install: five renders of the toy world's unnamed shape (the ring no caption of the toy model ever
 * names), one colour, each on another background and varied in size and position (deterministic PNGs from a
 * fixed seed). Textual inversion on the toy model learns a word for it; with every example on one background
 * the word took that background in and overrode "on a green background" in 88 % of samples (measured), as a
 * photographed object's word takes in its one backdrop. An existing folder is left as it is, so users may
 * replace the images with their own.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { writeFileAtomic } from '../../storage/atomicWrite';
import { article, toImageBytes, UNNAMED_SHAPES, worldSample, type Scene } from '../../world';

/** Folder under input/ the shipped training workflows read. */
export const EXAMPLE_IMAGES_FOLDER = 'ti-examples';
/** What the examples show: the world's unnamed shape, in red. */
export const EXAMPLE_CONCEPT = { shape: UNNAMED_SHAPES[0]!, colour: 'red' } as const;
/** One background per example (green is left out: the learning test asks for it as a new context). */
export const EXAMPLE_BACKGROUNDS = ['white', 'blue', 'yellow', 'black', 'purple'] as const;
const SEED = 20261203;

function exampleSample(i: number) {
  return worldSample(SEED, i, { ...EXAMPLE_CONCEPT, background: EXAMPLE_BACKGROUNDS[i]! });
}

/** Example `i`'s caption file: what tells it from the others, its background ("on a blue background"). */
export function exampleCaption(i: number): string {
  const background = EXAMPLE_BACKGROUNDS[i]!;
  return `on ${article(background)} ${background} background`;
}

/** The scenes of the example images (for tests and the learning benchmark). */
export function exampleScenes(): Scene[] {
  return EXAMPLE_BACKGROUNDS.map((_, i) => exampleSample(i).scene);
}

/** Writes the example images unless the folder exists; returns the files written. */
export async function ensureExampleTrainingImages(inputDir: string): Promise<string[]> {
  const dir = path.join(inputDir, EXAMPLE_IMAGES_FOLDER);
  if (fs.existsSync(dir)) return [];
  const written: string[] = [];
  for (let i = 0; i < EXAMPLE_BACKGROUNDS.length; i++) {
    const { image } = exampleSample(i);
    const file = path.join(dir, `${EXAMPLE_CONCEPT.shape}-${i + 1}.png`);
    const png = await sharp(Buffer.from(toImageBytes(image.rgb, 3)), {
      raw: { width: image.size, height: image.size, channels: 3 },
    })
      .png()
      .toBuffer();
    await writeFileAtomic(file, png);
    await writeFileAtomic(file.replace(/\.png$/, '.txt'), `${exampleCaption(i)}\n`);
    written.push(file);
  }
  return written;
}
