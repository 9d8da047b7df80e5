import { centerCropToAspect, concatImages, expectImage, resizeImage } from '../../server/image/imageIO';
import { defineNode } from '../../server/engine/nodeDefinition';

/** Concatenates two batches; image2 is scaled (bilinear, centre crop) to image1's size when they differ. */
export const imageBatch = defineNode({
  type: 'ImageBatch',
  displayName: 'Batch Images',
  category: 'image',
  inputs: { required: { image1: ['IMAGE'], image2: ['IMAGE'] } },
  outputs: [{ type: 'IMAGE' }],
  execute: (inputs) => {
    const first = expectImage(inputs.image1, 'image1');
    let second = expectImage(inputs.image2, 'image2');
    const [, h, w] = first.shape;
    if (second.shape[1] !== h || second.shape[2] !== w) {
      second = resizeImage(centerCropToAspect(second, w, h), w, h, 'bilinear');
    }
    return { outputs: [concatImages(first, second)] };
  },
});
