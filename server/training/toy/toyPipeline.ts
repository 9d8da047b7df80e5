/**
 * Runs the whole toy recipe: each stage is loaded when a finished copy of the same recipe exists in the
 * work folder, else trained (resuming its checkpoint), then the model files are written. Deterministic from
 * the recipe's seeds; interrupting and re-running continues to the same weights. With two lanes a second
 * process trains the stages the text CLIP and the UNet do not need (toySideLane.ts) at the same time.
 */
import fs from 'node:fs';
import type { WeightStepReport } from '../weights/trainWeights';
import { readStageWeights } from './stageWeightsFile';
import {
  STAGE_DEPENDENCIES,
  TOY_RECIPE,
  trainToyClip,
  trainToyUnet,
  linearProjections,
  type StageHooks,
  type ToyStageRecipe,
} from './toyRecipe';
import { stageRecipeKey } from './toyStage';
import { writeToyCheckpoint, writeToyClip } from './toyModelFiles';
import { writeToyConceptEmbedding } from './toyConcept';
import {
  runSideStages,
  savedRecord,
  sideStageKeys,
  stageFile,
  StageRunner,
  textStageKey,
  type FinishedStage,
  type SideStage,
  type StageEvent,
  type StageRecord,
} from './toyStageRunner';
import { startSideLane, type SideLane } from './toySideLane';

export interface ToyPipelineOptions {
  readonly modelsDir: string;
  readonly workDir: string;
  /** A training step of `stage`, in this process (`main`) or the side lane. */
  readonly onStep?: (stage: string, report: WeightStepReport, lane: 'main' | 'side') => void;
  /** A stage finished: loaded from the work folder or trained, in this process (`main`) or the side lane. */
  readonly onStage?: (
    stage: string,
    event: StageEvent,
    seconds: number | null,
    losses: readonly number[],
    lane: 'main' | 'side',
  ) => void;
  readonly signal?: AbortSignal;
  /** onnxruntime threads per session (default: onnxruntime's choice). */
  readonly threads?: number;
  /**
   * 2: a second process trains the VAE, its decoder and the scoring CLIP meanwhile (toySideLane.ts);
   * 1 (the default): one process trains every stage in turn. Both give the same weights.
   */
  readonly lanes?: 1 | 2;
  /** The stages' budgets (default TOY_RECIPE; tests run the pipeline on tiny ones). */
  readonly recipe?: ToyStageRecipe;
}

/** Per stage: seconds spent training it and its loss history (see StageRecord). */
export interface ToyPipelineSummary {
  readonly stages: Record<string, StageRecord>;
  readonly scalingFactor: number;
  readonly files: string[];
  readonly interrupted: boolean;
}

/** Trains (or loads) every stage and writes the model files; returns the summary. */
export async function runToyPipeline(options: ToyPipelineOptions): Promise<ToyPipelineSummary> {
  fs.mkdirSync(options.workDir, { recursive: true });
  const recipe = options.recipe ?? TOY_RECIPE;
  const hooks = {
    workDir: options.workDir,
    onStep: (stage: string, report: WeightStepReport) => options.onStep?.(stage, report, 'main'),
    signal: options.signal,
    threads: options.threads,
  };
  const runner = new StageRunner(options.workDir, (name, event, record) =>
    options.onStage?.(name, event, record.seconds, record.losses, 'main'),
  );
  const side =
    options.lanes === 2
      ? startSideLane(
          { workDir: options.workDir, recipe, threads: options.threads },
          {
            onStep: (stage, report) => options.onStep?.(stage, report, 'side'),
            signal: options.signal,
          },
        )
      : undefined;
  try {
    const summary = await trainAndWrite(options, recipe, runner, hooks, side);
    await side?.close();
    return summary;
  } finally {
    // the main lane failed or stopped early: stop the side lane too (it saves its checkpoint)
    await side?.close(true);
  }
}

async function trainAndWrite(
  options: ToyPipelineOptions,
  recipe: ToyStageRecipe,
  runner: StageRunner,
  hooks: StageHooks,
  side: SideLane | undefined,
): Promise<ToyPipelineSummary> {
  const stages = runner.records;
  const stopped = (scalingFactor = NaN, files: string[] = []) => ({
    stages,
    scalingFactor,
    files,
    interrupted: runner.interrupted,
  });
  const sideKeys = sideStageKeys(recipe);
  /** A side stage: trained by the side lane (then read from the work folder), or here (all three in turn). */
  let inProcess: Promise<Awaited<ReturnType<typeof runSideStages>>> | undefined;
  const sideStage = async (name: SideStage): Promise<FinishedStage | undefined> => {
    if (!side) {
      inProcess ??= runSideStages(recipe, runner, hooks);
      return (await inProcess)?.[name];
    }
    const report = await side.finished(name);
    if (!report) {
      runner.interrupted = true;
      return undefined;
    }
    const saved = readStageWeights(stageFile(options.workDir, name), sideKeys[name]);
    if (!saved) throw new Error(`the side lane reported ${name} finished, but its file holds another recipe`);
    stages[name] = savedRecord(saved.meta);
    options.onStage?.(name, report.event, report.record.seconds, report.record.losses, 'side');
    return saved;
  };

  const textRecipe = textStageKey(recipe);
  const text = await runner.run('text-clip', textRecipe, () =>
    trainToyClip('text-clip', 'generator', recipe.textClip, hooks),
  );
  if (!text) return stopped();
  const vae = await sideStage('vae');
  if (!vae) return stopped();
  const scalingFactor = Number(vae.meta.scalingFactor);
  const unetRecipe = stageRecipeKey('unet', recipe.unet, STAGE_DEPENDENCIES.unet(scalingFactor, textRecipe));
  const unet = await runner.run('unet', unetRecipe, () =>
    trainToyUnet(
      recipe.unet,
      { weights: text.weights, recipe: textRecipe },
      vae.weights,
      scalingFactor,
      hooks,
    ),
  );
  if (!unet) return stopped(scalingFactor);
  const decoder = await sideStage('vae-decoder');
  if (!decoder) return stopped(scalingFactor);
  const scoring = await sideStage('scoring-clip');
  if (!scoring) return stopped(scalingFactor);
  const provenance = `npm run models:toy (recipe ${JSON.stringify({ ...TOY_RECIPE, ...recipe })})`;
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
  const unetSd2 = await runner.run(
    'unet-sd2',
    stageRecipeKey(
      'unet-sd2',
      recipe.unetSd2,
      JSON.stringify({ dependsOn: STAGE_DEPENDENCIES.unet(scalingFactor, textRecipe, 'sd2'), unetRecipe }),
    ),
    () =>
      trainToyUnet(
        recipe.unetSd2,
        { weights: text.weights, recipe: textRecipe },
        vae.weights,
        scalingFactor,
        hooks,
        { family: 'sd2', init: { weights: linearProjections(unet.weights), recipe: unetRecipe } },
      ),
  );
  if (!unetSd2) return stopped(scalingFactor, files);
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
