import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { decodeImageWithMask, IMAGE_EXTENSIONS } from '../../server/image/imageIO';
import { type ComboContext, defineNode, type StudioDirs } from '../../server/engine/nodeDefinition';
import { listFilesRecursive } from '../../server/storage/listFiles';
import { resolveInside } from '../../server/storage/safePath';

/** Image files under input/ (forward-slash relative paths), the LoadImage combo. */
async function inputImages({ dirs }: ComboContext): Promise<string[]> {
  const files = await listFilesRecursive(dirs.input);
  return files.filter((f) => IMAGE_EXTENSIONS.has(path.extname(f).toLowerCase()));
}

function inputPath(dirs: StudioDirs, name: unknown): string {
  const file = resolveInside(dirs.input, String(name));
  if (!file)
    throw new Error(`image "${String(name)}" is outside the input folder; pick a file from the list`);
  return file;
}

/** Loads an image from input/ (uploads land there) as IMAGE plus MASK (1 − alpha). */
export const loadImage = defineNode({
  type: 'LoadImage',
  displayName: 'Load Image',
  category: 'image',
  description: 'Loads an image from the input folder; upload new ones with the button.',
  inputs: { required: { image: [inputImages, { image_upload: true }] } },
  outputs: [{ type: 'IMAGE' }, { type: 'MASK' }],
  // the header's size, read without decoding: image (3 channels) plus mask
  tensorValues: async (inputs, ctx) => {
    if (!ctx) return 0;
    const meta = await sharp(inputPath(ctx.dirs, inputs.image))
      .metadata()
      .catch(() => null);
    return (meta?.width ?? 0) * (meta?.height ?? 0) * (meta?.pages ?? 1) * 4;
  },
  // The file's bytes, not its name, decide whether cached outputs are still valid.
  isChanged: async (inputs, ctx) =>
    createHash('sha256')
      .update(await readFile(inputPath(ctx.dirs, inputs.image)))
      .digest('hex'),
  execute: async (inputs, ctx) => {
    const bytes = await readFile(inputPath(ctx.dirs, inputs.image));
    const decoded = await decodeImageWithMask(bytes).catch((err: unknown) => {
      const reason = err instanceof Error ? err.message : String(err);
      throw new Error(
        `image "${String(inputs.image)}" in the input folder could not be decoded (${reason}); replace it with a valid PNG, JPEG or WebP file`,
      );
    });
    return { outputs: [decoded.image, decoded.mask] };
  },
});
