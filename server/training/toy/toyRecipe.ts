/**
 * The recipe of the toy models, stage by stage: two CLIPs (the generator's text encoder, trained on captions
 * that never name the concept shape; the scoring CLIP, trained with every shape named), the VAE, then the
 * UNet on VAE latents conditioned on the frozen text tower (10 % empty captions, so guidance works).
 */
import { ort, createSession } from '../../onnx/sessions';
import { addNoise } from '../../diffusion/noiseSchedule';
import { trainingSchedule, trainingTarget } from '../textualInversion/trainingTarget';
import { buildTextEncoder, buildVaeEncoder } from '../../sd/graphs';
import { randomWeights } from '../../sd/tiny/randomWeights';
import {
  clipModelParameterShapes,
  unetParameterShapes,
  vaeParameterShapes,
} from '../../sd/weights/parameterShapes';
import { MemoryWeightSource, type MemoryTensor } from '../../sd/weights/weightSource';
import { WorldRng, type CaptionVocabulary, type SceneConstraints } from '../../world';
import {
  clipLossModel,
  LOSS_IO,
  unetLossModel,
  vaeDecoderLossModel,
  vaeLossModel,
} from '../weights/lossModels';
import { TOY_IMAGE_SIZE, toyClipConfig, toyModelConfigs } from './toyConfigs';
import { sumSeconds, trainStage, type StageResult, type StageSettings } from './toyStage';
import { captionPositives, clipPixels, stepNoise, toyCaptionIds, worldBatch } from './worldBatches';
import { minSnrWeights } from '../weights/minSnrWeights';
import type { WeightStepReport } from '../weights/trainWeights';
import type { ModelFamily } from '../../sd/weights/modelFamily';

/**
 * The CLIPs' curriculum. With shape and colours drawn at random, contrastive training matches images by
 * colour alone and the vision tower never sees the shapes (zero-shot shape accuracy at chance after 1200
 * steps, measured); the text tower then gives every shape word the same states, and the UNet has no shape
 * to condition on. So the first phase fixes the colours (shapes are the only signal), the second allows a
 * few, and the third is the whole world (measured with 600 steps each: zero-shot shape 18 % → 48 % → 82 %).
 * The third runs 2400 steps: after 1200, a UNet trained for an hour on the tower drew the wrong background for
 * half the grid prompts (48 % and 52 % right on two seeds; 100 % on both after 2400). The tower decides which
 * attribute the UNet learns first: its states then separate backgrounds more (mean relative distance 0.72 →
 * 1.00) and shapes a little less (0.89 → 0.85).
 */
export const CLIP_CURRICULUM: readonly ClipPhase[] = [
  { steps: 600, shapeOnlyRate: 1, constraints: { colour: 'red', background: 'blue' } },
  {
    steps: 600,
    shapeOnlyRate: 1,
    constraints: { colour: ['red', 'green', 'white', 'yellow'], background: ['blue', 'black', 'purple'] },
  },
  { steps: 2400, shapeOnlyRate: 0.5, constraints: {} },
];

