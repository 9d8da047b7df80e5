import { encodePng, expectImage } from '../../server/image/imageIO';
import { defineNode } from '../../server/engine/nodeDefinition';

/**
 * ComfyUI's SaveImageWebsocket: sends each image as a PNG binary frame (event 1, format 2) to the client
 * that queued the prompt, between `executing` for this node and the next event, and saves nothing.
 */
export const saveImageWebsocket = defineNode({
  type: 'SaveImageWebsocket',
  displayName: 'Save Image (WebSocket)',
  category: 'image',
  description: 'Sends the images to the client over the WebSocket as PNG binary frames; nothing is written.',
  outputNode: true,
  inputs: { required: { images: ['IMAGE'] } },
  outputs: [],
  // every run sends the images again, like ComfyUI's IS_CHANGED returning the time
  isChanged: () => NaN,
  execute: async (inputs, ctx) => {
    const images = expectImage(inputs.images, 'images');
    const count = images.shape[0];
    for (let index = 0; index < count; index += 1) {
      ctx.throwIfInterrupted();
      const data = await encodePng(images, index, {}, { compressionLevel: 1 });
      ctx.progress(index + 1, count, { format: 'PNG', data });
    }
    return {};
  },
});
