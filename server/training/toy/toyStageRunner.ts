/**
 * Loading or training one stage of the toy recipe: a finished copy in the work folder (same recipe key) is
 * loaded, else the stage is trained (resuming its checkpoint) and saved. Also the side stages (VAE, its
 * decoder, the scoring CLIP): they need neither the text CLIP nor the UNet, so a second process can train
 * them while the first trains those (see toySideLane.ts).
 */
import path from 'node:path';
import { readStageWeights, writeStageWeights } from './stageWeightsFile';
import {
  measureScalingFactor,
  STAGE_DEPENDENCIES,
  trainToyClip,
  trainToyVae,
  trainToyVaeDecoder,
  type StageHooks,
  type ToyStageRecipe,
  type Weights,
} from './toyRecipe';
import { stageRecipeKey, type StageResult } from './toyStage';

/** What a stage cost and how its loss went: seconds across resumes (null when not recorded) and the losses. */
export interface StageRecord {
  readonly seconds: number | null;
  readonly steps: number;
  readonly firstLoss: number;
  readonly lastLoss: number;
  readonly losses: number[];
}

export interface FinishedStage {
  readonly weights: Weights;
  readonly meta: Record<string, string>;
}

export type StageEvent = 'loaded' | 'trained';

/** The file a finished stage is saved in. */
export function stageFile(workDir: string, name: string): string {
  return path.join(workDir, `${name}.weights.safetensors`);
}

/** The record saved with a finished stage. */
export function savedRecord(meta: Record<string, string>): StageRecord {
  return JSON.parse(meta.summary ?? '{}') as StageRecord;
}

/**
 * Loads-or-trains stages into `records`. `run` returns undefined when training was interrupted (and then
 * `interrupted` is set).
 */
export class StageRunner {
  interrupted = false;
  readonly records: Record<string, StageRecord> = {};

  constructor(
    private readonly workDir: string,
    private readonly onStage?: (name: string, event: StageEvent, record: StageRecord) => void,
  ) {}

  async run(
    name: string,
    recipe: string,
    train: () => Promise<StageResult>,
    extraMeta: (result: StageResult) => Promise<Record<string, string>> = async () => ({}),
  ): Promise<FinishedStage | undefined> {
    const file = stageFile(this.workDir, name);
    const saved = readStageWeights(file, recipe);
    if (saved) {
      this.record(name, 'loaded', savedRecord(saved.meta));
      return saved;
    }
    const result = await train();
    if (result.interrupted) {
      this.interrupted = true;
      return undefined;
    }
    const record: StageRecord = {
      seconds: result.seconds ?? null,
      steps: result.losses.length,
      firstLoss: result.losses[0] ?? NaN,
      lastLoss: result.losses.at(-1) ?? NaN,
      losses: result.losses,
    };
    const meta = { ...(await extraMeta(result)), summary: JSON.stringify(record) };
    await writeStageWeights(file, recipe, result.weights, meta);
    this.record(name, 'trained', record);
    return { weights: result.weights, meta };
  }

  record(name: string, event: StageEvent, record: StageRecord): void {
    this.records[name] = record;
    this.onStage?.(name, event, record);
  }
}

/** The side stages, in the order a lane trains them. */
export const SIDE_STAGES = ['vae', 'vae-decoder', 'scoring-clip'] as const;
export type SideStage = (typeof SIDE_STAGES)[number];

/** Recipe keys of the side stages. */
export function sideStageKeys(recipe: ToyStageRecipe): Record<SideStage, string> {
  const vae = stageRecipeKey('vae', recipe.vae, STAGE_DEPENDENCIES.vae());
  return {
    vae,
    'vae-decoder': stageRecipeKey('vae-decoder', recipe.vaeDecoder, vae),
    'scoring-clip': stageRecipeKey('scoring-clip', recipe.scoringClip, STAGE_DEPENDENCIES.clip()),
  };
}

/** Recipe key of the generator's text CLIP. */
export function textStageKey(recipe: ToyStageRecipe): string {
  return stageRecipeKey('text-clip', recipe.textClip, STAGE_DEPENDENCIES.clip());
}

/** Trains (or loads) the VAE, its decoder and the scoring CLIP in that order; undefined when interrupted. */
export async function runSideStages(
  recipe: ToyStageRecipe,
  runner: StageRunner,
  hooks: StageHooks,
): Promise<Record<SideStage, FinishedStage> | undefined> {
  const keys = sideStageKeys(recipe);
  const vae = await runner.run(
    'vae',
    keys.vae,
    () => trainToyVae(recipe.vae, hooks),
    async (result) => ({ scalingFactor: String(await measureScalingFactor(result.weights)) }),
  );
  if (!vae) return undefined;
  const decoder = await runner.run('vae-decoder', keys['vae-decoder'], () =>
    trainToyVaeDecoder(recipe.vaeDecoder, vae.weights, keys.vae, hooks),
  );
  if (!decoder) return undefined;
  const scoring = await runner.run('scoring-clip', keys['scoring-clip'], () =>
    trainToyClip('scoring-clip', 'scoring', recipe.scoringClip, hooks),
  );
  if (!scoring) return undefined;
  return { vae, 'vae-decoder': decoder, 'scoring-clip': scoring };
}
