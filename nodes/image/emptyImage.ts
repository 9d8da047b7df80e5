import { createImage } from '../../server/image/imageIO';
import { defineNode } from '../../server/engine/nodeDefinition';

/** A batch of solid-colour images (ComfyUI's EmptyImage); `color` is 0xRRGGBB. */
export const emptyImage = defineNode({
  type: 'EmptyImage',
  displayName: 'Empty Image',
  category: 'image',
  description: 'A batch of images filled with one colour.',
  inputs: {
    required: {
      width: ['INT', { default: 512, min: 1, max: 16384, step: 1 }],
      height: ['INT', { default: 512, min: 1, max: 16384, step: 1 }],
      batch_size: ['INT', { default: 1, min: 1, max: 4096 }],
      color: ['INT', { default: 0, min: 0, max: 0xffffff, step: 1, tooltip: 'Fill colour as 0xRRGGBB' }],
    },
  },
  outputs: [{ type: 'IMAGE' }],
  tensorValues: (inputs) => Number(inputs.width) * Number(inputs.height) * Number(inputs.batch_size) * 3,
  execute: (inputs) => {
    const [width, height, batch, color] = [inputs.width, inputs.height, inputs.batch_size, inputs.color].map(
      Number,
    );
    const image = createImage(batch, height, width, 3);
    const rgb = [(color >> 16) & 0xff, (color >> 8) & 0xff, color & 0xff].map((v) => v / 255);
    for (let p = 0; p < batch * height * width; p += 1) image.data.set(rgb, p * 3);
    return { outputs: [image] };
  },
});
