/**
 * Quality of the toy models measured by the world's oracle, never by eye: sample a fixed prompt grid with
 * fixed seeds and let the pixel-level classifier say whether the asked-for shape, colour and background
 * were drawn; VAE reconstruction PSNR on held-out renders (and whether the oracle still sees their shapes);
 * zero-shot accuracy of the scoring CLIP.
 */
import type { ClipScorer } from './clipScorer';
import { cosineMatrix, type EmbeddingBatch } from './cosineAverages';
import type { ImageTensor } from '../image/imageIO';
import type { FrozenModel } from '../sd/model/frozenModel';
import { encodePrompt, type Conditioning } from '../sd/model/promptEncoding';
import { decodeLatent, emptyLatent, encodeImage, runKSampler } from '../sd/model/sampling';
import {
  article,
  COLOUR_NAMES,
  hasContrast,
  judge,
  NAMED_SHAPES,
  SHAPE_NAMES,
  worldSamples,
  type ColourName,
  type Expectation,
  type Judgement,
  type RenderedImage,
  type ShapeName,
} from '../world';

/** Sampler settings the toy workflows ship with. */
export const TOY_SAMPLING = { steps: 20, cfg: 5, samplerName: 'euler', scheduler: 'normal' } as const;

/** A prompt and what the oracle should see in its image. */
export interface PromptCase {
  readonly prompt: string;
  readonly expect: Expectation;
}

/** "a red star on a blue background" (parts left out when not given). */
export function worldPrompt(parts: {
  shape: string;
  colour?: string;
  background?: string;
  size?: string;
}): string {
  const words = [parts.size, parts.colour, parts.shape].filter(Boolean) as string[];
  const tail = parts.background ? ` on ${article(parts.background)} ${parts.background} background` : '';
  return `${article(words[0]!)} ${words.join(' ')}${tail}`;
}

/** 48 prompts: every named shape × 8 colour/background pairs (all colours and backgrounds appear). */
export function promptGrid(): PromptCase[] {
  const shapes = NAMED_SHAPES as readonly ShapeName[];
  const colours = COLOUR_NAMES as readonly ColourName[];
  const cases: PromptCase[] = [];
  shapes.forEach((shape, k) => {
    for (let j = 0; j < 8; j++) {
      const colour = colours[(j + k) % colours.length]!;
      let offset = 3;
      while (!hasContrast(colour, colours[(j + k + offset) % colours.length]!)) offset += 1;
      const background = colours[(j + k + offset) % colours.length]!;
      cases.push({
        prompt: worldPrompt({ shape, colour, background }),
        expect: { shape, colour, background },
      });
    }
  });
  return cases;
}

export interface SampleOptions {
  readonly seed: number;
  readonly steps?: number;
  readonly cfg?: number;
  readonly samplerName?: string;
  readonly scheduler?: string;
  readonly negative?: string;
  /** How prompts become conditioning (default: the model's own encoder; pass one with embeddings). */
  readonly encode?: (text: string) => Promise<Conditioning>;
}

/** One image per prompt (seed + index), with the toy defaults; returns [n, h, w, 3] images. */
export async function sampleImages(
  model: FrozenModel,
  prompts: readonly string[],
  options: SampleOptions,
): Promise<ImageTensor> {
  const size = model.info.vaeScaleFactor * (model.configs?.unet.sample_size ?? 8);
  const encode = options.encode ?? ((text: string) => encodePrompt(model, text));
  const negative = await encode(options.negative ?? '');
  const images: Float32Array[] = [];
  for (let i = 0; i < prompts.length; i++) {
    const latent = await runKSampler(model, {
      positive: await encode(prompts[i]!),
      negative,
      latent: emptyLatent(size, size, 1, model.info.latentChannels, model.info.vaeScaleFactor),
      seed: options.seed + i,
      steps: options.steps ?? TOY_SAMPLING.steps,
      cfg: options.cfg ?? TOY_SAMPLING.cfg,
      samplerName: options.samplerName ?? TOY_SAMPLING.samplerName,
      scheduler: options.scheduler ?? TOY_SAMPLING.scheduler,
      denoise: 1,
    });
    images.push((await decodeLatent(model, latent)).data);
  }
  const out = new Float32Array(images.reduce((a, im) => a + im.length, 0));
  images.forEach((im, i) => out.set(im, i * im.length));
  return { data: out, shape: [prompts.length, size, size, 3] };
}

/** The i-th image of a batch as the oracle takes it. */
export function imageAt(images: ImageTensor, i: number): { rgb: Float32Array; size: number } {
  const [, h, w, c] = images.shape;
  if (h !== w || c !== 3) throw new Error(`the oracle judges square RGB images; got ${w}×${h}×${c}`);
  return { rgb: images.data.subarray(i * h * w * 3, (i + 1) * h * w * 3), size: h };
}

/** Accuracy per expected part over judged cases (NaN where no case asked for that part). */
export interface OracleAccuracy {
  readonly shape: number;
  readonly colour: number;
  readonly background: number;
  readonly size: number;
  readonly all: number;
  readonly count: number;
}

/** Share of cases in which each asked-for part holds. */
export function oracleAccuracy(judgements: readonly Judgement[]): OracleAccuracy {
  const rate = (key: keyof Expectation) => {
    const asked = judgements.filter((j) => j.holds[key] !== undefined);
    return asked.length ? asked.filter((j) => j.holds[key]).length / asked.length : NaN;
  };
  return {
    shape: rate('shape'),
    colour: rate('colour'),
    background: rate('background'),
    size: rate('size'),
    all: judgements.filter((j) => j.all).length / Math.max(1, judgements.length),
    count: judgements.length,
  };
}

