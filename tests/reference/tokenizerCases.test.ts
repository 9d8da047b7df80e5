/**
 * The CLIP tokenizer with the real vocabulary (tests/fixtures/clip) gives
 * OpenAI's ids for every case of clip_tokenizer_cases.json, from each of the three file layouts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ClipTokenizer } from '../../server/sd/tokenizer/clipTokenizer';
import { writeTokenizerFiles } from '../../server/sd/tokenizer/tinyVocabulary';
import { loadTokenizerForModel } from '../../server/sd/tokenizer/tokenizerLocation';
import { loadVocabulary } from '../../server/sd/tokenizer/vocabularyFiles';
import { fixturesDir } from '../support/referenceData';

const clipDir = path.join(fixturesDir, 'clip');
const cases = JSON.parse(fs.readFileSync(path.join(clipDir, 'clip_tokenizer_cases.json'), 'utf8')) as {
  bos: number;
  eos: number;
  vocab_size: number;
  cases: Array<{ text: string; ids: number[] }>;
};
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'clip-tokenizer-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const gz = loadVocabulary(clipDir);
const tokenizer = new ClipTokenizer(gz);

describe('CLIP tokenizer with the real vocabulary', () => {
  it('derives the 49,408-entry vocabulary from bpe_simple_vocab_16e6.txt.gz', () => {
    expect(tokenizer.size).toBe(cases.vocab_size);
    expect([tokenizer.bosId, tokenizer.eosId]).toEqual([cases.bos, cases.eos]);
  });

  it.each(cases.cases.map((c) => [JSON.stringify(c.text), c] as const))('%s', (_, c) => {
    expect([tokenizer.bosId, ...tokenizer.tokenize(c.text), tokenizer.eosId]).toEqual(c.ids);
  });

  it('a real-size checkpoint with no tokenizer folder beside it uses the bundled vocabulary for every case', () => {
    const modelsDir = path.join(tmp, 'fresh-models');
    const checkpointPath = path.join(modelsDir, 'checkpoints', 'real-sd15.safetensors');
    fs.mkdirSync(path.dirname(checkpointPath), { recursive: true });
    for (const family of ['sd1', 'sd2'] as const) {
      const t = loadTokenizerForModel({ modelsDir, checkpointPath, family, vocabSize: cases.vocab_size });
      expect(t.size).toBe(cases.vocab_size);
      for (const c of cases.cases) {
        expect([t.bosId, ...t.tokenize(c.text), t.eosId], c.text).toEqual(c.ids);
      }
    }
    expect(cases.cases.length).toBeGreaterThanOrEqual(40);
  });

  it('reads the same vocabulary from vocab.json + merges.txt and from tokenizer.json', async () => {
    const hfDir = path.join(tmp, 'hf');
    await writeTokenizerFiles(hfDir, gz);
    const jsonDir = path.join(tmp, 'json');
    fs.mkdirSync(jsonDir);
    fs.writeFileSync(
      path.join(jsonDir, 'tokenizer.json'),
      JSON.stringify({
        model: {
          type: 'BPE',
          vocab: Object.fromEntries(gz.encoder),
          merges: gz.merges.map(([a, b]) => `${a} ${b}`),
        },
        added_tokens: [
          { id: cases.bos, content: '<|startoftext|>', special: true },
          { id: cases.eos, content: '<|endoftext|>', special: true },
          { id: cases.vocab_size, content: '<cat-toy>', special: false },
        ],
      }),
    );
    const fromHf = new ClipTokenizer(loadVocabulary(hfDir));
    const fromJson = new ClipTokenizer(loadVocabulary(jsonDir));
    for (const c of cases.cases) {
      expect(fromHf.tokenize(c.text), c.text).toEqual(c.ids.slice(1, -1));
    }
    // the placeholder saved in tokenizer.json keeps its id and is matched before BPE
    expect(fromJson.encode('a photo of <cat-toy>').ids.slice(0, 6)).toEqual([
      cases.bos,
      320,
      1125,
      539,
      cases.vocab_size,
      cases.eos,
    ]);
  });

  it('pads SD 1.x prompts with EOS and SD 2.x prompts with "!" (id 0), cutting to 77', () => {
    const long = cases.cases.find((c) => c.ids.length > 77)!;
    const sd1 = loadTokenizerForModel({ modelsDir: tmp, modelTokenizerDir: clipDir, family: 'sd1' }).encode(
      long.text,
    );
    expect(sd1.ids).toEqual([...long.ids.slice(0, 76), cases.eos]);
    expect(sd1.truncated).toBe(true);
    const short = cases.cases[0]!;
    const sd2Tokenizer = new ClipTokenizer(gz, { padToken: '!' });
    const sd2 = sd2Tokenizer.encode(short.text);
    expect(sd2Tokenizer.padId).toBe(0);
    expect(sd2.ids).toEqual([...short.ids, ...Array(77 - short.ids.length).fill(0)]);
    expect(sd2.eosIndex).toBe(short.ids.length - 1);
    expect(tokenizer.encode('').ids).toEqual([cases.bos, ...Array(76).fill(cases.eos)]);
  });

  it('expands a multi-vector placeholder to consecutive ids after the vocabulary', () => {
    const t = new ClipTokenizer(gz);
    expect(t.addPlaceholder('<my-style>', 3)).toEqual([49408, 49409, 49410]);
    expect(t.tokenize('a rendering in the style of <my-style>')).toEqual([
      320, 21339, 530, 518, 1844, 539, 49408, 49409, 49410,
    ]);
    expect(t.tokenize('<my-style>_1 only')).toEqual([49409, ...t.tokenize('only')]);
    expect(() => t.addPlaceholder('cat</w>')).toThrow(
      /token "cat<\/w>" is already in the vocabulary \(id 2368\)/,
    );
    expect(t.decode(t.encode('a photo in the style of <my-style>').ids)).toBe(
      'a photo in the style of <my-style> <my-style>_1 <my-style>_2',
    );
  });
});
