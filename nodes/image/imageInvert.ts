import { expectImage } from '../../server/image/imageIO';
import { defineNode } from '../../server/engine/nodeDefinition';

/** 1 − x for every channel. */
export const imageInvert = defineNode({
  type: 'ImageInvert',
  displayName: 'Invert Image',
  category: 'image',
  inputs: { required: { image: ['IMAGE'] } },
  outputs: [{ type: 'IMAGE' }],
  execute: (inputs) => {
    const image = expectImage(inputs.image, 'image');
    return { outputs: [{ data: image.data.map((v) => 1 - v), shape: [...image.shape] }] };
  },
});
