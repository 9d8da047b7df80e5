import { randomBytes } from 'node:crypto';
import { expectImage } from '../../server/image/imageIO';
import { defineNode } from '../../server/engine/nodeDefinition';
import { promptMetadataTexts, saveImageBatch } from '../../server/image/imageOutputs';

/** Shows images on the node; files go to temp/, which is emptied at startup. */
export const previewImage = defineNode({
  type: 'PreviewImage',
  displayName: 'Preview Image',
  category: 'image',
  description: 'Shows the images without keeping them.',
  outputNode: true,
  inputs: {
    required: { images: ['IMAGE'] },
    hidden: { prompt: 'PROMPT', extra_pnginfo: 'EXTRA_PNGINFO' },
  },
  outputs: [],
  execute: async (inputs, ctx) => {
    const images = expectImage(inputs.images, 'images');
    const suffix = Array.from(randomBytes(5), (b) => 'abcdefghijklmnopqrstuvwxyz'[b % 26]).join('');
    const refs = await saveImageBatch(images, {
      root: ctx.dirs.temp,
      type: 'temp',
      filenamePrefix: `InversionStudio_temp_${suffix}`,
      texts: promptMetadataTexts(inputs.prompt, inputs.extra_pnginfo),
      compressionLevel: 1,
    });
    return { ui: { images: refs } };
  },
});
