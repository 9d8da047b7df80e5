/**
 * CLIP BPE vocabularies from the three file layouts in circulation: Hugging Face `vocab.json` +
 * `merges.txt`, Hugging Face `tokenizer.json`, and OpenAI's `bpe_simple_vocab_16e6.txt.gz` (merges only;
 * the vocabulary is derived from them). Optional `added_tokens.json`, `special_tokens_map.json` and
 * `tokenizer_config.json` contribute added tokens and the pad token (special_tokens_map.json wins, as in
 * transformers).
 */
import fs from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { z } from 'zod';
import { BYTE_CHARS_IN_VOCAB_ORDER } from './byteEncoder';
import { WORD_END } from './bytePairEncoder';

export const BOS_TOKEN = '<|startoftext|>';
export const EOS_TOKEN = '<|endoftext|>';
/** OpenAI's file holds more merges than CLIP uses: the vocabulary is capped at 49,152 − 2 BPE entries. */
const OPENAI_MERGES = 49152 - 256 - 2;

/** A loaded vocabulary. */
export interface ClipVocabulary {
  /** Token → id for the BPE vocabulary and the special tokens. */
  readonly encoder: ReadonlyMap<string, number>;
  /** Merge rules in rank order. */
  readonly merges: ReadonlyArray<readonly [string, string]>;
  /** Tokens added after the base vocabulary (e.g. placeholders of a trained embedding). */
  readonly addedTokens: ReadonlyArray<{ readonly content: string; readonly id: number }>;
  /** Pad token named by the files' tokenizer config, if any. */
  readonly padToken?: string;
  /** Where it was read from. */
  readonly source: string;
}

/** The file names `loadVocabulary` accepts, in order of preference. */
export const TOKENIZER_FILE_SETS = [
  'vocab.json + merges.txt',
  'tokenizer.json',
  'bpe_simple_vocab_16e6.txt.gz',
] as const;

const tokenSchema = z
  .union([z.string(), z.object({ content: z.string() })])
  .transform((t) => (typeof t === 'string' ? t : t.content));
const configSchema = z.looseObject({ pad_token: tokenSchema.nullable().optional() });
const tokenizerJsonSchema = z.looseObject({
  model: z.looseObject({
    vocab: z.record(z.string(), z.number().int()),
    merges: z.array(z.union([z.string(), z.tuple([z.string(), z.string()])])),
  }),
  added_tokens: z.array(z.looseObject({ id: z.number().int(), content: z.string() })).optional(),
});

function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(
      `${file}: cannot read tokenizer file (${(error as Error).message}); replace it with a valid copy`,
    );
  }
}

function parseMergeLine(line: string, where: string): [string, string] {
  const parts = line.split(' ');
  if (parts.length !== 2)
    throw new Error(`${where}: malformed merge "${line}"; expected two symbols separated by one space`);
  return [parts[0]!, parts[1]!];
}

/** OpenAI's merges file → the CLIP vocabulary (bytes, bytes + </w>, one entry per merge, BOS, EOS). */
export function vocabularyFromOpenAiMerges(lines: readonly string[], source: string): ClipVocabulary {
  const merges = lines
    .slice(1, 1 + OPENAI_MERGES)
    .filter((l) => l.length > 0)
    .map((l) => parseMergeLine(l, source));
  const tokens = [
    ...BYTE_CHARS_IN_VOCAB_ORDER,
    ...BYTE_CHARS_IN_VOCAB_ORDER.map((c) => c + WORD_END),
    ...merges.map(([a, b]) => a + b),
    BOS_TOKEN,
    EOS_TOKEN,
  ];
  return { encoder: new Map(tokens.map((t, i) => [t, i])), merges, addedTokens: [], source };
}

function addedFrom(
  encoder: Map<string, number>,
  base: number,
  extra: Record<string, number>,
): Array<{ content: string; id: number }> {
  const added: Array<{ content: string; id: number }> = [];
  for (const [content, id] of Object.entries(extra).sort((a, b) => a[1] - b[1])) {
    if (encoder.get(content) === id) continue;
    if (id < base) continue;
    added.push({ content, id });
  }
  return added;
}

/** Reads a vocabulary from `dir`; throws naming the accepted file sets when none is there. */
export function loadVocabulary(dir: string): ClipVocabulary {
  const file = (name: string) => path.join(dir, name);
  const has = (name: string) => fs.existsSync(file(name));
  let encoder: Map<string, number>;
  let merges: Array<[string, string]>;
  let extra: Record<string, number> = {};
  let source: string;
  if (has('vocab.json') && has('merges.txt')) {
    encoder = new Map(
      Object.entries(z.record(z.string(), z.number().int()).parse(readJson(file('vocab.json')))),
    );
    merges = fs
      .readFileSync(file('merges.txt'), 'utf8')
      .split(/\r?\n/)
      .filter((l, i) => l.length > 0 && !(i === 0 && l.startsWith('#version')))
      .map((l) => parseMergeLine(l, file('merges.txt')));
    source = `${file('vocab.json')} + merges.txt`;
  } else if (has('tokenizer.json')) {
    const parsed = tokenizerJsonSchema.safeParse(readJson(file('tokenizer.json')));
    if (!parsed.success)
      throw new Error(
        `${file('tokenizer.json')}: not a BPE tokenizer.json (needs model.vocab and model.merges)`,
      );
    encoder = new Map(Object.entries(parsed.data.model.vocab));
    merges = parsed.data.model.merges.map((m) =>
      typeof m === 'string' ? parseMergeLine(m, file('tokenizer.json')) : [m[0], m[1]],
    );
    for (const t of parsed.data.added_tokens ?? []) extra[t.content] = t.id;
    source = file('tokenizer.json');
  } else if (has('bpe_simple_vocab_16e6.txt.gz')) {
    const text = gunzipSync(fs.readFileSync(file('bpe_simple_vocab_16e6.txt.gz'))).toString('utf8');
    const vocab = vocabularyFromOpenAiMerges(text.split('\n'), file('bpe_simple_vocab_16e6.txt.gz'));
    encoder = new Map(vocab.encoder);
    merges = [...vocab.merges] as Array<[string, string]>;
    source = vocab.source;
  } else {
    throw new Error(`no CLIP tokenizer files in ${dir}: expected ${TOKENIZER_FILE_SETS.join(', or ')}`);
  }
  if (has('added_tokens.json'))
    extra = {
      ...extra,
      ...z.record(z.string(), z.number().int()).parse(readJson(file('added_tokens.json'))),
    };
  for (const special of [BOS_TOKEN, EOS_TOKEN]) {
    if (!encoder.has(special) && extra[special] !== undefined) encoder.set(special, extra[special]!);
    if (!encoder.has(special))
      throw new Error(`${source}: vocabulary lacks ${special}; this is not a CLIP tokenizer`);
  }
  let padToken: string | undefined;
  for (const name of ['special_tokens_map.json', 'tokenizer_config.json']) {
    if (padToken === undefined && has(name))
      padToken = configSchema.parse(readJson(file(name))).pad_token ?? undefined;
  }
  return { encoder, merges, addedTokens: addedFrom(encoder, encoder.size, extra), padToken, source };
}

/** Whether `dir` already holds tokenizer files. */
export function hasTokenizerFiles(dir: string): boolean {
  const has = (f: string) => fs.existsSync(path.join(dir, f));
  return (
    (has('vocab.json') && has('merges.txt')) || has('tokenizer.json') || has('bpe_simple_vocab_16e6.txt.gz')
  );
}
