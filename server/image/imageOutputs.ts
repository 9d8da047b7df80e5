/**
 * Writing a batch of images the way ComfyUI names them: `filename_prefix` may hold subfolders, files are
 * `<prefix>_<counter:05>_.png` with the counter continuing after the highest one already in the folder.
 */
import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { encodePng, type ImageTensor } from './imageIO';
import type { FileRef } from '../../protocol/wireSchemas';
import { writeFileAtomic } from '../storage/atomicWrite';
import { resolveInside } from '../storage/safePath';

export interface SaveImagesOptions {
  /** The folder `type` refers to (output/ or temp/). */
  root: string;
  type: FileRef['type'];
  filenamePrefix: string;
  /** PNG text chunks (e.g. `prompt`, `workflow`). */
  texts?: Record<string, string>;
  compressionLevel?: number;
}

/** Next free counter for `base` in `dir` (1 when none exist). */
export async function nextCounter(dir: string, base: string): Promise<number> {
  const names = await readdir(dir).catch(() => [] as string[]);
  let max = 0;
  for (const name of names) {
    if (!name.startsWith(`${base}_`)) continue;
    const match = /^(\d+)_/.exec(name.slice(base.length + 1));
    if (match) max = Math.max(max, Number.parseInt(match[1], 10));
  }
  return max + 1;
}

/** Saves every image of the batch; returns the refs the UI shows. */
export async function saveImageBatch(images: ImageTensor, options: SaveImagesOptions): Promise<FileRef[]> {
  const prefix = options.filenamePrefix.replaceAll('\\', '/');
  const subfolder = path.posix.dirname(prefix) === '.' ? '' : path.posix.dirname(prefix);
  const base = path.posix.basename(prefix);
  const dir = resolveInside(options.root, subfolder);
  if (!dir || !base || base === '..' || base === '.') {
    throw new Error(
      `filename_prefix "${options.filenamePrefix}" would save outside the ${options.type} folder; use a name like "portraits/cat"`,
    );
  }
  await mkdir(dir, { recursive: true });
  const refs: FileRef[] = [];
  let counter = await nextCounter(dir, base);
  for (let index = 0; index < images.shape[0]; index += 1) {
    const filename = `${base.replaceAll('%batch_num%', String(index))}_${String(counter).padStart(5, '0')}_.png`;
    const png = await encodePng(images, index, options.texts ?? {}, {
      compressionLevel: options.compressionLevel,
    });
    await writeFileAtomic(path.join(dir, filename), png);
    refs.push({
      filename,
      subfolder: path.relative(options.root, dir).split(path.sep).join('/'),
      type: options.type,
    });
    counter += 1;
  }
  return refs;
}

/** PNG text chunks ComfyUI writes: `prompt`, then each `extra_pnginfo` key (notably `workflow`), as JSON. */
export function promptMetadataTexts(prompt: unknown, extraPngInfo: unknown): Record<string, string> {
  const texts: Record<string, string> = {};
  if (prompt !== undefined && prompt !== null) texts.prompt = JSON.stringify(prompt);
  if (typeof extraPngInfo === 'object' && extraPngInfo !== null && !Array.isArray(extraPngInfo)) {
    for (const [key, value] of Object.entries(extraPngInfo)) texts[key] = JSON.stringify(value);
  }
  return texts;
}
