import { expectImage } from '../../server/image/imageIO';
import { defineNode } from '../../server/engine/nodeDefinition';
import { promptMetadataTexts, saveImageBatch } from '../../server/image/imageOutputs';
import { savedFilesExist } from '../../server/storage/savedFiles';

/** Saves PNGs into output/ with the prompt and workflow embedded, named `<prefix>_00001_.png`. */
export const saveImage = defineNode({
  type: 'SaveImage',
  displayName: 'Save Image',
  category: 'image',
  description:
    'Saves the images to the output folder, with the workflow embedded so the PNG can be dropped back on the canvas.',
  outputNode: true,
  inputs: {
    required: {
      images: ['IMAGE', { tooltip: 'The images to save.' }],
      filename_prefix: [
        'STRING',
        { default: 'InversionStudio', tooltip: 'May include subfolders, e.g. "cats/tabby".' },
      ],
    },
    hidden: { prompt: 'PROMPT', extra_pnginfo: 'EXTRA_PNGINFO' },
  },
  outputs: [],
  cachedResultValid: (result, _inputs, ctx) => savedFilesExist(ctx.dirs, result.ui?.images),
  execute: async (inputs, ctx) => {
    const images = expectImage(inputs.images, 'images');
    const refs = await saveImageBatch(images, {
      root: ctx.dirs.output,
      type: 'output',
      filenamePrefix: String(inputs.filename_prefix),
      texts: promptMetadataTexts(inputs.prompt, inputs.extra_pnginfo),
    });
    return { ui: { images: refs } };
  },
});
