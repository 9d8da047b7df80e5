/** Token ids of every caption template with the placeholder filled in, checked to hold all its vectors. */
import type { ClipTokenizer } from '../../sd/tokenizer/clipTokenizer';
import type { Placeholder } from './placeholderTokens';
import { fillTemplate, promptTemplates, type TemplateKind } from './promptTemplates';

/**
 * One id row (`sequenceLength` long) per template of `kind`; an image's own caption (`imageCaption`, e.g. "on a
 * blue background") follows every filled template, so what it names need not be learned into the token.
 */
export function captionIds(
  tokenizer: ClipTokenizer,
  placeholder: Placeholder,
  kind: TemplateKind,
  sequenceLength: number,
  imageCaption = '',
): number[][] {
  return promptTemplates(kind).map((template) => {
    const caption = [fillTemplate(template, placeholder.token), imageCaption.trim()]
      .filter(Boolean)
      .join(' ');
    const ids = tokenizer.encode(caption).ids;
    if (ids.length !== sequenceLength) {
      throw new Error(
        `tokenizer makes ${ids.length} ids per caption but the text encoder takes ${sequenceLength}`,
      );
    }
    if (!placeholder.ids.every((id) => ids.includes(id))) {
      throw new Error(
        `caption "${caption}" lost placeholder ids to truncation; use fewer vectors (num_vectors ${placeholder.ids.length})`,
      );
    }
    return ids;
  });
}
