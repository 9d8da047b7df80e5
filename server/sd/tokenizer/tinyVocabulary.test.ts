import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ClipTokenizer } from './clipTokenizer';
import { buildTinyVocabulary, learnMerges, tinyVocabularySize, writeTokenizerFiles } from './tinyVocabulary';
import { loadVocabulary } from './vocabularyFiles';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tiny-vocab-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('tiny vocabulary', () => {
  const vocab = buildTinyVocabulary();
  const tokenizer = new ClipTokenizer(vocab);

  it('has CLIP layout: 512 byte symbols, merged tokens, then BOS 998 and EOS 999', () => {
    expect(vocab.encoder.size).toBe(tinyVocabularySize(486));
    expect(tokenizer.size).toBe(1000);
    expect([tokenizer.bosId, tokenizer.eosId, tokenizer.padId]).toEqual([998, 999, 999]);
    expect(vocab.encoder.get('!')).toBe(0);
    expect(vocab.encoder.get('!</w>')).toBe(256);
  });

  it('is deterministic and merges the most frequent pair first', () => {
    expect(buildTinyVocabulary().merges).toEqual(vocab.merges);
    // "a</w>" leads the weighted word list, but single-symbol words have no pairs; the best pair is a real one
    expect(learnMerges(['aa', 'ab'], 1)).toEqual([['a', 'a</w>']]);
    expect(learnMerges(['ab ab', 'cd'], 2)).toEqual([
      ['a', 'b</w>'],
      ['c', 'd</w>'],
    ]);
  });

  it('tokenizes prompt words compactly and any text through byte symbols', () => {
    expect(tokenizer.tokenize('a photo of a cat').length).toBe(5);
    const odd = tokenizer.tokenize('zqxj 日本');
    expect(odd.every((id) => id >= 0 && id < 998)).toBe(true);
    expect(tokenizer.decode(odd)).toBe('zqxj 日本');
  });

  it('round-trips through written vocab.json + merges.txt with its pad token', async () => {
    await writeTokenizerFiles(dir, vocab, '!');
    const loaded = loadVocabulary(dir);
    const byId = (m: ReadonlyMap<string, number>) => [...m].sort((a, b) => a[1] - b[1]);
    expect(byId(loaded.encoder)).toEqual(byId(vocab.encoder));
    expect(loaded.merges).toEqual(vocab.merges);
    expect(loaded.padToken).toBe('!');
    expect(fs.readdirSync(dir).sort()).toEqual(['merges.txt', 'tokenizer_config.json', 'vocab.json']);
  });
});
