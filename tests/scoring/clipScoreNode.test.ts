/**
 * CLIPScoreModelLoader → CLIPScore through the real validator and executor, with the dataset's scoring
 * CLIP copied into a models folder and the tiny tokenizer beside it, its ids permuted so that a prompt
 * encodes to a golden `clip.input_ids` row: the node's CLIP-T on the golden image is then the golden
 * cosine similarity. Bad inputs must fail naming the problem.
 */
import { copyFile, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { ImageTensor } from '../../server/image/imageIO';
import { listClipScoringModels } from '../../server/scoring/clipModelFolder';
import { defineNode } from '../../server/engine/nodeDefinition';
import { ClipTokenizer } from '../../server/sd/tokenizer/clipTokenizer';
import { buildTinyVocabulary, writeTokenizerFiles } from '../../server/sd/tokenizer/tinyVocabulary';
import { TINY_WORDS } from '../../server/sd/tokenizer/tinyWordList';
import type { ClipVocabulary } from '../../server/sd/tokenizer/vocabularyFiles';
import { clipScore } from '../../nodes/scoring/clipScore';
import { clipScoreModelLoader } from '../../nodes/scoring/clipLoader';
import { worstExcess } from '../support/arrayCompare';
import { createHarness, RecordingSink } from '../support/engineHarness';
import { goldenArray } from '../support/referenceData';
import { withSkipReason } from '../support/skipReason';
import { clipSkipReason, datasetClipDir, nchwToImage } from './clipScoringSupport';

const skipReason = clipSkipReason();

/** Deterministic smooth colour patterns, different per seed and per batch item. */
function pattern(seed: number, n: number, h: number, w: number): ImageTensor {
  const data = new Float32Array(n * h * w * 3);
  for (let b = 0; b < n; b++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        for (let c = 0; c < 3; c++) {
          const phase = seed * 1.7 + b * 2.3 + c * 0.9;
          data[((b * h + y) * w + x) * 3 + c] =
            0.5 + 0.5 * Math.sin(phase + (x * (c + 1)) / 5 + (y * (b + 2)) / 7);
        }
  return { data, shape: [n, h, w, 3] };
}

const testPattern = defineNode({
  type: 'TestPattern',
  category: 'testing',
  inputs: { required: { seed: ['INT'], batch: ['INT', { min: 0 }], height: ['INT'], width: ['INT'] } },
  outputs: [{ type: 'IMAGE' }],
  execute: (i) => ({
    outputs: [pattern(Number(i.seed), Number(i.batch), Number(i.height), Number(i.width))],
  }),
});

const goldenImage = defineNode({
  type: 'GoldenImage',
  category: 'testing',
  inputs: {},
  outputs: [{ type: 'IMAGE' }],
  execute: () => ({ outputs: [nchwToImage(goldenArray('clip.image_0to1'))] }),
});

/**
 * `vocab` with ids swapped so that a prompt of tiny-vocabulary words encodes to the content ids of golden
 * `clip.input_ids` row `row`. A permutation of ids leaves the BPE merges, and so the token strings, as they
 * are. Returns the permuted vocabulary and the prompt.
 */
function vocabularyForGoldenRow(
  vocab: ClipVocabulary,
  row: number,
): { vocab: ClipVocabulary; prompt: string } {
  const ids = goldenArray('clip.input_ids');
  const width = ids.shape[1]!;
  const rowIds = Array.from(ids.data.subarray(row * width, (row + 1) * width));
  const tokenizer = new ClipTokenizer(vocab);
  const content = rowIds.slice(1, rowIds.indexOf(tokenizer.eosId));
  const tokenOf = new Map([...vocab.encoder].map(([token, id]) => [id, token]));
  const words: string[] = [];
  const tokens: string[] = [];
  for (const word of TINY_WORDS) {
    if (words.length === content.length) break;
    const encoded = tokenizer.encode(word);
    const token = tokenOf.get(encoded.ids[1]!)!;
    if (encoded.length === 1 && !tokens.includes(token)) {
      words.push(word);
      tokens.push(token);
    }
  }
  expect(words).toHaveLength(content.length);
  const encoder = new Map(vocab.encoder);
  const holder = new Map([...encoder].map(([token, id]) => [id, token]));
  tokens.forEach((token, i) => {
    const [from, to] = [encoder.get(token)!, content[i]!];
    const displaced = holder.get(to)!;
    encoder.set(token, to).set(displaced, from);
    holder.set(to, token).set(from, displaced);
  });
  return { vocab: { ...vocab, encoder }, prompt: words.join(' ') };
}

/** The golden row scored: the first with content tokens (CLIPScore refuses an empty prompt). */
const goldenRow = (() => {
  if (skipReason !== undefined) return 0;
  const ids = goldenArray('clip.input_ids');
  const width = ids.shape[1]!;
  const rows = Array.from({ length: ids.shape[0]! }, (_, r) => r);
  return rows.find((r) => ids.data[r * width + 1] !== ids.data[r * width + width - 1]) ?? 0;
})();
let goldenPrompt = '';

const scoresFileSchema = z.object({
  clip_i: z.number(),
  clip_t: z.number(),
  prompt: z.string(),
  scored_prompt: z.string(),
  images: z.number(),
  reference_images: z.number(),
  per_image: z.array(z.object({ clip_i: z.number(), clip_t: z.number() })),
});

describe.skipIf(skipReason !== undefined)(withSkipReason('CLIPScore node (dataset CLIP)', skipReason), () => {
  let h: Awaited<ReturnType<typeof createHarness>>;
  beforeAll(async () => {
    h = await createHarness([clipScoreModelLoader, clipScore, testPattern, goldenImage]);
    const modelDir = path.join(h.dirs.models, 'clip', 'tiny-clip');
    await mkdir(modelDir, { recursive: true });
    for (const f of ['config.json', 'model.safetensors'])
      await copyFile(path.join(datasetClipDir, f), path.join(modelDir, f));
    const config = z
      .object({ text_config: z.looseObject({ vocab_size: z.number().int() }) })
      .parse(JSON.parse(await readFile(path.join(datasetClipDir, 'config.json'), 'utf8')));
    // the tiny vocabulary: 512 byte symbols + merges + BOS + EOS = the tower's vocab_size
    const permuted = vocabularyForGoldenRow(
      buildTinyVocabulary(config.text_config.vocab_size - 514),
      goldenRow,
    );
    goldenPrompt = permuted.prompt;
    await writeTokenizerFiles(path.join(h.dirs.models, 'tokenizers', 'clip'), permuted.vocab);
  });

  const graph = (overrides: Record<string, unknown> = {}, refBatch = 3) => ({
    '1': { class_type: 'CLIPScoreModelLoader', inputs: { clip_name: 'tiny-clip' } },
    '2': { class_type: 'TestPattern', inputs: { seed: 1, batch: 2, height: 40, width: 56 } },
    '3': { class_type: 'TestPattern', inputs: { seed: 7, batch: refBatch, height: 64, width: 48 } },
    '4': {
      class_type: 'CLIPScore',
      inputs: {
        clip_scorer: ['1', 0],
        images: ['2', 0],
        reference_images: ['3', 0],
        prompt: 'a photo of <cat-toy> on the beach',
        placeholder: '<cat-toy>',
        ...overrides,
      },
    },
  });

  it('lists the model, gives the golden cosine similarity as CLIP-T and writes scores_00001_.json', async () => {
    expect(await listClipScoringModels(h.dirs.models)).toEqual(['tiny-clip']);
    // the golden image scored against itself and against the golden prompt (placeholder appended, removed)
    const { outcome } = await h.run({
      ...graph({ prompt: `${goldenPrompt} <cat-toy>` }),
      '2': { class_type: 'GoldenImage', inputs: {} },
      '3': { class_type: 'GoldenImage', inputs: {} },
    });
    expect(outcome.status).toBe('success');
    const ui = outcome.outputs['4']!;
    console.log(`[scores] clip_i ${ui.clip_i![0]} clip_t ${ui.clip_t![0]} (golden row ${goldenRow})`);
    const cosine = goldenArray('clip.cosine_similarity'); // [texts, images]
    const expected = cosine.data[goldenRow * cosine.shape[1]!]!;
    // README tolerance for float32 forward passes: |a - b| <= 1e-4 + 1e-4·|b|
    expect(worstExcess([Number(ui.clip_t![0])], [expected], 1e-4, 1e-4)).toBeLessThanOrEqual(0);
    // an image against itself: CLIP-I is 1
    expect(Number(ui.clip_i![0])).toBeCloseTo(1, 5);

    expect(ui.files).toEqual([{ filename: 'scores_00001_.json', subfolder: '', type: 'output' }]);
    const saved = scoresFileSchema.parse(
      JSON.parse(await readFile(path.join(h.dirs.output, 'scores_00001_.json'), 'utf8')),
    );
    expect(saved).toMatchObject({
      clip_i: ui.clip_i![0],
      clip_t: ui.clip_t![0],
      scored_prompt: goldenPrompt,
      images: 1,
      reference_images: 1,
    });
    expect(saved.per_image).toEqual([{ clip_i: ui.clip_i![0], clip_t: ui.clip_t![0] }]);
  });

  it('a changed prompt reuses the loaded model and writes the next counter', async () => {
    const { outcome } = await h.run(graph({ prompt: 'a photo of <cat-toy>' }));
    expect(outcome.status).toBe('success');
    expect(outcome.cached).toContain('1');
    expect(outcome.outputs['4']!.files).toEqual([
      { filename: 'scores_00002_.json', subfolder: '', type: 'output' },
    ]);
    expect((await readdir(h.dirs.output)).filter((f) => f.endsWith('.json')).sort()).toEqual([
      'scores_00001_.json',
      'scores_00002_.json',
    ]);
  });

  it.each([
    { refBatch: 0, overrides: {}, message: /reference_images: the image batch is empty/ },
    {
      refBatch: 1,
      overrides: { prompt: '<cat-toy>' },
      message: /prompt "<cat-toy>" is empty once its placeholder is removed/,
    },
  ])('fails naming the problem: $message', async ({ refBatch, overrides, message }) => {
    const sink = new RecordingSink();
    const { outcome } = await h.run(graph(overrides, refBatch), sink);
    expect(outcome.status).toBe('error');
    expect(String(sink.of('execution_error')[0]!.exception_message)).toMatch(message);
  });

  it('a folder that is not a scoring CLIP fails at the loader, saying what to put there', async () => {
    const broken = path.join(h.dirs.models, 'clip', 'text-only');
    await mkdir(broken, { recursive: true });
    await writeFile(path.join(broken, 'config.json'), JSON.stringify({ model_type: 'clip_text_model' }));
    const sink = new RecordingSink();
    const { outcome } = await h.run(
      { ...graph(), '1': { class_type: 'CLIPScoreModelLoader', inputs: { clip_name: 'text-only' } } },
      sink,
    );
    expect(outcome.status).toBe('error');
    const error = sink.of('execution_error')[0]!;
    expect(error.node_type).toBe('CLIPScoreModelLoader');
    expect(String(error.exception_message)).toMatch(
      /describes a "clip_text_model" model, not a CLIPModel .* Put a transformers CLIPModel: config.json and model.safetensors/,
    );
  });
});
