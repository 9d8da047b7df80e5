import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildTinyVocabulary, writeTokenizerFiles } from './tinyVocabulary';
import { BUNDLED_TOKENIZER_DIR, loadTokenizerForModel } from './tokenizerLocation';

const models = fs.mkdtempSync(path.join(os.tmpdir(), 'models-'));
afterAll(() => fs.rmSync(models, { recursive: true, force: true }));
const checkpointPath = path.join(models, 'checkpoints', 'tiny-sd.safetensors');

describe('finding a model tokenizer', () => {
  it("falls back to the bundled CLIP vocabulary, and says where the model's own files go when it does not fit", () => {
    // the bundled vocabulary is OpenAI CLIP's: 49408 tokens
    expect(loadTokenizerForModel({ modelsDir: models, checkpointPath, family: 'sd1' }).size).toBe(49408);
    expect(() =>
      loadTokenizerForModel({ modelsDir: models, checkpointPath, family: 'sd1', vocabSize: 1000 }),
    ).toThrow(
      new RegExp(
        `tokenizer in ${BUNDLED_TOKENIZER_DIR} has 49408 tokens but the text encoder's embedding table has 1000 rows: it belongs to another model\\. Put this model's own tokenizer files in ${path.join(models, 'tokenizers', 'tiny-sd')}/`,
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
