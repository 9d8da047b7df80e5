import { expectImage } from '../../server/image/imageIO';
import { defineNode } from '../../server/engine/nodeDefinition';
import { expectFrozenModel } from '../nodeValues';
import { encodeImage } from '../../server/sd/model/sampling';

/** Images → latents with the checkpoint's VAE encoder (posterior mean; sides cropped to multiples of 8). */
export const vaeEncode = defineNode({
  type: 'VAEEncode',
  displayName: 'VAE Encode',
  category: 'latent',
  description: 'Encodes images into latents (for image-to-image with denoise < 1).',
  inputs: { required: { pixels: ['IMAGE'], vae: ['VAE'] } },
  outputs: [{ type: 'LATENT' }],
  execute: async (inputs) => ({
    outputs: [await encodeImage(expectFrozenModel(inputs.vae, 'vae'), expectImage(inputs.pixels, 'pixels'))],
  }),
});
