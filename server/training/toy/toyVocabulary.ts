/**
 * The toy world's BPE vocabulary: CLIP's layout (512 byte symbols, merges, BOS, EOS) with merges learned from
 * the world's words, as many as it takes for every word to be one token, so "shape" (the textual-inversion
 * initializer) and each colour and shape name have a row of their own in the embedding table.
 */
import { buildTinyVocabulary, learnMerges } from '../../sd/tokenizer/tinyVocabulary';
import { ClipTokenizer } from '../../sd/tokenizer/clipTokenizer';
import type { ClipVocabulary } from '../../sd/tokenizer/vocabularyFiles';
import { WORLD_WORDS } from '../../world';

/** Words the toy vocabulary makes single tokens: the world's words plus those of the training prompts. */
export const TOY_WORDS: readonly string[] = [...WORLD_WORDS, 'photo', 'of', 'the', 'picture', 'drawing'];

function mergesNeeded(words: readonly string[]): number {
  for (let merges = words.length; merges < 2000; merges += 1) {
    const learned = learnMerges(words, merges);
    if (learned.length < merges) break;
    const tokenizer = new ClipTokenizer(buildTinyVocabulary(merges, words));
    if (words.every((w) => tokenizer.tokenize(w).length === 1)) return merges;
  }
  throw new Error('the toy words cannot all become single tokens; check TOY_WORDS');
}

let cached: ClipVocabulary | undefined;

/** The toy vocabulary (deterministic; every word of TOY_WORDS is one token). */
export function toyVocabulary(): ClipVocabulary {
  cached ??= {
    ...buildTinyVocabulary(mergesNeeded(TOY_WORDS), TOY_WORDS),
    source: 'toy shapes-world vocabulary',
  };
  return cached;
}
