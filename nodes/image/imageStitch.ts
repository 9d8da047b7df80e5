import { defineNode } from '../../server/engine/nodeDefinition';
import { expectImage } from '../../server/image/imageIO';
import {
  SPACING_COLOURS,
  STITCH_DIRECTIONS,
  stitchImages,
  type SpacingColour,
  type StitchDirection,
} from '../../server/image/imageStitch';

/** ComfyUI's Image Stitch: image2 beside or below image1 (e.g. two charts side by side). */
export const imageStitch = defineNode({
  type: 'ImageStitch',
  displayName: 'Image Stitch',
  category: 'image/transform',
  description:
    'Joins image2 to image1 on the chosen side, optionally scaled to match, with a coloured gap between them.',
  inputs: {
    required: {
      image1: ['IMAGE'],
      direction: [STITCH_DIRECTIONS, { default: 'right' }],
      match_image_size: [
        'BOOLEAN',
        {
          default: true,
          tooltip:
            'Scale image2 (aspect kept) to image1’s height (right/left) or width (down/up); off: pad the smaller with black.',
        },
      ],
      spacing_width: ['INT', { default: 0, min: 0, max: 1024, step: 2 }],
      spacing_color: [Object.keys(SPACING_COLOURS), { default: 'white' }],
    },
    optional: { image2: ['IMAGE', { tooltip: 'Without it, image1 passes through.' }] },
  },
  outputs: [{ type: 'IMAGE' }],
  execute: (inputs) => {
    const first = expectImage(inputs.image1, 'image1');
    if (inputs.image2 === undefined) return { outputs: [first] };
    return {
      outputs: [
        stitchImages(first, expectImage(inputs.image2, 'image2'), {
          direction: String(inputs.direction) as StitchDirection,
          matchImageSize: Boolean(inputs.match_image_size),
          spacingWidth: Number(inputs.spacing_width),
          spacingColour: String(inputs.spacing_color) as SpacingColour,
        }),
      ],
    };
  },
});
