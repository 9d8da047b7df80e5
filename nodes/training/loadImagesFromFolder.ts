import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { IMAGE_EXTENSIONS } from '../../server/image/imageIO';
import { type ComboContext, defineNode, type StudioDirs } from '../../server/engine/nodeDefinition';
import { resolveInside } from '../../server/storage/safePath';
import { loadSquareImages } from './imageFiles';

const MAX_DEPTH = 3;
/** Longer caption files are cut (the text encoder reads 77 tokens at most). */
const MAX_CAPTION_CHARS = 1000;

/** Sub-folders of input/ (forward-slash paths), the folder combo. */
async function inputFolders({ dirs }: ComboContext): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      if (!e.isDirectory() || e.name.startsWith('.')) continue;
      const full = path.join(dir, e.name);
      out.push(path.relative(dirs.input, full).split(path.sep).join('/'));
      if (depth < MAX_DEPTH) await walk(full, depth + 1);
    }
  };
  await walk(dirs.input, 0);
  return out.sort();
}

/** Image files directly in `folder` under input/, sorted by name. */
async function folderImages(dirs: StudioDirs, folder: string): Promise<string[]> {
  const dir = resolveInside(dirs.input, folder);
  if (!dir) throw new Error(`folder "${folder}" is outside the input folder; pick one from the list`);
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => {
    throw new Error(
      `folder "${folder}" does not exist under input/; create it and put the training images in it`,
    );
  });
  const images = entries
    .filter(
      (e) =>
        e.isFile() && !e.name.startsWith('.') && IMAGE_EXTENSIONS.has(path.extname(e.name).toLowerCase()),
    )
    .map((e) => path.join(dir, e.name))
    .sort();
  if (images.length === 0) {
    throw new Error(
      `folder "${folder}" under input/ holds no images (${[...IMAGE_EXTENSIONS].join(', ')}); add some or pick another folder`,
    );
  }
  return images;
}

/** The caption file of an image: `name.txt` beside `name.png`. */
function captionFile(image: string): string {
  return path.join(path.dirname(image), `${path.parse(image).name}.txt`);
}

/** Each image's caption file, whitespace collapsed ('' where there is none); undefined when none has one. */
async function readCaptions(files: readonly string[]): Promise<string[] | undefined> {
  const captions = await Promise.all(
    files.map((f) =>
      readFile(captionFile(f), 'utf8').then(
        (text) => text.replace(/\s+/g, ' ').trim().slice(0, MAX_CAPTION_CHARS),
        () => '',
      ),
    ),
  );
  return captions.some(Boolean) ? captions : undefined;
}

/**
 * Loads every image of a folder under input/ as one batch, each centre-cropped and resized to a square, with
 * the images' caption files (`name.txt` beside `name.png`) when there are any: the trainer adds each image's
 * caption to its training captions.
 */
export const loadImagesFromFolder = defineNode({
  type: 'LoadImagesFromFolder',
  displayName: 'Load Images From Folder',
  category: 'image',
  description:
    'Loads all images of a folder under input/ (e.g. training images), centre-cropped to size × size. ' +
    'A text file beside an image (ring-1.txt for ring-1.png) is its caption: the Textual Inversion Trainer adds ' +
    'it to every training caption of that image (say what the images differ in, e.g. "on a blue background").',
  inputs: {
    required: {
      folder: [inputFolders, { tooltip: 'A folder under input/.' }],
      size: [
        'INT',
        {
          default: 512,
          min: 8,
          max: 4096,
          step: 8,
          tooltip: 'Side of the square each image is cropped and resized to.',
        },
      ],
    },
  },
  outputs: [{ type: 'IMAGE' }],
  // file names, sizes and times decide whether the cached batch is still valid
  isChanged: async (inputs, ctx) => {
    const hash = createHash('sha256');
    for (const file of await folderImages(ctx.dirs, String(inputs.folder)).catch(() => [])) {
      const s = await stat(file);
      hash.update(`${file}\0${s.size}\0${s.mtimeMs}\n`);
      const caption = await stat(captionFile(file)).catch(() => undefined);
      if (caption) hash.update(`caption\0${caption.size}\0${caption.mtimeMs}\n`);
    }
    return hash.digest('hex');
  },
  execute: async (inputs, ctx) => {
    const folder = String(inputs.folder);
    const files = await folderImages(ctx.dirs, folder);
    const names = files.map((f) => `${folder}/${path.basename(f)}`);
    const images = await loadSquareImages(files, names, Number(inputs.size));
    const captions = await readCaptions(files);
    return { outputs: [captions ? { ...images, captions } : images] };
  },
});
