import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildTinyVocabulary, writeTokenizerFiles } from './tinyVocabulary';
import { loadTokenizerForModel } from './tokenizerLocation';

const models = fs.mkdtempSync(path.join(os.tmpdir(), 'models-'));
afterAll(() => fs.rmSync(models, { recursive: true, force: true }));
const checkpointPath = path.join(models, 'checkpoints', 'tiny-sd.safetensors');

describe('finding a model tokenizer', () => {
  it('says which files to put where when none exists', () => {
    expect(() => loadTokenizerForModel({ modelsDir: models, checkpointPath, family: 'sd1' })).toThrow(
      new RegExp(
        `no CLIP tokenizer found for tiny-sd\\.safetensors\\. Put vocab\\.json \\+ merges\\.txt .*bpe_simple_vocab_16e6\\.txt\\.gz .* into ${path.join(models, 'tokenizers', 'clip')}/ \\(shared by all SD 1\\.x and 2\\.x checkpoints\\) or ${path.join(models, 'tokenizers', 'tiny-sd')}/ \\(this checkpoint only\\)`,
      ),
    );
  });

  it('uses the shared folder with the family pad token, and a per-model folder first with its own', async () => {
    const vocab = buildTinyVocabulary();
    await writeTokenizerFiles(path.join(models, 'tokenizers', 'clip'), vocab, '<|endoftext|>');
    expect(loadTokenizerForModel({ modelsDir: models, checkpointPath, family: 'sd2' }).padId).toBe(0);
    expect(loadTokenizerForModel({ modelsDir: models, checkpointPath, family: 'sd1' }).padId).toBe(999);
    await writeTokenizerFiles(path.join(models, 'tokenizers', 'tiny-sd'), vocab, '!');
    expect(loadTokenizerForModel({ modelsDir: models, checkpointPath, family: 'sd1' }).padId).toBe(0);
  });

  it('refuses a tokenizer larger than the text encoder vocabulary', () => {
    expect(() =>
      loadTokenizerForModel({ modelsDir: models, checkpointPath, family: 'sd1', vocabSize: 500 }),
    ).toThrow(/has 1000 tokens but the text encoder's embedding table has 500 rows/);
  });
});
