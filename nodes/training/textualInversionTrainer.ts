import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { expectImage } from '../../server/image/imageIO';
import { LR_SCHEDULE_NAMES } from '../../server/training/optimizers/lrSchedule';
import { previewJpeg } from '../../server/image/previewJpeg';
import { frozenLatentEncoder } from '../../server/training/textualInversion/latentEncoder';
import {
  fillTemplate,
  promptTemplates,
  TEMPLATE_KINDS,
} from '../../server/training/textualInversion/promptTemplates';
import { renderTrainingPreview } from '../../server/training/textualInversion/trainingPreview';
import { trainableModelFromFrozen } from '../../server/training/textualInversion/trainableModel';
import { TrainingRun, type StepReport } from '../../server/training/textualInversion/trainingRun';
import {
  defineNode,
  type ExecutionContext,
  ExecutionInterruptedError,
  type PreviewImage,
} from '../../server/engine/nodeDefinition';
import { writeEmbeddingFile } from '../../server/sd/embeddings/embeddingWriter';
import { listStepEmbeddingFiles } from '../../server/sd/embeddings/stepEmbeddingFiles';
import type { FrozenModel } from '../../server/sd/model/frozenModel';
import { expectFrozenModel } from '../nodeValues';

/**
 * Folder of a token's checkpoint under output/: a readable slug plus a hash of the exact token
 * (`<cat-toy>` → `textual_inversion/cat-toy-3f1c…`), so `<probe>`, `probe` and `Probe` never share one.
 */
