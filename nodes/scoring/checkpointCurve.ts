import { stat } from 'node:fs/promises';
import path from 'node:path';
import { SAMPLER_NAMES, samplerChoiceProblem, SCHEDULE_NAMES } from '../../server/diffusion/samplerRegistry';
import { defineNode, type PreviewImage } from '../../server/engine/nodeDefinition';
import { decodeImage, expectImage } from '../../server/image/imageIO';
import { checkpointCurve, type CurvePoint } from '../../server/scoring/checkpointCurve';
import { ClipScorer } from '../../server/scoring/clipScorer';
import { curveChartPng } from '../../server/scoring/curveChart';
import { promptLines, TOKEN_SLOT } from '../../server/scoring/curvePrompts';
import {
  bestPoint,
  curveCsv,
  CURVE_MEASURES,
  curveRecord,
  curveUiPoints,
  measureOf,
  type CurveMeasure,
} from '../../server/scoring/curveTable';
import { writeOutputFiles } from '../../server/scoring/scoresFile';
import { listStepEmbeddingFiles } from '../../server/sd/embeddings/stepEmbeddingFiles';
import { SHAPE_NAMES, type ShapeName } from '../../server/world';
import { expectFrozenModel } from '../nodeValues';
import { checkpointFolderProblem, curveFolder, curveStepFiles } from './curveFolder';

const ORACLE_CHOICES = ['none', ...SHAPE_NAMES] as const;

function expectScorer(value: unknown): ClipScorer {
  if (value instanceof ClipScorer) return value;
  throw new TypeError('input "clip_scorer" is not a CLIP_SCORER; connect a "Load CLIP for Scoring" node');
}

/** The chart of the points so far as a progress preview; none when no point has a `bestBy` score yet. */
async function chartPreview(
  points: readonly CurvePoint[],
  bestBy: CurveMeasure,
  title: string,
): Promise<PreviewImage | undefined> {
  const scored = points.some((p) => Number.isFinite(measureOf(p, bestBy)));
  return scored
    ? { format: 'PNG', data: await curveChartPng(points, bestPoint(points, bestBy), bestBy, title) }
    : undefined;
}

/**
 * Scores every step a textual-inversion run saved (`learned_embeds-steps-N.safetensors` in its checkpoint
 * folder): the same prompts and seed at each step, CLIP-I / CLIP-T and optionally the toy world's oracle,
 * drawn as a chart (shown on the node, IMAGE output) and kept as JSON + CSV in output/.
 */