/** Step budgets and hyper-parameters of every stage (changing one retrains that stage and those after it). */
export const TOY_RECIPE = {
  textClip: { phases: CLIP_CURRICULUM, batch: 64, lr: 2e-3, warmup: 10, seed: 101 },
  /**
   * The scoring CLIP's third phase is longer and names colours more often (30 % shape-only captions): after
   * the text CLIP's 1200 steps at 50 %, it picked the right colour zero-shot for only 45 % of renders. The
   * fourth drops the shape word from 30 % of captions ("a small red on a blue background"), because CLIP-T
   * scores a prompt with its placeholder deleted: a CLIP that had always seen the shape named read "a small"
   * as some shape, scoring small triangles 0.61 and small hearts 0.06 against it, small rings 0.19, so no word
   * that drew the ring could keep the initializer's CLIP-T. After the fourth phase every kind scores
   * 0.40–0.41 against "a small" and a wrong background costs 0.30 against "a on a green background"; zero-shot
   * shape / colour on 256 held-out renders go from 93 / 93 % (after the third) to 95 / 98 %. Half its captions
   * name only the shape: with 30 % (and 1200 steps) shape fell to 91 % (91 / 94 / 91 % on three seeds against
   * 95 / 95 / 97 %).
   */
  scoringClip: {
    phases: [
      ...CLIP_CURRICULUM.slice(0, 2),
      { steps: 3000, shapeOnlyRate: 0.3, constraints: {} },
      { steps: 2400, shapeOnlyRate: 0.5, shapelessRate: 0.3, constraints: {} },
    ] satisfies readonly ClipPhase[],
    batch: 64,
    lr: 2e-3,
    warmup: 10,
    seed: 202,
  },
  vae: { steps: 700, batch: 32, lr: 2e-3, warmup: 30, seed: 303 },
  /**
   * The VAE decoder fine-tuned with the encoder frozen (SD's ft-MSE VAE did the same): sharper images from
   * the same latents, so the UNet trained on them stays valid. PSNR on held-out renders 24.5 → 29.3 dB after 1500
   * steps (28.4 dB after the 1000 it runs now); the oracle then sees the shape in 100 % of reconstructions (86 %
   * before: squares and stars lost corners).
   */
  vaeDecoder: { steps: 1000, batch: 32, lr: 1e-3, warmup: 30, seed: 304 },
  /**
   * The UNet: one phase of 10 000 steps, lr 3e-3 (warm-up 200, cosine), min-SNR-γ weights (γ = 5), logit-normal
   * timesteps, kinds named 95 % of the time. The recipe before (34 800 steps in ten phases at lr ≤ 1.5e-3, about
   * 5 h on two cores) reached colour 100 %, background 96 %, shape 90 %; what it showed, kept here: shape comes
   * last (after four phases colour 83 %, shape 33 %); timesteps at middle noise, where layout forms, added
   * shape where uniform ones did not; the world's captions call a named kind "shape" 30 % of the time, so
   * "shape" alone is the unnamed ring in only 36 % of them and textual inversion from it reached 50 % rings:
   * naming the kinds 95 % of the time (as people call a circle a circle) makes "shape" the ring in 77 %; and a
   * vector textual inversion grows without a norm limit falls below its initializer. One hour leaves a third of
   * those steps: the higher lr, min-SNR weights (high-noise steps, where layout forms, weigh more) and the
   * naming from the start make up for it. Measured on the grid (seeds 1000 / 2000) with this text tower: shape
   * 63 / 58 % after 8000 uniform steps; after 10 000, 81 / 81 % uniform and 85 / 88 % logit-normal (colour and
   * background 100 % in all).
   */
  unet: [
    {
      steps: 10_000,
      batch: 32,
      lr: 3e-3,
      warmup: 200,
      seed: 404,
      shapeNameRate: 0.95,
      snrGamma: 5,
      timesteps: 'logit-normal',
    },
  ] satisfies readonly UnetPhase[],
  /**
   * The SD 2.x twin's UNet: SD 2.x's structure (linear projections, 16 channels per head) with v-prediction,
   * conditioned on the same text tower run as SD 2.x runs OpenCLIP (exact gelu, "!" padding). It starts from
   * the SD 1.x UNet's weights, as SD 2.0-v was resumed from SD 2.0-base and trained to the v objective. After
   * 1000 steps it drew the grid at colour 100 %, background 96 %, shape 77 %, but textual inversion on it raised
   * CLIP-I by only 0.037 over the untrained word (0.566 against 0.529), so it trains 3000.
   */
  unetSd2: [
    { steps: 3000, batch: 32, lr: 1e-3, warmup: 50, seed: 501, shapeNameRate: 0.95, snrGamma: 5 },
  ] satisfies readonly UnetPhase[],
  /** KL weight of the VAE (per image value; small: the latents should stay close to deterministic). */
  klWeight: 1e-5,
  /** exp(logit_scale) of both CLIPs, fixed during training (see clipLossModel). */
  clipTemperature: 20,
  /** Share of UNet training captions replaced by "" (classifier-free guidance). */
  uncondRate: 0.1,
} as const;

/**
 * The stages' step budgets and settings a pipeline run trains with: TOY_RECIPE's, or (in tests) tiny ones of
 * the same form.
 */
export interface ToyStageRecipe {
  readonly textClip: ClipStageSettings;
  readonly scoringClip: ClipStageSettings;
  readonly vae: StageSettings;
  readonly vaeDecoder: StageSettings;
  readonly unet: readonly UnetPhase[];
  readonly unetSd2: readonly UnetPhase[];
}