export function trainingFolder(outputDir: string, token: string): string {
  const slug =
    token
      .replace(/[^A-Za-z0-9_-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 64) || 'embedding';
  const digest = createHash('sha256').update(token, 'utf8').digest('hex').slice(0, 12);
  return path.join(outputDir, 'textual_inversion', `${slug}-${digest}`);
}

async function previewImage(
  models: { unet: FrozenModel; text: FrozenModel; vae: FrozenModel },
  run: TrainingRun,
  ctx: ExecutionContext,
): Promise<PreviewImage> {
  const caption = fillTemplate(promptTemplates(run.config.template)[0]!, run.placeholder.token);
  const image = await renderTrainingPreview(models, run.embedding(), {
    prompt: caption,
    size: run.config.resolution,
    seed: 0,
    signal: ctx.signal,
  });
  return { format: 'JPEG', data: await previewJpeg(image, 85) };
}

/**
 * The per-step embedding files of a run as UI output (`checkpoints`, in history): file refs under output/
 * with their step, for the training dashboard's checkpoint list.
 */
async function checkpointRefs(outputDir: string, folder: string) {
  const subfolder = path.relative(outputDir, folder).split(path.sep).join('/');
  return (await listStepEmbeddingFiles(folder)).map((f) => ({
    filename: path.basename(f.file),
    subfolder,
    type: 'output',
    step: f.step,
  }));
}

/**
 * Learns a new token from example images with the frozen model (diffusers' textual-inversion recipe),
 * streaming progress, the loss (`ti_loss` events) and preview images; checkpoints under
 * output/textual_inversion/<token>-<hash>/ so an interrupted run can resume, with the embedding of every
 * checkpoint step beside them (`learned_embeds-steps-N.safetensors`).
 */
export const textualInversionTrainer = defineNode({
  type: 'TextualInversionTrainer',
  displayName: 'Textual Inversion Trainer',
  category: 'training',
  description:
    'Learns embedding vectors for a new token from a few images. Only the new token is trained; the model stays frozen.',
  inputs: {
    required: {
      model: ['MODEL', { tooltip: 'The UNet the token is trained for (from Load Checkpoint).' }],
      clip: ['CLIP', { tooltip: 'Tokenizer and text encoder the token is added to.' }],
      vae: ['VAE', { tooltip: 'Encodes the training images once.' }],
      images: ['IMAGE', { tooltip: 'Example images of the concept (3–5 are typical).' }],
      token: [
        'STRING',
        {
          default: '<cat-toy>',
          tooltip: 'The new placeholder token; it must not be a word the tokenizer knows.',
        },
      ],
      initializer_token: [
        'STRING',
        { default: 'toy', tooltip: 'A single-token word the new vectors start from.' },
      ],
      num_vectors: [
        'INT',
        { default: 1, min: 1, max: 16, tooltip: 'Vectors per token (more capacity, slower to learn).' },
      ],
      template: [
        TEMPLATE_KINDS,
        {
          default: 'object',
          tooltip:
            'Caption templates: an object, a style, or a shape of the toy shapes world (short captions).',
        },
      ],
      steps: ['INT', { default: 1000, min: 1, max: 1_000_000, tooltip: 'Optimizer steps.' }],
      learning_rate: ['FLOAT', { default: 0.005, min: 1e-7, max: 10, step: 0.0001, round: false }],
      batch_size: ['INT', { default: 1, min: 1, max: 64 }],
      resolution: [
        'INT',
        {
          default: 512,
          min: 8,
          max: 2048,
          step: 8,
          tooltip:
            'Training images are centre-cropped and resized to this square (32 for the toy shapes model).',
        },
      ],
      seed: ['INT', { default: 0, min: 0, max: Number.MAX_SAFE_INTEGER, control_after_generate: true }],
      gradient_accumulation: [
        'INT',
        { default: 1, min: 1, max: 128, tooltip: 'Micro-batches per optimizer step.' },
      ],
      lr_scheduler: [LR_SCHEDULE_NAMES, { default: 'constant' }],
      checkpoint_every: [
        'INT',
        {
          default: 100,
          min: 0,
          max: 1_000_000,
          tooltip:
            'Save a resumable checkpoint and the embedding of that step (learned_embeds-steps-N.safetensors, for the Checkpoint Curve node) every N steps (0: only at the end).',
        },
      ],
      preview_every: [
        'INT',
        { default: 100, min: 0, max: 1_000_000, tooltip: 'Render a preview image every N steps (0: never).' },
      ],
      resume: [
        'BOOLEAN',
        { default: false, tooltip: 'Continue from this token’s last checkpoint with the same settings.' },
      ],
    },
    optional: {
      lr_warmup_steps: [
        'INT',
        { default: 0, min: 0, max: 1_000_000, tooltip: 'Warm-up steps of the lr schedule.' },
      ],
      max_norm: [
        'FLOAT',
        {
          default: 0,
          min: 0,
          max: 100,
          step: 0.01,
          round: false,
          tooltip:
            'Largest length a learned vector may reach; longer ones are scaled back after every step (0: no limit). Real token embeddings are short: a long vector drowns the rest of the prompt.',
        },
      ],
    },
  },
  outputs: [{ type: 'EMBEDDING', name: 'EMBEDDING' }],
  validateInputs: (inputs) => {
    const token = inputs.token;
    if (typeof token === 'string' && (token.length === 0 || /\s/.test(token))) {
      return `token "${token}" must be one word without spaces, e.g. "<cat-toy>"`;
    }
    if (typeof inputs.initializer_token === 'string' && inputs.initializer_token.trim() === '') {
      return 'initializer_token is empty; give a single-token word such as "toy"';
    }
    return true;
  },
  // a cached run whose checkpoint folder was deleted trains again
  cachedResultValid: async (_result, inputs, ctx) =>
    (await stat(path.join(trainingFolder(ctx.dirs.output, String(inputs.token)), 'checkpoint.json')).catch(
      () => null,
    )) !== null,
  // two trainers of one token in one prompt would share (and overwrite) one checkpoint folder
  writesTo: (inputs) =>
    typeof inputs.token === 'string'
      ? trainingFolder('output', inputs.token).split(path.sep).join('/')
      : undefined,
  execute: async (inputs, ctx) => {
    const unet = expectFrozenModel(inputs.model, 'model');
    const text = expectFrozenModel(inputs.clip, 'clip');
    const vae = expectFrozenModel(inputs.vae, 'vae');
    const token = String(inputs.token);
    const folder = trainingFolder(ctx.dirs.output, token);
    const steps = Number(inputs.steps);
    const previewEvery = Number(inputs.preview_every);
    ctx.progress(0, steps);
    const run = await TrainingRun.prepare({
      models: trainableModelFromFrozen(unet, text),
      tokenizer: text.newTokenizer(),
      encoder: frozenLatentEncoder(vae),
      images: expectImage(inputs.images, 'images'),
      schedulerConfig: unet.schedulerConfig,
      config: {
        placeholderToken: token,
        initializerToken: String(inputs.initializer_token),
        numVectors: Number(inputs.num_vectors),
        template: String(inputs.template) as (typeof TEMPLATE_KINDS)[number],
        steps,
        learningRate: Number(inputs.learning_rate),
        batchSize: Number(inputs.batch_size),
        resolution: Number(inputs.resolution),
        seed: Number(inputs.seed),
        gradientAccumulation: Number(inputs.gradient_accumulation),
        lrScheduler: String(inputs.lr_scheduler) as (typeof LR_SCHEDULE_NAMES)[number],
        lrWarmupSteps: Number(inputs.lr_warmup_steps ?? 0),
        maxNorm: Number(inputs.max_norm ?? 0),
        checkpointEvery: Number(inputs.checkpoint_every),
      },
      checkpointFile: path.join(folder, 'checkpoint.json'),
      stepEmbeddingsFolder: folder,
      resume: inputs.resume === true,
      provider: ctx.executionProvider,
      sizeMultiple: unet.info.vaeScaleFactor * unet.info.latentMultiple,
      signal: ctx.signal,
    });
    const onStep = async (report: StepReport): Promise<void> => {
      ctx.emit('ti_loss', {
        step: report.step,
        loss: report.loss,
        lr: report.lr,
        max_steps: report.maxSteps,
      });
      if (report.checkpointed)
        await writeEmbeddingFile(path.join(folder, 'learned_embeds.safetensors'), [run.embedding()]);
      const preview =
        previewEvery > 0 && (report.step % previewEvery === 0 || report.step === report.maxSteps)
          ? await previewImage({ unet, text, vae }, run, ctx)
          : undefined;
      ctx.progress(report.step, report.maxSteps, preview);
    };
    try {
      const embedding = await run.run({ signal: ctx.signal, onStep });
      const checkpoints = await checkpointRefs(ctx.dirs.output, folder);
      return { outputs: [embedding], ui: { loss: [...run.lossHistory], checkpoints } };
    } catch (error) {
      // the loss curve so far stays in history with the checkpoint
      if (ctx.signal.aborted) {
        const checkpoints = await checkpointRefs(ctx.dirs.output, folder);
        throw new ExecutionInterruptedError(undefined, { loss: [...run.lossHistory], checkpoints });
      }
      throw error;
    }
  },
});