export const textualInversionCheckpointCurve = defineNode({
  type: 'TextualInversionCheckpointCurve',
  displayName: 'Textual Inversion Checkpoint Curve',
  category: 'scoring',
  description:
    'Samples the prompts with the embedding of every saved training step (fixed seed) and plots CLIP-I, CLIP-T ' +
    'and, for the toy shapes model, the oracle rate against the step, marking the best step.',
  outputNode: true,
  inputs: {
    required: {
      model: ['MODEL'],
      clip: ['CLIP'],
      vae: ['VAE'],
      clip_scorer: ['CLIP_SCORER'],
      reference_images: [
        'IMAGE',
        { tooltip: 'The training images of the concept (CLIP-I compares to them).' },
      ],
      checkpoint_folder: [
        'STRING',
        {
          default: '',
          tooltip:
            'The trainer’s folder relative to output/, e.g. textual_inversion/my-toy-0123456789ab. Empty: the folder of the connected EMBEDDING’s token.',
        },
      ],
      prompts: [
        'STRING',
        {
          multiline: true,
          default: `a photo of ${TOKEN_SLOT}\na photo of ${TOKEN_SLOT} on a beach`,
          tooltip: `One prompt a line; ${TOKEN_SLOT} (or the token itself) stands for the learned token.`,
        },
      ],
      seed: ['INT', { default: 0, min: 0, max: Number.MAX_SAFE_INTEGER, tooltip: 'The same at every step.' }],
      steps: ['INT', { default: 20, min: 1, max: 10000, tooltip: 'Sampler steps per image.' }],
      cfg: ['FLOAT', { default: 7.5, min: 0, max: 100, step: 0.1, round: 0.01 }],
      sampler_name: [SAMPLER_NAMES, { default: 'euler' }],
      scheduler: [SCHEDULE_NAMES, { default: 'normal' }],
      size: ['INT', { default: 512, min: 16, max: 4096, step: 8, tooltip: 'Side of the square samples.' }],
      oracle_shape: [
        ORACLE_CHOICES,
        {
          default: 'none',
          tooltip:
            'Toy shapes model only: judge each sample with the world’s oracle for this shape (none: off).',
        },
      ],
      best_by: [CURVE_MEASURES, { default: 'clip_i', tooltip: 'The measure whose highest step is marked.' }],
      filename_prefix: [
        'STRING',
        {
          default: 'checkpoint-curve',
          tooltip: 'Name of the PNG, JSON and CSV in output/; may hold subfolders.',
        },
      ],
    },
    optional: {
      embedding: [
        'EMBEDDING',
        {
          tooltip:
            'From the trainer: locates its folder (when checkpoint_folder is empty) and runs the curve after it.',
        },
      ],
      images_per_prompt: ['INT', { default: 1, min: 1, max: 64 }],
    },
  },
  outputs: [
    { type: 'IMAGE', name: 'chart' },
    { type: 'INT', name: 'best_step' },
  ],
  tensorValues: (inputs) => Number(inputs.size) ** 2 * Number(inputs.images_per_prompt ?? 1) * 3,
  validateInputs: (inputs) => {
    const problems = [
      typeof inputs.checkpoint_folder === 'string'
        ? checkpointFolderProblem(inputs.checkpoint_folder)
        : undefined,
      typeof inputs.prompts === 'string' && promptLines(inputs.prompts).length === 0
        ? `prompts is empty; write one prompt a line with ${TOKEN_SLOT} where the learned token goes`
        : undefined,
      inputs.best_by === 'oracle' && inputs.oracle_shape === 'none'
        ? 'best_by is "oracle" but oracle_shape is "none"; pick the shape the token should draw, or rank by clip_i'
        : undefined,
      typeof inputs.sampler_name === 'string' && typeof inputs.scheduler === 'string'
        ? (samplerChoiceProblem(inputs.sampler_name, inputs.scheduler) ?? undefined)
        : undefined,
    ].filter((p) => p !== undefined);
    return problems.length ? problems.join('; ') : true;
  },
  // a folder named by string is read afresh when its step files change
  isChanged: async (inputs, ctx) => {
    const folder = String(inputs.checkpoint_folder ?? '');
    if (folder.trim() === '' || checkpointFolderProblem(folder)) return '';
    const dir = curveFolder(ctx.dirs.output, folder, undefined);
    const files = await listStepEmbeddingFiles(dir);
    const stamps = await Promise.all(
      files.map(async ({ file }) => {
        const s = await stat(file).catch(() => null);
        return `${path.basename(file)}:${s?.size}:${s?.mtimeMs}`;
      }),
    );
    return stamps.join('|');
  },
  execute: async (inputs, ctx) => {
    const dir = curveFolder(ctx.dirs.output, String(inputs.checkpoint_folder ?? ''), inputs.embedding);
    const files = await curveStepFiles(ctx.dirs.output, dir);
    const bestBy = String(inputs.best_by) as CurveMeasure;
    const oracle = String(inputs.oracle_shape);
    const oracleShape = oracle === 'none' ? undefined : (oracle as ShapeName);
    const sampling = {
      seed: Number(inputs.seed),
      steps: Number(inputs.steps),
      cfg: Number(inputs.cfg),
      samplerName: String(inputs.sampler_name),
      scheduler: String(inputs.scheduler),
      size: Number(inputs.size),
      imagesPerPrompt: Number(inputs.images_per_prompt ?? 1),
    };
    const folderName = path.relative(ctx.dirs.output, dir).split(path.sep).join('/');
    const title = `${folderName}: scores by training step`;
    ctx.progress(0, files.length);
    const soFar: CurvePoint[] = [];
    const points = await checkpointCurve({
      models: {
        unet: expectFrozenModel(inputs.model, 'model'),
        text: expectFrozenModel(inputs.clip, 'clip'),
        vae: expectFrozenModel(inputs.vae, 'vae'),
      },
      scorer: expectScorer(inputs.clip_scorer),
      reference: expectImage(inputs.reference_images, 'reference_images'),
      files,
      prompts: String(inputs.prompts),
      sampling,
      oracleShape,
      signal: ctx.signal,
      onPoint: async (point, done, total) => {
        ctx.emit('checkpoint_curve', {
          step: point.step,
          clip_i: point.clipI,
          clip_t: point.clipT,
          oracle: point.oracle ?? null,
        });
        soFar.push(point);
        const preview = await chartPreview(soFar, bestBy, title);
        ctx.progress(done, total, preview);
      },
    });
    const best = bestPoint(points, bestBy);
    const png = await curveChartPng(points, best, bestBy, title);
    const record = curveRecord(points, best, {
      best_by: bestBy,
      checkpoint_folder: folderName,
      prompts: promptLines(String(inputs.prompts)),
      seed: sampling.seed,
      steps: sampling.steps,
      cfg: sampling.cfg,
      sampler_name: sampling.samplerName,
      scheduler: sampling.scheduler,
      size: sampling.size,
      images_per_prompt: sampling.imagesPerPrompt,
      oracle_shape: oracleShape ?? null,
      clip_model: path.basename(expectScorer(inputs.clip_scorer).dir),
      prompt_id: ctx.promptId,
      node: ctx.nodeId,
      created: new Date().toISOString(),
    });
    const [chartRef, jsonRef, csvRef] = await writeOutputFiles(
      ctx.dirs.output,
      String(inputs.filename_prefix),
      [
        { extension: 'png', data: png },
        { extension: 'json', data: `${JSON.stringify(record, null, 2)}\n` },
        { extension: 'csv', data: curveCsv(points) },
      ],
    );
    return {
      outputs: [await decodeImage(png), best.step],
      ui: {
        images: [chartRef],
        files: [jsonRef, csvRef],
        best_step: [best.step],
        curve: curveUiPoints(points),
      },
    };
  },
});
