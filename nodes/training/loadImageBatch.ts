import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { defineNode } from '../../server/engine/nodeDefinition';
import { resolveInside } from '../../server/storage/safePath';
import { loadSquareImages } from './imageFiles';

/** The non-empty lines of the `images` text, trimmed. */
function imageNames(value: unknown): string[] {
  return String(value ?? '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
}

/**
 * Loads several uploaded images (one name under input/ per line, as the upload button fills it in) as one
 * batch, each centre-cropped and resized to a square.
 */
export const loadImageBatch = defineNode({
  type: 'LoadImageBatch',
  displayName: 'Load Image Batch',
  category: 'image',
  description:
    'Loads several images from input/ (upload them, one name per line) as one batch of size × size squares.',
  inputs: {
    required: {
      images: ['STRING', { multiline: true, default: '', tooltip: 'File names under input/, one per line.' }],
      size: ['INT', { default: 512, min: 64, max: 4096, step: 8 }],
    },
  },
  outputs: [{ type: 'IMAGE' }],
  validateInputs: (inputs) => {
    if (typeof inputs.images !== 'string') return true;
    return imageNames(inputs.images).length > 0
      ? true
      : 'images lists no file; upload images or write one file name per line';
  },
  isChanged: async (inputs, ctx) => {
    const hash = createHash('sha256');
    for (const name of imageNames(inputs.images)) {
      const file = resolveInside(ctx.dirs.input, name);
      const s = file ? await stat(file).catch(() => undefined) : undefined;
      hash.update(`${name}\0${s?.size ?? -1}\0${s?.mtimeMs ?? -1}\n`);
    }
    return hash.digest('hex');
  },
  execute: async (inputs, ctx) => {
    const names = imageNames(inputs.images);
    const files = names.map((name) => {
      const file = resolveInside(ctx.dirs.input, name);
      if (!file) throw new Error(`image "${name}" is outside the input folder; use names from input/`);
      return file;
    });
    return { outputs: [await loadSquareImages(files, names, Number(inputs.size))] };
  },
});
