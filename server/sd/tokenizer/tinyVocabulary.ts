/**
 * A small deterministic CLIP-style BPE vocabulary for the embedded tiny model: the 512 byte symbols (with
 * and without `</w>`), merges learned from a built-in word list, then `<|startoftext|>` and
 * `<|endoftext|>` — the same layout as CLIP's vocabulary, so the same tokenizer code serves both. With the
 * default 486 merges it has 1000 entries (BOS 998, EOS 999), the reference datasets' convention.
 */
import path from 'node:path';
import { mkdir } from 'node:fs/promises';
import { writeFileAtomic } from '../../storage/atomicWrite';
import { BYTE_CHARS_IN_VOCAB_ORDER, bytesToChars } from './byteEncoder';
import { WORD_END } from './bytePairEncoder';
import { splitForBpe } from './clipTextCleaning';
import { TINY_WORDS } from './tinyWordList';
import { BOS_TOKEN, EOS_TOKEN, type ClipVocabulary } from './vocabularyFiles';

/** Vocabulary size for `merges` merged tokens: 512 byte symbols + merged tokens + BOS + EOS. */
export function tinyVocabularySize(merges: number): number {
  return 512 + merges + 2;
}

/**
 * Learns merges from `words` (word i weighs `words.length - i`; ties break by pair text) until they make
 * `count` distinct tokens or no pair is left.
 */
export function learnMerges(words: readonly string[], count: number): Array<[string, string]> {
  const weights = new Map<string, number>();
  words.forEach((word, i) => {
    for (const piece of splitForBpe(word)) weights.set(piece, (weights.get(piece) ?? 0) + words.length - i);
  });
  const corpus = [...weights].map(([piece, weight]) => {
    const symbols = [...bytesToChars(piece)];
    symbols[symbols.length - 1] += WORD_END;
    return { symbols, weight };
  });
  const merges: Array<[string, string]> = [];
  const made = new Set<string>();
  while (made.size < count) {
    const counts = new Map<string, number>();
    for (const { symbols, weight } of corpus) {
      for (let i = 0; i < symbols.length - 1; i++) {
        const key = `${symbols[i]} ${symbols[i + 1]}`;
        counts.set(key, (counts.get(key) ?? 0) + weight);
      }
    }
    let best: string | undefined;
    let bestCount = 0;
    for (const [key, n] of counts) {
      if (n > bestCount || (n === bestCount && best !== undefined && key < best)) {
        best = key;
        bestCount = n;
      }
    }
    if (best === undefined) break;
    const [a, b] = best.split(' ') as [string, string];
    merges.push([a, b]);
    made.add(a + b);
    for (const entry of corpus) {
      const out: string[] = [];
      for (let i = 0; i < entry.symbols.length;) {
        if (entry.symbols[i] === a && entry.symbols[i + 1] === b) {
          out.push(a + b);
          i += 2;
        } else out.push(entry.symbols[i++]!);
      }
      entry.symbols = out;
    }
  }
  return merges;
}

/** The tiny vocabulary (deterministic: same merges and ids on every machine). */
export function buildTinyVocabulary(merges = 486, words: readonly string[] = TINY_WORDS): ClipVocabulary {
  const learned = learnMerges(words, merges);
  const tokens = [...BYTE_CHARS_IN_VOCAB_ORDER, ...BYTE_CHARS_IN_VOCAB_ORDER.map((c) => c + WORD_END)];
  const seen = new Set(tokens);
  for (const [a, b] of learned) {
    if (!seen.has(a + b)) tokens.push(a + b);
    seen.add(a + b);
  }
  if (tokens.length < 512 + merges) {
    throw new Error(
      `the word list yields only ${tokens.length - 512} merged tokens; ask for at most that many (asked ${merges})`,
    );
  }
  tokens.push(BOS_TOKEN, EOS_TOKEN);
  return {
    encoder: new Map(tokens.map((t, i) => [t, i])),
    merges: learned,
    addedTokens: [],
    source: 'built-in tiny vocabulary',
  };
}

/**
 * Writes `vocab.json`, `merges.txt` and `tokenizer_config.json` (pad token, max length) into `dir`, the
 * Hugging Face layout `loadVocabulary` reads; each file is replaced atomically.
 */
export async function writeTokenizerFiles(
  dir: string,
  vocab: ClipVocabulary,
  padToken: string = EOS_TOKEN,
): Promise<void> {
  if (!vocab.encoder.has(padToken)) throw new Error(`pad token "${padToken}" is not in the vocabulary`);
  await mkdir(dir, { recursive: true });
  const encoder = Object.fromEntries([...vocab.encoder].sort((a, b) => a[1] - b[1]));
  await writeFileAtomic(path.join(dir, 'vocab.json'), JSON.stringify(encoder));
  await writeFileAtomic(
    path.join(dir, 'merges.txt'),
    ['#version: 0.2', ...vocab.merges.map(([a, b]) => `${a} ${b}`)].join('\n') + '\n',
  );
  await writeFileAtomic(
    path.join(dir, 'tokenizer_config.json'),
    JSON.stringify(
      {
        tokenizer_class: 'CLIPTokenizer',
        bos_token: BOS_TOKEN,
        eos_token: EOS_TOKEN,
        unk_token: EOS_TOKEN,
        pad_token: padToken,
        model_max_length: 77,
      },
      null,
      2,
    ),
  );
}
