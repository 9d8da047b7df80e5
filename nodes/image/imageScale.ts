import { centerCropToAspect, expectImage, type ResizeMethod, resizeImage } from '../../server/image/imageIO';
import { defineNode } from '../../server/engine/nodeDefinition';

const METHODS: ResizeMethod[] = ['nearest-exact', 'bilinear'];

/** Resizes to width × height; 0 on one side keeps the aspect ratio; `crop: center` crops before scaling. */
export const imageScale = defineNode({
  type: 'ImageScale',
  displayName: 'Upscale Image',
  category: 'image/upscaling',
  inputs: {
    required: {
      image: ['IMAGE'],
      upscale_method: [METHODS, { default: 'bilinear' }],
      width: [
        'INT',
        { default: 512, min: 0, max: 16384, step: 1, tooltip: '0 keeps the aspect ratio from height' },
      ],
      height: [
        'INT',
        { default: 512, min: 0, max: 16384, step: 1, tooltip: '0 keeps the aspect ratio from width' },
      ],
      crop: [['disabled', 'center'], { default: 'disabled' }],
    },
  },
  outputs: [{ type: 'IMAGE' }],
  // per image of the batch; a 0 side follows the input's aspect ratio, so it is budgeted as a square
  tensorValues: (inputs) => {
    const [w, h] = [Number(inputs.width), Number(inputs.height)];
    return (w || h) * (h || w) * 3;
  },
  execute: (inputs) => {
    const image = expectImage(inputs.image, 'image');
    const [, h, w] = image.shape;
    let width = Number(inputs.width);
    let height = Number(inputs.height);
    if (width === 0 && height === 0) return { outputs: [image] };
    if (width === 0) width = Math.max(1, Math.round((w * height) / h));
    if (height === 0) height = Math.max(1, Math.round((h * width) / w));
    const source = inputs.crop === 'center' ? centerCropToAspect(image, width, height) : image;
    return { outputs: [resizeImage(source, width, height, inputs.upscale_method as ResizeMethod)] };
  },
});
