/**
 * The prompt CLIP-T is measured against. Following the textual-inversion paper's evaluation (Gal et al.
 * 2022, and the diffusers examples built on it), the learned concept is scored by how well images match
 * the *rest* of the prompt: the placeholder is deleted and the remaining words kept as they are,
 * "a photo of <cat-toy> on the beach" → "a photo of on the beach". A text encoder without the learned
 * embedding cannot read the placeholder, and keeping it would score the tokenizer's fallback pieces.
 *
 * Rule, in order:
 *   1. With placeholders given: every occurrence of each is deleted (longest first), including the extra
 *      names of a multi-vector embedding (`<tok>_1`, `<tok>_2`, …). A placeholder that starts or ends
 *      with a letter/digit only matches as a whole word ("sks" is not deleted from "asks").
 *   2. Without placeholders: every `<…>` token without spaces inside (and its `_N` names) and every
 *      ComfyUI `embedding:name` reference is deleted.
 *   3. Tidy: runs of spaces become one, no space before `, . ; : ! ?`, repeated commas/semicolons merge
 *      into one, and leading/trailing spaces and separators are dropped.
 */

/** What `promptWithoutPlaceholders` returns. */
export interface ScoredPrompt {
  /** The prompt CLIP-T uses. */
  readonly text: string;
  /** The deleted pieces, in order of appearance. */
  readonly removed: readonly string[];
}

const ANGLE_TOKEN = /<[^<>\s]+>(?:_\d+)*/g;
const EMBEDDING_REFERENCE = /embedding:[^\s,()]+/g;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function placeholderPattern(placeholders: readonly string[]): RegExp {
  const alternatives = [...placeholders]
    .sort((a, b) => b.length - a.length)
    .map((p) => {
      const before = /^\w/.test(p) ? '(?<!\\w)' : '';
      const after = /\w$/.test(p) ? '(?![\\w])' : '';
      return `${before}${escapeRegExp(p)}(?:_\\d+)*${after}`;
    });
  return new RegExp(alternatives.join('|'), 'g');
}

/** Splits a user-typed list ("<cat-toy>, <dog>" or "<cat-toy> <dog>") into placeholder strings. */
export function parsePlaceholderList(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
}

/** Collapses the gaps deletion leaves (rule 3). */
export function tidyPrompt(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .replace(/\s+([,.;:!?])/g, '$1')
    .replace(/([,;])(?:\s*[,;])+/g, '$1')
    .replace(/^[\s,;]+|[\s,;]+$/g, '');
}

/** The prompt with its placeholder(s) removed, by the rule in this module's header. */
export function promptWithoutPlaceholders(
  prompt: string,
  placeholders: readonly string[] = [],
): ScoredPrompt {
  const removed: string[] = [];
  const record = (match: string) => {
    removed.push(match);
    return ' ';
  };
  const text =
    placeholders.length > 0
      ? prompt.replace(placeholderPattern(placeholders), record)
      : prompt.replace(new RegExp(`${ANGLE_TOKEN.source}|${EMBEDDING_REFERENCE.source}`, 'g'), record);
  return { text: tidyPrompt(text), removed };
}