/**
 * One phase of the CLIP curriculum: its steps, share of shape-only captions, share of captions without the
 * shape word (none when absent) and scene constraints.
 */
export interface ClipPhase {
  readonly steps: number;
  readonly shapeOnlyRate: number;
  readonly shapelessRate?: number;
  readonly constraints: SceneConstraints;
}

/**
 * One UNet phase. `timesteps`: how training timesteps are drawn — uniformly (the default, as SD was trained)
 * or logit-normal (SD 3's choice: most samples at middle noise levels, where the layout of the image forms).
 */
export interface UnetPhase extends StageSettings {
  readonly timesteps?: 'uniform' | 'logit-normal';
  /** How often captions call a named kind by its name rather than "shape" (default: the world's 0.7). */
  readonly shapeNameRate?: number;
  /** γ of min-SNR-γ loss weighting (diffusers' `--snr_gamma`); plain MSE when absent. */
  readonly snrGamma?: number;
}

/** The SD 2.x twin of a UNet run: its family and the weights (with their recipe key) it starts from. */
export interface UnetTwin {
  readonly family: ModelFamily;
  readonly init: { readonly weights: Weights; readonly recipe: string };
}

/**
 * SD 1.x UNet weights as an SD 2.x UNet holds them: the transformers' proj_in / proj_out are the same
 * matrices, stored as Linear weights [out, in] instead of 1×1 Conv weights [out, in, 1, 1].
 */
export function linearProjections(weights: Weights): Weights {
  const out: Weights = new Map();
  for (const [name, w] of weights) {
    const projection = /\.proj_(in|out)\.weight$/.test(name) && w.dims.length === 4;
    out.set(name, projection ? { data: w.data, dims: w.dims.slice(0, 2) } : w);
  }
  return out;
}

/** A training timestep in [0, n) drawn as `kind` says. */
export function drawTimestep(rng: WorldRng, n: number, kind: UnetPhase['timesteps'] = 'uniform'): number {
  if (kind === 'uniform') return rng.int(n);
  const u = 1 / (1 + Math.exp(-rng.normal()));
  return Math.min(n - 1, Math.floor(u * n));
}

/** A CLIP stage: the common settings and its phases (each trained as its own resumable stage). */
export interface ClipStageSettings extends Omit<StageSettings, 'steps'> {
  readonly phases: readonly ClipPhase[];
}

export type Weights = Map<string, { data: Float32Array; dims: readonly number[] }>;

/** Hooks of a run: progress per step, interruption. */
export interface StageHooks {
  readonly workDir: string;
  readonly onStep?: (stage: string, report: WeightStepReport) => void;
  readonly signal?: AbortSignal;
  readonly threads?: number;
}

const size = TOY_IMAGE_SIZE;
/** Side of the toy VAE's latents (it halves the image per block after the first). */
const latentSide = () => size / 2 ** (toyModelConfigs().vae.block_out_channels.length - 1);

/** A weight source over trained weights. */
export function weightSource(label: string, weights: Weights): MemoryWeightSource {
  const tensors = new Map<string, MemoryTensor>();
  for (const [name, w] of weights) tensors.set(name, { shape: w.dims, data: w.data });
  return new MemoryWeightSource(label, tensors);
}

/**
 * What each stage's result depends on besides its settings (model configs, fixed hyper-parameters, frozen
 * inputs): part of the stage's recipe key, so a changed config retrains instead of reusing stale weights.
 */
export const STAGE_DEPENDENCIES = {
  clip: () => JSON.stringify({ config: toyClipConfig(), temperature: TOY_RECIPE.clipTemperature }),
  vae: () => JSON.stringify({ config: toyModelConfigs().vae, klWeight: TOY_RECIPE.klWeight }),
  /** `textRecipe`: the recipe key of the text CLIP whose tower conditions the UNet. */
  unet: (scalingFactor: number, textRecipe: string, family: ModelFamily = 'sd1') => {
    const configs = toyModelConfigs(scalingFactor, family);
    return JSON.stringify({
      config: configs.unet,
      ...(family === 'sd2' ? { text: configs.textEncoder, family } : {}),
      scalingFactor,
      uncondRate: TOY_RECIPE.uncondRate,
      textRecipe,
    });
  },
} as const;

