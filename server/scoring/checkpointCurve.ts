/**
 * Scores of a training run's saved steps, so the best one is picked by numbers instead of by eye: for
 * every per-step embedding file, sample the same prompts with the same seed and score each image batch
 * with CLIP-I (against the training images) and CLIP-T (against its prompt, placeholder removed), and,
 * when a shape is asked for, the toy world's oracle (share of images showing that shape).
 */
import type { ImageTensor } from '../image/imageIO';
import { readEmbeddingFile, type TextualInversionEmbedding } from '../sd/embeddings/embeddingFile';
import type { StepEmbeddingFile } from '../sd/embeddings/stepEmbeddingFiles';
import type { FrozenModel } from '../sd/model/frozenModel';
import { encodePrompt, type Conditioning } from '../sd/model/promptEncoding';
import { decodeLatent, emptyLatent, runKSampler } from '../sd/model/sampling';
import { judge, type ShapeName } from '../world';
import type { ClipScorer } from './clipScorer';
import { curvePrompts } from './curvePrompts';
import { imageAt } from './toyWorldEvaluation';

/** The checkpoint's three parts (CheckpointLoaderSimple's MODEL, CLIP and VAE). */
export interface CurveModels {
  readonly unet: FrozenModel;
  readonly text: FrozenModel;
  readonly vae: FrozenModel;
}

/** How every prompt is sampled, the same at every step. */
export interface CurveSampling {
  readonly seed: number;
  readonly steps: number;
  readonly cfg: number;
  readonly samplerName: string;
  readonly scheduler: string;
  /** Side of the square images (pixels). */
  readonly size: number;
  readonly imagesPerPrompt: number;
}

/** The scores of one prompt's images. */
export interface PromptScores {
  readonly prompt: string;
  readonly clipI: number;
  readonly clipT: number;
  /** Share of images the oracle reads as the asked-for shape (absent without an oracle shape). */
  readonly oracle?: number;
}

/** One point of the curve: a saved step and its scores, each the mean over the prompts. */
export interface CurvePoint {
  readonly step: number;
  readonly file: string;
  readonly token: string;
  readonly clipI: number;
  readonly clipT: number;
  readonly oracle?: number;
  readonly prompts: readonly PromptScores[];
}

export interface CheckpointCurveOptions {
  readonly models: CurveModels;
  readonly scorer: ClipScorer;
  /** The training images (CLIP-I's references), NHWC in [0, 1]. */
  readonly reference: ImageTensor;
  /** The saved steps, in the order they are scored. */
  readonly files: readonly StepEmbeddingFile[];
  /** One prompt a line, `{token}` where the learned token goes (see curvePrompts.ts). */
  readonly prompts: string;
  readonly sampling: CurveSampling;
  /** Judge every image with the toy world's oracle against this shape. */
  readonly oracleShape?: ShapeName;
  readonly signal?: AbortSignal;
  /** After each step is scored: the point, steps done and steps in all (awaited). */
  readonly onPoint?: (point: CurvePoint, done: number, total: number) => void | Promise<void>;
  /** Every sampled batch, before it is scored (for tests and previews). */
  readonly onSamples?: (step: number, prompt: string, images: ImageTensor) => void;
}

/** The single embedding a per-step file holds. */
function stepEmbedding(file: string): TextualInversionEmbedding {
  const { embeddings } = readEmbeddingFile(file);
  if (embeddings.length !== 1)
    throw new Error(
      `${file} holds ${embeddings.length} tokens; a per-step file of the trainer holds exactly one (retrain to rewrite it)`,
    );
  return embeddings[0]!;
}

const mean = (values: readonly number[]) => values.reduce((s, v) => s + v, 0) / values.length;

async function sampleBatch(
  models: CurveModels,
  positive: Conditioning,
  negative: Conditioning,
  sampling: CurveSampling,
  signal: AbortSignal | undefined,
): Promise<ImageTensor> {
  const { unet, vae } = models;
  const latent = await runKSampler(unet, {
    positive,
    negative,
    latent: emptyLatent(
      sampling.size,
      sampling.size,
      sampling.imagesPerPrompt,
      unet.info.latentChannels,
      unet.info.vaeScaleFactor,
    ),
    seed: sampling.seed,
    steps: sampling.steps,
    cfg: sampling.cfg,
    samplerName: sampling.samplerName,
    scheduler: sampling.scheduler,
    denoise: 1,
    signal,
  });
  return decodeLatent(vae, latent);
}

/** Share of the batch's images that the oracle reads as `shape`. */
function oracleRate(images: ImageTensor, shape: ShapeName): number {
  const n = images.shape[0];
  let hits = 0;
  for (let i = 0; i < n; i++) if (judge(imageAt(images, i), { shape }).holds.shape) hits += 1;
  return hits / n;
}

/** Samples and scores every saved step (see the module comment); returns one point per file. */
export async function checkpointCurve(options: CheckpointCurveOptions): Promise<CurvePoint[]> {
  const { models, scorer, sampling, oracleShape, signal } = options;
  const negative = await encodePrompt(models.text, '');
  const points: CurvePoint[] = [];
  for (const { step, file } of options.files) {
    signal?.throwIfAborted();
    const embedding = stepEmbedding(file);
    const prompts: PromptScores[] = [];
    for (const prompt of curvePrompts(options.prompts, embedding.token)) {
      signal?.throwIfAborted();
      const positive = await encodePrompt(models.text, prompt, { embeddings: [embedding] });
      const images = await sampleBatch(models, positive, negative, sampling, signal);
      options.onSamples?.(step, prompt, images);
      const scores = await scorer.score({
        generated: images,
        reference: options.reference,
        prompt,
        placeholders: [embedding.token],
      });
      prompts.push({
        prompt,
        clipI: scores.clipI,
        clipT: scores.clipT,
        ...(oracleShape ? { oracle: oracleRate(images, oracleShape) } : {}),
      });
    }
    const point: CurvePoint = {
      step,
      file,
      token: embedding.token,
      clipI: mean(prompts.map((p) => p.clipI)),
      clipT: mean(prompts.map((p) => p.clipT)),
      ...(oracleShape ? { oracle: mean(prompts.map((p) => p.oracle!)) } : {}),
      prompts,
    };
    points.push(point);
    await options.onPoint?.(point, points.length, options.files.length);
  }
  return points;
}
