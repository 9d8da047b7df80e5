/** Token ids of every caption template with the placeholder filled in, checked to hold all its vectors. */
import type { ClipTokenizer } from '../../sd/tokenizer/clipTokenizer';
import type { Placeholder } from './placeholderTokens';
import { fillTemplate, promptTemplates, type TemplateKind } from './promptTemplates';

/** One id row (`sequenceLength` long) per template of `kind`. */
export function captionIds(
  tokenizer: ClipTokenizer,
  placeholder: Placeholder,
  kind: TemplateKind,
  sequenceLength: number,
): number[][] {
  return promptTemplates(kind).map((template) => {
    const caption = fillTemplate(template, placeholder.token);
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
