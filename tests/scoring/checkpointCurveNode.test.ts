/**
 * TextualInversionCheckpointCurve through the real validator and executor on the tiny models: one training
 * run saves its steps, the curve scores each; a step's CLIP-I / CLIP-T equal what the existing nodes
 * (LoadEmbedding → CLIPTextEncode → KSampler → VAEDecode → CLIPScore) give for the same embedding, seed and
 * settings; the table, chart and progress agree; bad folders are refused naming the fix; interrupting stops
 * it before anything is written.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { nodeDefinitions } from '../../nodes/index';
import { trainingFolder } from '../../nodes/training/textualInversionTrainer';
import { validatePrompt } from '../../server/engine/validatePrompt';
import { createHarness, RecordingSink } from '../support/engineHarness';
import { trainingPrompt } from '../support/trainingStudio';

type Harness = Awaited<ReturnType<typeof createHarness>>;
type Prompt = Record<string, { class_type: string; inputs: Record<string, unknown> }>;

const TOKEN = '<curve-toy>';
const SAMPLING = { seed: 5, steps: 3, cfg: 6, sampler_name: 'euler', scheduler: 'normal' };

interface CurveJson {
  best_step: number;
  best_value: number;
  steps: {
    step: number;
    file: string;
    token: string;
    clip_i: number;
    clip_t: number;
    prompts: { prompt: string; clip_i: number; clip_t: number }[];
  }[];
}

/** Loader (1), training images (2), trainer (3: 4 steps, a checkpoint every 2), scoring CLIP (4). */
function trainingNodes(): Prompt {
  const { '4': _save, ...nodes } = trainingPrompt({
    token: TOKEN,
    steps: 4,
    learning_rate: 0.05,
    checkpoint_every: 2,
  });
  return { ...nodes, '4': { class_type: 'CLIPScoreModelLoader', inputs: { clip_name: 'tiny-clip' } } };
}

function curvePrompt(curve: Record<string, unknown>, withTraining = true): Prompt {
  const nodes = trainingNodes();
  if (!withTraining) delete nodes['3'];
  return {
    ...nodes,
    '5': {
      class_type: 'TextualInversionCheckpointCurve',
      inputs: {
        model: ['1', 0],
        clip: ['1', 1],
        vae: ['1', 2],
        clip_scorer: ['4', 0],
        reference_images: ['2', 0],
        checkpoint_folder: '',
        prompts: 'a photo of {token}\n{token} on a beach',
        ...SAMPLING,
        size: 64,
        oracle_shape: 'none',
        best_by: 'clip_i',
        filename_prefix: 'curves/tiny',
        ...curve,
      },
    },
  };
}

function errorMessage(sink: RecordingSink): string {
  return String(sink.of('execution_error')[0]?.exception_message);
}

