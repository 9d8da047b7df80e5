/** ClipScorer's refusals: each names the bad folder, value or input and says what to do. */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClipScorer } from '../../server/scoring/clipScorer';
import { tokenIdRows } from '../../server/scoring/tokenIds';
import { withSkipReason } from '../support/skipReason';
import { clipSkipReason, datasetClipDir } from './clipScoringSupport';

describe('opening a scoring CLIP folder', () => {
  let root = '';
  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'clip-scorer-'));
  });

  it('a missing folder: names it and what to put there', () => {
    const dir = path.join(root, 'nowhere');
    expect(() => ClipScorer.open(dir)).toThrow(
      `CLIP scoring model folder ${dir} does not exist. Create it and put a transformers CLIPModel: config.json and model.safetensors`,
    );
  });

  it('a folder without config.json', async () => {
    const dir = path.join(root, 'empty');
    await mkdir(dir);
    expect(() => ClipScorer.open(dir)).toThrow(
      `CLIP scoring model folder ${dir} has no config.json. Put a transformers CLIPModel`,
    );
  });

  it('a config without weights', async () => {
    const dir = path.join(root, 'no-weights');
    await mkdir(dir);
    await writeFile(path.join(dir, 'config.json'), JSON.stringify({ model_type: 'clip' }));
    expect(() => ClipScorer.open(dir)).toThrow(
      /no safetensors weights in .*no-weights \(looked for .*model\.safetensors/,
    );
  });
});

const skipReason = clipSkipReason();

describe.skipIf(skipReason !== undefined)(
  withSkipReason('scoring with the dataset CLIP: bad inputs', skipReason),
  () => {
    let scorer: ClipScorer;
    beforeAll(() => {
      scorer = ClipScorer.open(datasetClipDir, { provider: 'cpu' });
    });
    afterAll(async () => scorer?.close());

    const image = {
      data: new Float32Array(8 * 8 * 3).fill(0.5),
      shape: [1, 8, 8, 3] as [number, number, number, number],
    };
    const empty = { data: new Float32Array(0), shape: [0, 8, 8, 3] as [number, number, number, number] };

    it('empty image batches name the input', async () => {
      await expect(scorer.clipI(empty, image)).rejects.toThrow('images: the image batch is empty');
      await expect(scorer.clipI(image, empty)).rejects.toThrow('reference_images: the image batch is empty');
    });

    it('text without a tokenizer asks for tokenizer files or ids', async () => {
      await expect(scorer.textEmbeddings(['a photo'])).rejects.toThrow(
        /cannot encode text: no tokenizer files .*Put the model's vocab.json \+ merges.txt in its folder, or score with token ids/,
      );
    });

    it('ids outside the vocabulary (a placeholder id) and over-long rows are refused', async () => {
      const { vocab_size: vocab, max_position_embeddings: positions } = scorer.config.text_config;
      await expect(scorer.textEmbeddings(tokenIdRows([[0, vocab, 1]]))).rejects.toThrow(
        `id ${vocab} (row 0, position 1) is outside the vocabulary 0..${vocab - 1}`,
      );
      await expect(
        scorer.textEmbeddings(tokenIdRows([new Array<number>(positions + 1).fill(0)])),
      ).rejects.toThrow(`rows of ${positions + 1} ids exceed the text tower's ${positions} positions`);
    });
  },
);
