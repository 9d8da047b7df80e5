import { defineNode } from '../../server/engine/nodeDefinition';
import { emptyLatentFor } from '../../server/sd/model/sampling';

/**
 * A batch of zero latents for width × height images (4 channels, 1/8 of the image size, rounded down; KSampler
 * re-makes them for a model whose VAE scales otherwise, such as the toy shapes model's 1/4).
 */
export const emptyLatentImage = defineNode({
  type: 'EmptyLatentImage',
  displayName: 'Empty Latent Image',
  category: 'latent',
  description: 'Empty latents to start text-to-image sampling from.',
  inputs: {
    required: {
      width: ['INT', { default: 512, min: 16, max: 16384, step: 8 }],
      height: ['INT', { default: 512, min: 16, max: 16384, step: 8 }],
      batch_size: ['INT', { default: 1, min: 1, max: 4096 }],
    },
  },
  outputs: [{ type: 'LATENT' }],
  // budgeted as the RGB images the latents decode to
  tensorValues: (inputs) => Number(inputs.width) * Number(inputs.height) * Number(inputs.batch_size) * 3,
  // like ComfyUI, a size that is not a multiple of 8 is rounded down (width 60 → 56)
  execute: (inputs) => ({
    outputs: [
      emptyLatentFor(
        Math.floor(Number(inputs.width) / 8) * 8,
        Math.floor(Number(inputs.height) / 8) * 8,
        Number(inputs.batch_size),
      ),
    ],
  }),
});