/** The weights a weight source holds, read into memory (the inverse of `weightSource`). */
export function weightsOf(source: MemoryWeightSource): Weights {
  const out: Weights = new Map();
  for (const key of source.names()) out.set(key, { data: source.read(key), dims: source.shape(key) });
  return out;
}

/** Random CLIP weights with the temperature fixed at exp(logit_scale) = TOY_RECIPE.clipTemperature. */
function clipInit(name: string, seed: number): Weights {
  return withTemperature(weightsOf(randomWeights(name, clipModelParameterShapes(toyClipConfig()), seed)));
}

/** The weights with logit_scale set to the fixed temperature (part of the model the stage makes). */
function withTemperature(weights: Weights): Weights {
  return new Map(weights).set('logit_scale', {
    data: Float32Array.of(Math.log(TOY_RECIPE.clipTemperature)),
    dims: [],
  });
}

/** A CLIP trained contrastively on world captions of `vocabulary`, phase by phase (CLIP_CURRICULUM). */
export async function trainToyClip(
  name: 'text-clip' | 'scoring-clip',
  vocabulary: CaptionVocabulary,
  settings: ClipStageSettings,
  hooks: StageHooks,
): Promise<StageResult> {
  const config = toyClipConfig();
  const B = settings.batch;
  let weights = clipInit(name, settings.seed);
  let previous = STAGE_DEPENDENCIES.clip();
  const losses: number[] = [];
  const seconds: (number | undefined)[] = [];
  for (const [k, phase] of settings.phases.entries()) {
    const phaseName = `${name}-${k + 1}of${settings.phases.length}`;
    // each phase draws its own samples: the phase index is part of the world seed
    const seed = settings.seed * 100 + k;
    const phaseSettings = { steps: phase.steps, batch: B, lr: settings.lr, warmup: settings.warmup, seed };
    const dependsOn = JSON.stringify({ previous, phase });
    const result = await trainStage({
      name: phaseName,
      settings: phaseSettings,
      loss: clipLossModel(config, weightSource(phaseName, weights), { learnTemperature: false }),
      inputShapes: {
        [LOSS_IO.inputIds]: [B, 77],
        [LOSS_IO.pixels]: [B, 3, size, size],
        [LOSS_IO.positives]: [B, B],
      },
      batch: (step) => {
        const b = worldBatch(seed, step, B, vocabulary, phase);
        return {
          [LOSS_IO.inputIds]: new ort.Tensor('int32', toyCaptionIds(b.captions), [B, 77]),
          [LOSS_IO.pixels]: new ort.Tensor('float32', clipPixels(b), [B, 3, size, size]),
          [LOSS_IO.positives]: new ort.Tensor('float32', captionPositives(b.captions), [B, B]),
        };
      },
      workDir: hooks.workDir,
      dependsOn,
      onStep: (r) => hooks.onStep?.(phaseName, r),
      signal: hooks.signal,
      threads: hooks.threads,
    });
    losses.push(...result.losses);
    seconds.push(result.seconds);
    weights = withTemperature(result.weights);
    previous = result.recipe;
    if (result.interrupted) return { ...result, weights, losses, seconds: sumSeconds(seconds) };
  }
  return { weights, losses, interrupted: false, recipe: previous, seconds: sumSeconds(seconds) };
}

/** The VAE: reconstruction of world images plus a small KL term. */
export function trainToyVae(settings: StageSettings, hooks: StageHooks): Promise<StageResult> {
  const { vae } = toyModelConfigs();
  const B = settings.batch;
  const latent = latentSide();
  const noiseShape = [B, vae.latent_channels, latent, latent];
  return trainStage({
    name: 'vae',
    settings,
    loss: vaeLossModel(
      vae,
      randomWeights('vae', vaeParameterShapes(vae), settings.seed),
      TOY_RECIPE.klWeight,
    ),
    inputShapes: { [LOSS_IO.image]: [B, 3, size, size], [LOSS_IO.noise]: noiseShape },
    batch: (step) => ({
      [LOSS_IO.image]: new ort.Tensor('float32', worldBatch(settings.seed, step, B, 'generator').images, [
        B,
        3,
        size,
        size,
      ]),
      [LOSS_IO.noise]: new ort.Tensor(
        'float32',
        stepNoise(settings.seed, step, B * vae.latent_channels * latent * latent),
        noiseShape,
      ),
    }),
    workDir: hooks.workDir,
    dependsOn: STAGE_DEPENDENCIES.vae(),
    onStep: (r) => hooks.onStep?.('vae', r),
    signal: hooks.signal,
    threads: hooks.threads,
  });
}

