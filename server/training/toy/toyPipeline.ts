/**
 * Runs the whole toy recipe: each stage is loaded when a finished copy of the same recipe exists in the
 * work folder, else trained (resuming its checkpoint), then the model files are written. Deterministic from
 * the recipe's seeds; interrupting and re-running continues to the same weights.
 */
import path from 'node:path';
import fs from 'node:fs';
import type { WeightStepReport } from '../weights/trainWeights';
import { readStageWeights, writeStageWeights } from './stageWeightsFile';
import {
  measureScalingFactor,
  STAGE_DEPENDENCIES,
  TOY_RECIPE,
  trainToyClip,
  trainToyUnet,
  trainToyVae,
  trainToyVaeDecoder,
  linearProjections,
  type Weights,
} from './toyRecipe';
import { stageRecipeKey, type StageResult } from './toyStage';
import { writeToyCheckpoint, writeToyClip } from './toyModelFiles';
import { writeToyConceptEmbedding } from './toyConcept';

export interface ToyPipelineOptions {
  readonly modelsDir: string;
  readonly workDir: string;
  readonly onStep?: (stage: string, report: WeightStepReport) => void;
  readonly onStage?: (
    stage: string,
    event: 'loaded' | 'trained',
    seconds: number | null,
    losses: readonly number[],
  ) => void;
  readonly signal?: AbortSignal;
  readonly threads?: number;
}

/**
 * Per stage: seconds spent training it (every phase, across interrupted and resumed runs; null when a
 * checkpoint from before times were kept was resumed) and its loss history.
 */
export interface ToyPipelineSummary {
  readonly stages: Record<
    string,
    { seconds: number | null; steps: number; firstLoss: number; lastLoss: number; losses: number[] }
  >;
  readonly scalingFactor: number;
  readonly files: string[];
  readonly interrupted: boolean;
}

/** Trains (or loads) every stage and writes the model files; returns the summary. */
export async function runToyPipeline(options: ToyPipelineOptions): Promise<ToyPipelineSummary> {
  fs.mkdirSync(options.workDir, { recursive: true });
  const hooks = {
    workDir: options.workDir,
    onStep: options.onStep,
    signal: options.signal,
    threads: options.threads,
  };
  const stages: ToyPipelineSummary['stages'] = {};
  let interrupted = false;
  const stage = async (
    name: string,
    recipe: string,
    train: () => Promise<StageResult>,
    extraMeta: () => Promise<Record<string, string>> = async () => ({}),
  ): Promise<{ weights: Weights; meta: Record<string, string> } | undefined> => {
    const file = path.join(options.workDir, `${name}.weights.safetensors`);
    const saved = readStageWeights(file, recipe);
    if (saved) {
      const record = JSON.parse(saved.meta.summary ?? '{}') as ToyPipelineSummary['stages'][string];
      stages[name] = record;
      options.onStage?.(name, 'loaded', record.seconds ?? null, record.losses ?? []);
      return saved;
    }
    const result = await train();
    if (result.interrupted) {
      interrupted = true;
      return undefined;
    }
    const seconds = result.seconds ?? null;
    const record = {
      seconds,
      steps: result.losses.length,
      firstLoss: result.losses[0] ?? NaN,
      lastLoss: result.losses.at(-1) ?? NaN,
      losses: result.losses,
    };
    stages[name] = record;
    const meta = { ...(await extraMeta()), summary: JSON.stringify(record) };
    await writeStageWeights(file, recipe, result.weights, meta);
    options.onStage?.(name, 'trained', seconds, result.losses);
    return { weights: result.weights, meta };
  };

  const textRecipe = stageRecipeKey('text-clip', TOY_RECIPE.textClip, STAGE_DEPENDENCIES.clip());
  const text = await stage('text-clip', textRecipe, () =>
    trainToyClip('text-clip', 'generator', TOY_RECIPE.textClip, hooks),
  );
  if (!text) return { stages, scalingFactor: NaN, files: [], interrupted };
  let vaeResult: StageResult | undefined;
  const vaeRecipe = stageRecipeKey('vae', TOY_RECIPE.vae, STAGE_DEPENDENCIES.vae());
  const vae = await stage(
    'vae',
    vaeRecipe,
    async () => (vaeResult = await trainToyVae(TOY_RECIPE.vae, hooks)),
    async () => ({ scalingFactor: String(await measureScalingFactor(vaeResult!.weights)) }),
  );
  if (!vae) return { stages, scalingFactor: NaN, files: [], interrupted };
  const scalingFactor = Number(vae.meta.scalingFactor);
  const unetRecipe = stageRecipeKey(
    'unet',
    TOY_RECIPE.unet,
    STAGE_DEPENDENCIES.unet(scalingFactor, textRecipe),
  );
  const unet = await stage('unet', unetRecipe, () =>
    trainToyUnet(
      TOY_RECIPE.unet,
      { weights: text.weights, recipe: textRecipe },
      vae.weights,
      scalingFactor,
      hooks,
    ),
  );
  if (!unet) return { stages, scalingFactor, files: [], interrupted };
  const decoder = await stage(
    'vae-decoder',
    stageRecipeKey('vae-decoder', TOY_RECIPE.vaeDecoder, vaeRecipe),
    () => trainToyVaeDecoder(TOY_RECIPE.vaeDecoder, vae.weights, vaeRecipe, hooks),
  );
  if (!decoder) return { stages, scalingFactor, files: [], interrupted };
  const scoring = await stage(
    'scoring-clip',
    stageRecipeKey('scoring-clip', TOY_RECIPE.scoringClip, STAGE_DEPENDENCIES.clip()),
    () => trainToyClip('scoring-clip', 'scoring', TOY_RECIPE.scoringClip, hooks),
  );
  if (!scoring) return { stages, scalingFactor, files: [], interrupted };
  const provenance = `npm run models:toy (recipe ${JSON.stringify(TOY_RECIPE)})`;
  // the fine-tuned decoder over the VAE's own (its encoder and latent space are the UNet's); both models ship it
  const shippedVae = new Map([...vae.weights, ...decoder.weights]);
  const files = await writeToyCheckpoint(options.modelsDir, {
    text: text.weights,
    vae: shippedVae,
    unet: unet.weights,
    scalingFactor,
    provenance,
  });
  files.push(await writeToyClip(options.modelsDir, scoring.weights, provenance));
  // the shipped concept embedding, learned on the model just written (sample-with-embedding loads it)
  files.push(await writeToyConceptEmbedding(options.modelsDir, { signal: options.signal }));

  // the SD 2.x twin: the same text tower and VAE, its UNet fine-tuned from the SD 1.x one to v-prediction
  const unetSd2 = await stage(
    'unet-sd2',
    stageRecipeKey(
      'unet-sd2',
      TOY_RECIPE.unetSd2,
      JSON.stringify({ dependsOn: STAGE_DEPENDENCIES.unet(scalingFactor, textRecipe, 'sd2'), unetRecipe }),
    ),
    () =>
      trainToyUnet(
        TOY_RECIPE.unetSd2,
        { weights: text.weights, recipe: textRecipe },
        vae.weights,
        scalingFactor,
        hooks,
        { family: 'sd2', init: { weights: linearProjections(unet.weights), recipe: unetRecipe } },
      ),
  );
  if (!unetSd2) return { stages, scalingFactor, files, interrupted };
  files.push(
    ...(await writeToyCheckpoint(
      options.modelsDir,
      {
        text: text.weights,
        vae: shippedVae,
        unet: unetSd2.weights,
        scalingFactor,
        provenance,
      },
      'sd2',
    )),
  );
  return { stages, scalingFactor, files, interrupted: false };
}
