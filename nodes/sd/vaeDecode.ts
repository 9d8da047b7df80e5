import { defineNode } from '../../server/engine/nodeDefinition';
import { expectFrozenModel, expectLatent } from '../nodeValues';
import { decodeLatent } from '../../server/sd/model/sampling';

/** Latents → images with the checkpoint's VAE decoder. */
export const vaeDecode = defineNode({
  type: 'VAEDecode',
  displayName: 'VAE Decode',
  category: 'latent',
  description: 'Decodes latents into images.',
  inputs: { required: { samples: ['LATENT'], vae: ['VAE'] } },
  outputs: [{ type: 'IMAGE' }],
  execute: async (inputs) => ({
    outputs: [
      await decodeLatent(expectFrozenModel(inputs.vae, 'vae'), expectLatent(inputs.samples, 'samples')),
    ],
  }),
});
