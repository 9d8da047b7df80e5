/**
 * The training nodes through the real validator and executor on the tiny model: a training graph streams
 * progress, loss and previews and saves an embedding; interrupt + resume; embedding files in and out; and
 * every bad input gives an error that names the problem.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { readEmbeddingFile } from '../../server/sd/embeddings/embeddingFile';
import { ensureTinyModels } from '../../server/sd/tiny/tinyModels';
import { validatePrompt } from '../../server/engine/validatePrompt';
import { loadTrainingCheckpoint } from '../../server/training/textualInversion/trainingCheckpoint';
import { nodeDefinitions } from '../../nodes/index';
import { trainingFolder } from '../../nodes/training/textualInversionTrainer';
import { createHarness, RecordingSink } from '../support/engineHarness';
import { fixturesDir } from '../support/referenceData';

type Harness = Awaited<ReturnType<typeof createHarness>>;
const seedEmbeddings = path.join(fixturesDir, 'seed-embeddings');

async function studioWithTinyModel(): Promise<Harness> {
  const h = await createHarness([...nodeDefinitions]);
  await ensureTinyModels(h.dirs.models, { clip: false, demoEmbedding: false });
  const train = path.join(h.dirs.input, 'train');
  fs.mkdirSync(train, { recursive: true });
  for (let i = 0; i < 3; i++) {
    const pixels = Buffer.alloc(96 * 80 * 3);
    for (let p = 0; p < pixels.length; p++) pixels[p] = (p * (7 + i) + i * 31) % 256;
    await sharp(pixels, { raw: { width: 96, height: 80, channels: 3 } })
      .png()
      .toFile(path.join(train, `img${i}.png`));
  }
  fs.mkdirSync(path.join(h.dirs.input, 'empty'));
  return h;
}

function trainingPrompt(overrides: Record<string, unknown> = {}, folder = 'train') {
  return {
    '1': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'tiny-sd.safetensors' } },
    '2': { class_type: 'LoadImagesFromFolder', inputs: { folder, size: 128 } },
    '3': {
      class_type: 'TextualInversionTrainer',
      inputs: {
        model: ['1', 0],
        clip: ['1', 1],
        vae: ['1', 2],
        images: ['2', 0],
        token: '<cat-toy>',
        initializer_token: 'toy',
        num_vectors: 1,
        template: 'object',
        steps: 4,
        learning_rate: 0.005,
        batch_size: 1,
        resolution: 128,
        seed: 3,
        gradient_accumulation: 1,
        lr_scheduler: 'constant',
        checkpoint_every: 2,
        preview_every: 2,
        resume: false,
        ...overrides,
      },
    },
    '4': {
      class_type: 'SaveEmbedding',
      inputs: { embedding: ['3', 0], filename: '', destination: 'embeddings' },
    },
  };
}

function errorMessage(sink: RecordingSink): string {
  return String(sink.of('execution_error')[0]?.exception_message);
}

describe('training nodes', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await studioWithTinyModel();
  });

  it('train → save: progress and ti_loss for every step, previews, checkpoint and the embedding file', async () => {
    const { outcome, sink } = await h.run(trainingPrompt());
    expect(outcome.status).toBe('success');
    const progress = sink.of('progress').filter((p) => p.node === '3');
    expect(progress.map((p) => p.value)).toEqual([0, 1, 2, 3, 4]);
    expect(progress.every((p) => p.max === 4)).toBe(true);
    const losses = sink.of('ti_loss');
    expect(losses.map((l) => [l.step, l.max_steps, l.lr, l.node])).toEqual(
      [1, 2, 3, 4].map((s) => [s, 4, 0.005, '3']),
    );
    expect(losses.every((l) => typeof l.loss === 'number' && Number.isFinite(l.loss))).toBe(true);
    expect(sink.previews.length).toBe(2);
    expect(sink.previews[0]!.format).toBe('JPEG');

    const checkpoint = loadTrainingCheckpoint(
      path.join(trainingFolder(h.dirs.output, '<cat-toy>'), 'checkpoint.json'),
    );
    expect(checkpoint.trainer.optimizerStep).toBe(4);
    expect(checkpoint.losses).toEqual(losses.map((l) => l.loss));
    const saved = readEmbeddingFile(path.join(h.dirs.models, 'embeddings', 'cat-toy.safetensors'));
    expect(saved.format).toBe('diffusers-safetensors');
    expect(saved.embeddings.map((e) => [e.token, e.numVectors, e.dim])).toEqual([
      ['<cat-toy>', 1, checkpoint.trainer.rows.length],
    ]);
    expect(Array.from(saved.embeddings[0]!.vectors)).toEqual(checkpoint.trainer.rows);
    expect(outcome.outputs['4']).toEqual({
      embeddings: [
        {
          filename: 'cat-toy.safetensors',
          subfolder: '',
          type: 'embeddings',
          tokens: [{ token: '<cat-toy>', num_vectors: 1, dim: saved.embeddings[0]!.dim }],
        },
      ],
    });
  });

  it('an interrupted run keeps a checkpoint and resume finishes with the same embedding', async () => {
    // another token name gives the same ids and rows, and keeps the engine from reusing the cached output
    const full = await h.run(
      trainingPrompt({ token: '<tabby-ref>', steps: 6, checkpoint_every: 0, preview_every: 0 }),
    );
    expect(full.outcome.status).toBe('success');
    const uninterrupted = loadTrainingCheckpoint(
      path.join(trainingFolder(h.dirs.output, '<tabby-ref>'), 'checkpoint.json'),
    ).trainer.rows;
    const token = { token: '<tabby>' };
    const file = path.join(trainingFolder(h.dirs.output, '<tabby>'), 'checkpoint.json');

    class InterruptAtStep3 extends RecordingSink {
      override event(type: string, data: Record<string, unknown>): void {
        super.event(type, data);
        if (type === 'ti_loss' && data.step === 3) h.executor.interrupt();
      }
    }
    const stopped = await h.run(
      trainingPrompt({ ...token, steps: 6, checkpoint_every: 0, preview_every: 0 }),
      new InterruptAtStep3(),
    );
    expect(stopped.outcome.status).toBe('interrupted');
    expect(loadTrainingCheckpoint(file).trainer.optimizerStep).toBe(3);

    const resumed = await h.run(
      trainingPrompt({ ...token, steps: 6, checkpoint_every: 0, preview_every: 0, resume: true }),
    );
    expect(resumed.outcome.status).toBe('success');
    expect(resumed.sink.of('ti_loss').map((l) => l.step)).toEqual([4, 5, 6]);
    const rows = loadTrainingCheckpoint(file).trainer.rows;
    expect(Math.max(...rows.map((v, i) => Math.abs(v - uninterrupted[i]!)))).toBeLessThanOrEqual(1e-6);
  });

  it('caption files beside the images join their training captions; resume refuses changed captions', async () => {
    const folder = path.join(h.dirs.input, 'captioned');
    fs.cpSync(path.join(h.dirs.input, 'train'), folder, { recursive: true });
    // every image captioned, so whichever the 2 steps draw has one (img1's file differs in spacing only)
    for (const i of [0, 2]) fs.writeFileSync(path.join(folder, `img${i}.txt`), 'on a red table');
    fs.writeFileSync(path.join(folder, 'img1.txt'), '  on a\n red   table \n');
    const rowsOf = (token: string) =>
      loadTrainingCheckpoint(path.join(trainingFolder(h.dirs.output, token), 'checkpoint.json')).trainer.rows;
    const settings = { steps: 2, checkpoint_every: 1, preview_every: 0 };
    for (const [token, dir] of [
      ['<plain-a>', 'train'],
      ['<plain-b>', 'train'],
      ['<captioned>', 'captioned'],
    ] as const) {
      expect((await h.run(trainingPrompt({ token, ...settings }, dir))).outcome.status).toBe('success');
    }
    // same images and seed: without captions the runs agree, the caption alone changes what is learned
    expect(rowsOf('<plain-b>')).toEqual(rowsOf('<plain-a>'));
    expect(rowsOf('<captioned>')).not.toEqual(rowsOf('<plain-a>'));

    fs.writeFileSync(path.join(folder, 'img0.txt'), 'on a blue table');
    const resumed = await h.run(
      trainingPrompt({ token: '<captioned>', ...settings, steps: 4, resume: true }, 'captioned'),
    );
    expect(resumed.outcome.status).toBe('error');
    expect(errorMessage(resumed.sink)).toContain('the training images or their captions differ');
  });

  it.each([
    ['a folder with no images', trainingPrompt({}, 'empty'), 'folder "empty" under input/ holds no images'],
    [
      'a token already in the vocabulary',
      trainingPrompt({ token: 'cat' }),
      'token "cat" is already in the vocabulary',
    ],
    [
      'a multi-token initializer',
      trainingPrompt({ initializer_token: 'sculpture' }),
      'initializer token "sculpture" is 6 tokens',
    ],
    [
      'resume without a checkpoint',
      trainingPrompt({ token: '<never-trained>', resume: true }),
      'no training checkpoint at',
    ],
  ])('names the problem for %s', async (_label, prompt, message) => {
    const { outcome, sink } = await h.run(prompt);
    expect(outcome.status).toBe('error');
    expect(errorMessage(sink)).toContain(message);
  });

  it('names a corrupt image file', async () => {
    const folder = path.join(h.dirs.input, 'broken');
    fs.mkdirSync(folder, { recursive: true });
    fs.writeFileSync(path.join(folder, 'bad.png'), 'not a png at all');
    const { outcome, sink } = await h.run(trainingPrompt({}, 'broken'));
    expect(outcome.status).toBe('error');
    expect(errorMessage(sink)).toMatch(/image "broken\/bad\.png" is not a readable image/);
  });

  it('refuses two trainers of one token in one prompt (they would share a checkpoint folder), not of two', async () => {
    const base = trainingPrompt();
    const twice = (token: string) => ({
      ...base,
      '13': { ...base['3'], inputs: { ...base['3'].inputs, token } },
      '14': { ...base['4'], inputs: { ...base['4'].inputs, embedding: ['13', 0] } },
    });
    const clash = await validatePrompt(twice('<cat-toy>'), h.registry);
    expect(clash.ok).toBe(false);
    expect(Object.keys(clash.nodeErrors).sort()).toEqual(['13', '3']);
    expect(clash.nodeErrors['3']!.errors[0]!.details).toMatch(
      /^nodes #3, #13 all write output\/textual_inversion\/cat-toy-[0-9a-f]{12}; give each its own/,
    );
    const apart = await validatePrompt(twice('<cat-toy-2>'), h.registry);
    expect(apart.ok).toBe(true);
  });

  it('LoadImageBatch loads the listed uploads as one square batch and names a missing one', async () => {
    const batch = (images: string) => ({
      '1': { class_type: 'LoadImageBatch', inputs: { images, size: 64 } },
      '2': { class_type: 'PreviewImage', inputs: { images: ['1', 0] } },
    });
    const ok = await h.run(batch('train/img0.png\n\n train/img2.png \n'));
    expect(ok.outcome.status).toBe('success');
    const previews = ok.outcome.outputs['2']!.images as { filename: string; subfolder: string }[];
    expect(previews.length).toBe(2);
    const missing = await h.run(batch('train/img0.png\ntrain/nope.png'));
    expect(missing.outcome.status).toBe('error');
    expect(errorMessage(missing.sink)).toContain('image "train/nope.png" not found in the input folder');
    const empty = await validatePrompt(batch('  \n'), h.registry);
    expect(JSON.stringify(empty)).toContain('images lists no file');
  });

  it.each([
    ['steps = 0', { steps: 0 }, 'value_smaller_than_min', 'steps: use a value of at least 1'],
    [
      'a token with spaces',
      { token: 'my token' },
      'custom_validation_failed',
      'token \\"my token\\" must be one word without spaces',
    ],
  ])('rejects %s at validation', async (_label, overrides, type, message) => {
    const result = await validatePrompt(trainingPrompt(overrides), h.registry);
    expect(result.ok).toBe(false);
    const errors = JSON.stringify(result);
    expect(errors).toContain(type);
    expect(errors).toContain(message);
  });
});

describe('embedding files through LoadEmbedding → SaveEmbedding', () => {
  const expected = JSON.parse(fs.readFileSync(path.join(seedEmbeddings, 'expected.json'), 'utf8')) as Record<
    string,
    { token: string; values: number[] }
  >;

  it.each(Object.keys(expected))(
    '%s is read to its recorded values and saved as the same safetensors',
    async (file) => {
      const h = await createHarness([...nodeDefinitions]);
      fs.mkdirSync(path.join(h.dirs.models, 'embeddings'), { recursive: true });
      fs.copyFileSync(path.join(seedEmbeddings, file), path.join(h.dirs.models, 'embeddings', file));
      const { outcome } = await h.run({
        '1': { class_type: 'LoadEmbedding', inputs: { embedding_name: file } },
        '2': {
          class_type: 'SaveEmbedding',
          inputs: { embedding: ['1', 0], filename: 'copy', destination: 'output' },
        },
      });
      expect(outcome.status).toBe('success');
      const copy = readEmbeddingFile(path.join(h.dirs.output, 'copy.safetensors'));
      const want = expected[file]!;
      expect(copy.embeddings.map((e) => [e.token, e.numVectors, e.dim])).toEqual([
        [want.token, 1, want.values.length],
      ]);
      expect(Array.from(copy.embeddings[0]!.vectors)).toEqual(Array.from(Float32Array.from(want.values)));
    },
  );
});
