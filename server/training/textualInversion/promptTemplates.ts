/**
 * The caption templates of the textual-inversion recipe (Gal et al. 2022, as diffusers' textual_inversion.py
 * uses them): "object" learns a thing, "style" learns a look, "shape" learns a thing of the toy shapes world
 * in the short captions its small text encoder was trained on. `{}` is replaced by the placeholder string.
 */

export const TEMPLATE_KINDS = ['object', 'style', 'shape'] as const;
export type TemplateKind = (typeof TEMPLATE_KINDS)[number];

const OBJECT_TEMPLATES: readonly string[] = [
  'a photo of a {}',
  'a rendering of a {}',
  'a cropped photo of the {}',
  'the photo of a {}',
  'a photo of a clean {}',
  'a photo of a dirty {}',
  'a dark photo of the {}',
  'a photo of my {}',
  'a photo of the cool {}',
  'a close-up photo of a {}',
  'a bright photo of the {}',
  'a cropped photo of a {}',
  'a photo of the {}',
  'a good photo of the {}',
  'a photo of one {}',
  'a close-up photo of the {}',
  'a rendition of the {}',
  'a photo of the clean {}',
  'a rendition of a {}',
  'a photo of a nice {}',
  'a good photo of a {}',
  'a photo of the nice {}',
  'a photo of the small {}',
  'a photo of the weird {}',
  'a photo of the large {}',
  'a photo of a cool {}',
  'a photo of a small {}',
];

const STYLE_TEMPLATES: readonly string[] = [
  'a painting in the style of {}',
  'a rendering in the style of {}',
  'a cropped painting in the style of {}',
  'the painting in the style of {}',
  'a clean painting in the style of {}',
  'a dirty painting in the style of {}',
  'a dark painting in the style of {}',
  'a picture in the style of {}',
  'a cool painting in the style of {}',
  'a close-up painting in the style of {}',
  'a bright painting in the style of {}',
  'a cropped painting in the style of {}',
  'a good painting in the style of {}',
  'a close-up painting in the style of {}',
  'a rendition in the style of {}',
  'a nice painting in the style of {}',
  'a small painting in the style of {}',
  'a weird painting in the style of {}',
  'a large painting in the style of {}',
];

// the toy world's caption forms (server/world/captions.ts), with the concept where the shape word goes
const SHAPE_TEMPLATES: readonly string[] = [
  'a {}',
  'a small {}',
  'a large {}',
  'the {}',
  'a picture of a {}',
  'a drawing of a {}',
];

/** The templates of one kind; throws naming the valid kinds. */
export function promptTemplates(kind: string): readonly string[] {
  if (kind === 'object') return OBJECT_TEMPLATES;
  if (kind === 'style') return STYLE_TEMPLATES;
  if (kind === 'shape') return SHAPE_TEMPLATES;
  throw new Error(`unknown template kind "${kind}"; expected one of ${TEMPLATE_KINDS.join(', ')}`);
}

/** A caption: `template` with `{}` replaced by `placeholder`. */
export function fillTemplate(template: string, placeholder: string): string {
  return template.replace('{}', placeholder);
}
