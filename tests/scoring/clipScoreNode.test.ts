/**
 * CLIPScoreModelLoader → CLIPScore through the real validator and executor, with the dataset's scoring
 * CLIP copied into a models folder and the tiny tokenizer beside it. Expected scores are computed here from
 * the scorer's embeddings with plain dot products; bad inputs must fail naming the problem.
 */
import { copyFile, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { ImageTensor } from '../../server/image/imageIO';
import { listClipScoringModels } from '../../server/scoring/clipModelFolder';
import { ClipScorer } from '../../server/scoring/clipScorer';
import type { EmbeddingBatch } from '../../server/scoring/cosineAverages';
import { defineNode } from '../../server/engine/nodeDefinition';
import { buildTinyVocabulary, writeTokenizerFiles } from '../../server/sd/tokenizer/tinyVocabulary';
import { clipScore } from '../../nodes/scoring/clipScore';
import { clipScoreModelLoader } from '../../nodes/scoring/clipLoader';
import { createHarness, RecordingSink } from '../support/engineHarness';
import { clipSkipReason, datasetClipDir } from './clipScoringSupport';

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

/** The mean over all row pairs of a·b (the embeddings are unit length, so this is the mean cosine). */
function meanDot(a: EmbeddingBatch, b: EmbeddingBatch): number {
  const [rowsA, dim] = a.shape;
  const rowsB = b.shape[0];
  let sum = 0;
  for (let i = 0; i < rowsA; i++)
    for (let j = 0; j < rowsB; j++)
      for (let k = 0; k < dim; k++) sum += a.data[i * dim + k]! * b.data[j * dim + k]!;
  return sum / (rowsA * rowsB);
}

const scoresFileSchema = z.object({
  clip_i: z.number(),
  clip_t: z.number(),
  prompt: z.string(),
  scored_prompt: z.string(),
  images: z.number(),
  reference_images: z.number(),
  per_image: z.array(z.object({ clip_i: z.number(), clip_t: z.number() })),
});

describe.skipIf(skipReason !== undefined)('CLIPScore node (dataset CLIP)', () => {
  let h: Awaited<ReturnType<typeof createHarness>>;
  beforeAll(async () => {
    h = await createHarness([clipScoreModelLoader, clipScore, testPattern]);
    const modelDir = path.join(h.dirs.models, 'clip', 'tiny-clip');
    await mkdir(modelDir, { recursive: true });
    for (const f of ['config.json', 'model.safetensors'])
      await copyFile(path.join(datasetClipDir, f), path.join(modelDir, f));
    const config = z
      .object({ text_config: z.looseObject({ vocab_size: z.number().int() }) })
      .parse(JSON.parse(await readFile(path.join(datasetClipDir, 'config.json'), 'utf8')));
    // the tiny vocabulary: 512 byte symbols + merges + BOS + EOS = the tower's vocab_size
    const vocab = buildTinyVocabulary(config.text_config.vocab_size - 514);
    await writeTokenizerFiles(path.join(h.dirs.models, 'tokenizers', 'clip'), vocab);
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

  it('lists the model, scores like the embeddings say and writes scores_00001_.json', async () => {
    expect(await listClipScoringModels(h.dirs.models)).toEqual(['tiny-clip']);
    const { outcome } = await h.run(graph());
    expect(outcome.status).toBe('success');
    const ui = outcome.outputs['4']!;
    console.log(`[scores] clip_i ${ui.clip_i![0]} clip_t ${ui.clip_t![0]}`);

    const direct = ClipScorer.open(path.join(h.dirs.models, 'clip', 'tiny-clip'), {
      modelsDir: h.dirs.models,
      provider: 'cpu',
    });
    const generated = await direct.imageEmbeddings(pattern(1, 2, 40, 56));
    const reference = await direct.imageEmbeddings(pattern(7, 3, 64, 48));
    const text = await direct.textEmbeddings(['a photo of on the beach']);
    await direct.close();
    const clipI = meanDot(generated, reference);
    const clipT = meanDot(generated, text);
    expect(ui.clip_i![0]).toBeCloseTo(clipI, 6);
    expect(ui.clip_t![0]).toBeCloseTo(clipT, 6);
    // random tiny weights: the scores are not trivially equal
    expect(Math.abs(clipI - clipT)).toBeGreaterThan(1e-3);

    expect(ui.files).toEqual([{ filename: 'scores_00001_.json', subfolder: '', type: 'output' }]);
    const saved = scoresFileSchema.parse(
      JSON.parse(await readFile(path.join(h.dirs.output, 'scores_00001_.json'), 'utf8')),
    );
    expect(saved).toMatchObject({
      clip_i: ui.clip_i![0],
      clip_t: ui.clip_t![0],
      scored_prompt: 'a photo of on the beach',
      images: 2,
      reference_images: 3,
    });
    expect(saved.per_image).toHaveLength(2);
    expect((saved.per_image[0]!.clip_i + saved.per_image[1]!.clip_i) / 2).toBeCloseTo(clipI, 6);
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

describe.runIf(skipReason !== undefined)('CLIPScore node (dataset CLIP)', () => {
  it.skip(`skipped: ${skipReason}`, () => {});
});