/**
 * The VAE decoder fine-tuned on the frozen encoder's latent means (what the UNet learned to make); returns the
 * decoder's weights only. `vaeRecipe`: the recipe key of the VAE whose encoder it reads.
 */
export async function trainToyVaeDecoder(
  settings: StageSettings,
  vaeWeights: Weights,
  vaeRecipe: string,
  hooks: StageHooks,
): Promise<StageResult> {
  const { vae } = toyModelConfigs();
  const B = settings.batch;
  const latentShape = [B, vae.latent_channels, latentSide(), latentSide()];
  const encoder = await latentEncoder(vaeWeights);
  try {
    return await trainStage({
      name: 'vae-decoder',
      settings,
      loss: vaeDecoderLossModel(vae, weightSource('vae', vaeWeights)),
      inputShapes: {
        [LOSS_IO.latents]: latentShape,
        [LOSS_IO.image]: [B, 3, size, size],
      },
      batch: async (step) => {
        const images = worldBatch(settings.seed, step, B, 'generator').images;
        return {
          [LOSS_IO.latents]: new ort.Tensor('float32', await encoder.encode(images, B), latentShape),
          [LOSS_IO.image]: new ort.Tensor('float32', images, [B, 3, size, size]),
        };
      },
      workDir: hooks.workDir,
      dependsOn: vaeRecipe,
      onStep: (r) => hooks.onStep?.('vae-decoder', r),
      signal: hooks.signal,
      threads: hooks.threads,
    });
  } finally {
    await encoder.release();
  }
}

/**
 * Threads of the frozen sessions that prepare a stage's batches (text tower, VAE encoder). With onnxruntime's
 * default each gets a pool of one thread per core whose threads keep spinning after a run, taking cycles from
 * the training step's pool (onnxruntime-node runs every session on the JS thread, one after another): one
 * thread made a toy UNet step 12 % faster on 2 cores (212 → 187 ms), with bit-identical states and latents
 * (measured on 20 batches).
 */
const HELPER_THREADS = 1;

/** Encodes world batches to unscaled latent means with a trained VAE. */
export async function latentEncoder(vaeWeights: Weights) {
  const { vae } = toyModelConfigs();
  const session = await createSession(buildVaeEncoder(vae, weightSource('vae', vaeWeights)).model, {
    provider: 'cpu',
    threads: HELPER_THREADS,
  });
  return {
    async encode(images: Float32Array, batch: number): Promise<Float32Array> {
      const out = await session.run({ sample: new ort.Tensor('float32', images, [batch, 3, size, size]) }, [
        'latent_mean',
      ]);
      return out.latent_mean!.data as Float32Array;
    },
    release: () => session.release(),
  };
}

/** 1 / std of the latent means of held-out world images (SD's scaling_factor, measured as SD's authors did). */
export async function measureScalingFactor(vaeWeights: Weights, count = 512): Promise<number> {
  const encoder = await latentEncoder(vaeWeights);
  try {
    let sum = 0;
    let sumSq = 0;
    let n = 0;
    for (let step = 0; step < count / 64; step++) {
      const latents = await encoder.encode(worldBatch(9_000_001, step, 64, 'generator').images, 64);
      for (const v of latents) {
        sum += v;
        sumSq += v * v;
        n += 1;
      }
    }
    const std = Math.sqrt(sumSq / n - (sum / n) ** 2);
    return Math.fround(1 / std);
  } finally {
    await encoder.release();
  }
}

/**
 * The UNet: epsilon prediction on scaled VAE latents, conditioned on the frozen text tower's states. Trained
 * phase by phase (`phases`: each continues from the last with its own lr schedule and samples); the first
 * phase keeps the name and key of a single-phase run, so adding a phase reuses what was trained.
 */