/** Judges every image of a batch against one expectation. */
export function judgeImages(images: ImageTensor, expected: Expectation): Judgement[] {
  return Array.from({ length: images.shape[0]! }, (_, i) => judge(imageAt(images, i), expected));
}

/** Samples every case and judges it. */
export async function evaluatePrompts(
  model: FrozenModel,
  cases: readonly PromptCase[],
  options: SampleOptions,
): Promise<{ images: ImageTensor; judgements: Judgement[]; accuracy: OracleAccuracy }> {
  const images = await sampleImages(
    model,
    cases.map((c) => c.prompt),
    options,
  );
  const judgements = cases.map((c, i) => judge(imageAt(images, i), c.expect));
  return { images, judgements, accuracy: oracleAccuracy(judgements) };
}

/**
 * VAE encode → decode on `count` held-out world renders: mean PSNR (dB, images in [0, 1]) and the share of
 * reconstructions in which the oracle still sees the rendered shape (overall and per kind) — the ceiling of
 * what the generator can draw through this VAE, whatever its UNet learns.
 */
export async function vaeReconstruction(
  model: FrozenModel,
  count: number,
  seed: number,
): Promise<{ psnrDb: number; shape: number; byShape: Partial<Record<ShapeName, number>> }> {
  const samples = worldSamples(seed, count);
  let total = 0;
  const seen = new Map<ShapeName, { right: number; all: number }>();
  for (const s of samples) {
    const image: ImageTensor = { data: s.image.rgb, shape: [1, s.image.size, s.image.size, 3] };
    const decoded = await decodeLatent(model, await encodeImage(model, image));
    let mse = 0;
    for (let i = 0; i < s.image.rgb.length; i++) {
      const d = Math.min(1, Math.max(0, decoded.data[i]!)) - s.image.rgb[i]!;
      mse += d * d;
    }
    total += 10 * Math.log10(1 / Math.max(mse / s.image.rgb.length, 1e-10));
    const right = judge({ rgb: decoded.data, size: s.image.size }, { shape: s.scene.shape }).holds.shape;
    const tally = seen.get(s.scene.shape) ?? { right: 0, all: 0 };
    seen.set(s.scene.shape, { right: tally.right + (right ? 1 : 0), all: tally.all + 1 });
  }
  const tallies = [...seen.values()];
  return {
    psnrDb: total / count,
    shape: tallies.reduce((a, t) => a + t.right, 0) / count,
    byShape: Object.fromEntries([...seen].map(([k, t]) => [k, t.right / t.all])),
  };
}

/** Renders of the world as one image batch [n, size, size, 3] (all the same size). */
export function renderBatch(renders: readonly RenderedImage[]): ImageTensor {
  const size = renders[0]!.size;
  const data = new Float32Array(renders.length * size * size * 3);
  renders.forEach((r, i) => data.set(r.rgb, i * size * size * 3));
  return { data, shape: [renders.length, size, size, 3] };
}

/**
 * Zero-shot accuracy of a scoring CLIP on held-out renders: the shape among "a {shape}"; the colour among
 * "a {colour} {shape}" averaged over every shape (CLIP's prompt ensembling: the scoring vocabulary never says
 * "shape", so "a red shape" would ask about a word the model never saw).
 */
export async function clipZeroShot(
  scorer: ClipScorer,
  count: number,
  seed: number,
): Promise<{ shape: number; colour: number }> {
  const samples = worldSamples(seed, count, undefined, { vocabulary: 'scoring' });
  const images = await scorer.imageEmbeddings(renderBatch(samples.map((s) => s.image)));
  // per label, the normalised mean embedding of its prompts; each image picks the most similar label
  const pick = async <L extends string>(labels: readonly L[], prompts: (label: L) => string[]) => {
    const rows = await Promise.all(
      labels.map(async (label) => normalisedMean(await scorer.textEmbeddings(prompts(label)))),
    );
    const dim = rows[0]!.length;
    const centroids = new Float32Array(labels.length * dim);
    rows.forEach((r, i) => centroids.set(r, i * dim));
    return cosineMatrix(images, { data: centroids, shape: [labels.length, dim] }).map(
      (row) => labels[row.indexOf(Math.max(...row))]!,
    );
  };
  const shapes = await pick(SHAPE_NAMES, (shape) => [worldPrompt({ shape })]);
  const colours = await pick(COLOUR_NAMES, (colour) =>
    SHAPE_NAMES.map((shape) => worldPrompt({ shape, colour })),
  );
  return {
    shape: samples.filter((s, i) => s.scene.shape === shapes[i]).length / count,
    colour: samples.filter((s, i) => s.scene.colour === colours[i]).length / count,
  };
}

/** The unit-length mean of a batch's rows. */
function normalisedMean(batch: EmbeddingBatch): Float32Array {
  const [rows, dim] = batch.shape;
  const mean = new Float32Array(dim);
  for (let r = 0; r < rows; r++) for (let d = 0; d < dim; d++) mean[d]! += batch.data[r * dim + d]!;
  const norm = Math.hypot(...mean);
  return mean.map((v) => v / norm);
}