describe('TextualInversionCheckpointCurve', () => {
  let h: Harness;
  let folder: string;
  let curve: CurveJson;

  beforeAll(async () => {
    h = await createHarness([...nodeDefinitions], { tinyModels: true });
    folder = path.relative(h.dirs.output, trainingFolder(h.dirs.output, TOKEN));
  });

  it('trains, then scores every saved step: table, CSV, chart and progress agree', async () => {
    const { outcome, sink } = await h.run(curvePrompt({ embedding: ['3', 0] }));
    expect(outcome.status).toBe('success');
    const ui = outcome.outputs['5'] as {
      images: { filename: string; subfolder: string; type: string }[];
      files: { filename: string; subfolder: string }[];
      best_step: number[];
      curve: unknown[];
    };
    expect(ui.images).toEqual([{ filename: 'tiny_00001_.png', subfolder: 'curves', type: 'output' }]);
    expect(ui.files.map((f) => `${f.subfolder}/${f.filename}`)).toEqual([
      'curves/tiny_00001_.json',
      'curves/tiny_00001_.csv',
    ]);
    const read = (name: string) => fs.readFileSync(path.join(h.dirs.output, 'curves', name), 'utf8');
    curve = JSON.parse(read('tiny_00001_.json')) as CurveJson;
    expect(curve.steps.map((s) => [s.step, s.file, s.token])).toEqual([
      [2, 'learned_embeds-steps-2.safetensors', TOKEN],
      [4, 'learned_embeds-steps-4.safetensors', TOKEN],
    ]);
    expect(curve.steps[0]!.prompts.map((p) => p.prompt)).toEqual([
      `a photo of ${TOKEN}`,
      `${TOKEN} on a beach`,
    ]);
    for (const s of curve.steps) {
      expect(s.clip_i).toBeCloseTo((s.prompts[0]!.clip_i + s.prompts[1]!.clip_i) / 2, 12);
      expect(s.clip_t).toBeCloseTo((s.prompts[0]!.clip_t + s.prompts[1]!.clip_t) / 2, 12);
    }
    const best = curve.steps.reduce((a, b) => (b.clip_i > a.clip_i ? b : a));
    expect([curve.best_step, curve.best_value, ui.best_step]).toEqual([best.step, best.clip_i, [best.step]]);
    expect(ui.curve).toEqual(curve.steps.map((s) => ({ step: s.step, clip_i: s.clip_i, clip_t: s.clip_t })));
    expect(read('tiny_00001_.csv')).toBe(
      `step,clip_i,clip_t\n${curve.steps.map((s) => `${s.step},${s.clip_i},${s.clip_t}\n`).join('')}`,
    );
    const chart = await sharp(
      fs.readFileSync(path.join(h.dirs.output, 'curves', 'tiny_00001_.png')),
    ).metadata();
    expect([chart.format, chart.width, chart.height]).toEqual(['png', 640, 360]);

    const progress = sink.of('progress').filter((p) => p.node === '5');
    expect(progress.map((p) => [p.value, p.max])).toEqual([
      [0, 2],
      [1, 2],
      [2, 2],
    ]);
    // the chart so far comes with each step's progress (the trainer sends no previews: preview_every 0)
    expect(sink.previews.map((p) => p.format)).toEqual(['PNG', 'PNG']);
    expect(sink.of('checkpoint_curve').map((e) => [e.step, e.clip_i, e.clip_t])).toEqual(
      curve.steps.map((s) => [s.step, s.clip_i, s.clip_t]),
    );
  });

  it("a step's scores equal the existing nodes' CLIP-I and CLIP-T of the same embedding, seed and settings", async () => {
    const embeddings = path.join(h.dirs.models, 'embeddings');
    fs.mkdirSync(embeddings, { recursive: true });
    fs.copyFileSync(
      path.join(h.dirs.output, folder, 'learned_embeds-steps-2.safetensors'),
      path.join(embeddings, 'curve-step-2.safetensors'),
    );
    const prompt = `${TOKEN} on a beach`;
    const nodes = trainingNodes();
    delete nodes['3'];
    const { outcome } = await h.run({
      ...nodes,
      '10': { class_type: 'LoadEmbedding', inputs: { embedding_name: 'curve-step-2.safetensors' } },
      '11': { class_type: 'CLIPTextEncode', inputs: { text: prompt, clip: ['1', 1], embedding: ['10', 0] } },
      '12': { class_type: 'CLIPTextEncode', inputs: { text: '', clip: ['1', 1] } },
      '13': { class_type: 'EmptyLatentImage', inputs: { width: 64, height: 64, batch_size: 1 } },
      '14': {
        class_type: 'KSampler',
        inputs: {
          ...SAMPLING,
          denoise: 1,
          model: ['1', 0],
          positive: ['11', 0],
          negative: ['12', 0],
          latent_image: ['13', 0],
        },
      },
      '15': { class_type: 'VAEDecode', inputs: { samples: ['14', 0], vae: ['1', 2] } },
      '16': {
        class_type: 'CLIPScore',
        inputs: {
          clip_scorer: ['4', 0],
          images: ['15', 0],
          reference_images: ['2', 0],
          prompt,
          placeholder: TOKEN,
        },
      },
    });
    expect(outcome.status).toBe('success');
    const scored = outcome.outputs['16'] as { clip_i: number[]; clip_t: number[] };
    const step2 = curve.steps[0]!.prompts[1]!;
    expect(step2.prompt).toBe(prompt);
    expect(Math.abs(step2.clip_t - scored.clip_t[0]!)).toBeLessThanOrEqual(1e-6);
    expect(Math.abs(step2.clip_i - scored.clip_i[0]!)).toBeLessThanOrEqual(1e-6);
    // the later step's embedding samples another image: the comparison is specific to step 2
    expect(curve.steps[1]!.prompts[1]!.clip_t).not.toBeCloseTo(scored.clip_t[0]!, 6);
  });

  it('reads a folder named by string, the same scores as through the EMBEDDING link', async () => {
    const { outcome } = await h.run(
      curvePrompt(
        { checkpoint_folder: folder, prompts: `a photo of ${TOKEN}`, filename_prefix: 'by-name' },
        false,
      ),
    );
    expect(outcome.status).toBe('success');
    const byName = JSON.parse(
      fs.readFileSync(path.join(h.dirs.output, 'by-name_00001_.json'), 'utf8'),
    ) as CurveJson;
    expect(byName.steps.map((s) => [s.step, s.clip_i, s.clip_t])).toEqual(
      curve.steps.map((s) => [s.step, s.prompts[0]!.clip_i, s.prompts[0]!.clip_t]),
    );
  });

  it('refuses a folder without step files, naming the folder and the fix', async () => {
    fs.mkdirSync(path.join(h.dirs.output, 'textual_inversion', 'empty-run'), { recursive: true });
    const { outcome, sink } = await h.run(
      curvePrompt({ checkpoint_folder: 'textual_inversion/empty-run' }, false),
    );
    expect(outcome.status).toBe('error');
    expect(errorMessage(sink)).toBe(
      'checkpoint folder output/textual_inversion/empty-run holds no learned_embeds-steps-N.safetensors files; ' +
        'train into it with TextualInversionTrainer (checkpoint_every > 0 saves one per checkpoint), or point ' +
        "checkpoint_folder at a trainer's folder under output/textual_inversion/",
    );
  });

  it.each(['../input', '/etc', 'textual_inversion/../../models'])(
    'refuses %s, outside output/',
    async (outside) => {
      const result = await validatePrompt(curvePrompt({ checkpoint_folder: outside }, false), h.registry);
      expect(result.ok).toBe(false);
      expect(JSON.stringify(result)).toContain(
        `checkpoint_folder \\"${outside}\\" is outside the output folder; give the trainer's folder relative to output/`,
      );
    },
  );

  it.each([
    [
      { prompts: ' \n ' },
      'prompts is empty; write one prompt a line with {token} where the learned token goes',
    ],
    [
      { best_by: 'oracle', oracle_shape: 'none' },
      'best_by is \\"oracle\\" but oracle_shape is \\"none\\"; pick the shape the token should draw',
    ],
  ])('refuses %j at validation, naming the fix', async (inputs, message) => {
    const result = await validatePrompt(
      curvePrompt({ checkpoint_folder: folder, ...inputs }, false),
      h.registry,
    );
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).toContain(message);
  });

  it('names a prompt that does not use the token', async () => {
    const { outcome, sink } = await h.run(
      curvePrompt(
        { checkpoint_folder: folder, prompts: 'a photo of a cat', filename_prefix: 'no-token' },
        false,
      ),
    );
    expect(outcome.status).toBe('error');
    expect(errorMessage(sink)).toContain(
      `prompt "a photo of a cat" names neither {token} nor "${TOKEN}", so it does not use the learned token`,
    );
  });

  it('reuses its result while the step files stay, and runs again when one changes', async () => {
    const prompt = curvePrompt(
      { checkpoint_folder: folder, prompts: 'a {token}', filename_prefix: 'cached' },
      false,
    );
    const ran = async () =>
      (await h.run(prompt)).sink.of('progress').filter((p) => p.node === '5').length > 0;
    expect(await ran()).toBe(true);
    expect(await ran()).toBe(false);
    const file = path.join(h.dirs.output, folder, 'learned_embeds-steps-4.safetensors');
    fs.copyFileSync(path.join(h.dirs.output, folder, 'learned_embeds-steps-2.safetensors'), file);
    expect(await ran()).toBe(true);
  });

  it('stops when interrupted, before writing its files', async () => {
    class InterruptAtFirstStep extends RecordingSink {
      override event(type: string, data: Record<string, unknown>): void {
        super.event(type, data);
        if (type === 'progress' && data.node === '5' && data.value === 1) h.executor.interrupt();
      }
    }
    const { outcome, sink } = await h.run(
      curvePrompt({ checkpoint_folder: folder, filename_prefix: 'stopped' }, false),
      new InterruptAtFirstStep(),
    );
    expect(outcome.status).toBe('interrupted');
    expect(sink.of('checkpoint_curve').length).toBe(1);
    expect(fs.readdirSync(h.dirs.output).filter((f) => f.startsWith('stopped'))).toEqual([]);
  });
});