export async function trainToyUnet(
  phases: readonly UnetPhase[],
  textClip: { readonly weights: Weights; readonly recipe: string },
  vaeWeights: Weights,
  scalingFactor: number,
  hooks: StageHooks,
  twin?: UnetTwin,
): Promise<StageResult> {
  const textWeights = textClip.weights;
  const family = twin?.family ?? 'sd1';
  const configs = toyModelConfigs(scalingFactor, family);
  const { unet, textEncoder } = configs;
  const B = phases[0]!.batch;
  if (phases.some((p) => p.batch !== B)) throw new Error('every UNet phase must use the same batch size');
  const latent = latentSide();
  const latentShape = [B, unet.in_channels, latent, latent];
  const count = B * unet.in_channels * latent * latent;
  const encoder = await latentEncoder(vaeWeights);
  const text = await createSession(
    buildTextEncoder(textEncoder, weightSource('text encoder', textWeights), { pooled: false }).model,
    { provider: 'cpu', threads: HELPER_THREADS },
  );
  const { schedule, predictionType } = trainingSchedule(configs.scheduler);
  try {
    let weights: MemoryWeightSource = twin
      ? weightSource('unet', twin.init.weights)
      : randomWeights('unet', unetParameterShapes(unet), phases[0]!.seed);
    let previous = STAGE_DEPENDENCIES.unet(scalingFactor, textClip.recipe, family);
    if (twin) previous = JSON.stringify({ previous, init: twin.init.recipe });
    let result: StageResult | undefined;
    const losses: number[] = [];
    const seconds: (number | undefined)[] = [];
    for (const [k, settings] of phases.entries()) {
      const name = twin ? `unet-${family}-${k + 1}` : k === 0 ? 'unet' : `unet-${k + 1}`;
      result = await trainStage({
        name,
        settings,
        loss: unetLossModel(unet, weights, { weighted: settings.snrGamma !== undefined }),
        inputShapes: {
          [LOSS_IO.noisyLatents]: latentShape,
          [LOSS_IO.timesteps]: [B],
          [LOSS_IO.context]: [B, 77, textEncoder.hidden_size],
          [LOSS_IO.target]: latentShape,
          ...(settings.snrGamma === undefined ? {} : { [LOSS_IO.lossWeights]: [B] }),
        },
        batch: async (step) => {
          const b = worldBatch(settings.seed, step, B, 'generator', {
            shapeNameRate: settings.shapeNameRate,
          });
          const rng = new WorldRng(settings.seed, 1_000_000 + step);
          const captions = b.captions.map((c) => (rng.bernoulli(TOY_RECIPE.uncondRate) ? '' : c));
          const timesteps = Array.from({ length: B }, () =>
            drawTimestep(rng, schedule.numTrainTimesteps, settings.timesteps),
          );
          const states = await text.run(
            { input_ids: new ort.Tensor('int32', toyCaptionIds(captions, family), [B, 77]) },
            ['last_hidden_state'],
          );
          const means = await encoder.encode(b.images, B);
          const x0 = means.map((v) => Math.fround(v * scalingFactor));
          const noise = stepNoise(settings.seed, step, count);
          return {
            [LOSS_IO.noisyLatents]: new ort.Tensor(
              'float32',
              addNoise(schedule, x0, noise, timesteps),
              latentShape,
            ),
            [LOSS_IO.timesteps]: new ort.Tensor('float32', Float32Array.from(timesteps), [B]),
            [LOSS_IO.context]: states.last_hidden_state!,
            [LOSS_IO.target]: new ort.Tensor(
              'float32',
              trainingTarget(schedule, predictionType, x0, noise, timesteps),
              latentShape,
            ),
            ...(settings.snrGamma === undefined
              ? {}
              : {
                  [LOSS_IO.lossWeights]: new ort.Tensor(
                    'float32',
                    minSnrWeights(schedule, predictionType, timesteps, settings.snrGamma),
                    [B],
                  ),
                }),
          };
        },
        workDir: hooks.workDir,
        dependsOn: k === 0 ? previous : JSON.stringify({ previous }),
        onStep: (r) => hooks.onStep?.(name, r),
        signal: hooks.signal,
        threads: hooks.threads,
      });
      losses.push(...result.losses);
      seconds.push(result.seconds);
      if (result.interrupted) return { ...result, losses, seconds: sumSeconds(seconds) };
      weights = weightSource(name, result.weights);
      previous = result.recipe;
    }
    return { ...result!, losses, seconds: sumSeconds(seconds) };
  } finally {
    await encoder.release();
    await text.release();
  }
}
