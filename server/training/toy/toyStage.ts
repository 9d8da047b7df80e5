/**
 * One stage of the toy-model recipe: a loss model, a batch function and a step budget, trained with
 * `trainWeights` (AdamW, warm-up + cosine lr, gradient clipping) and checkpointed under the recipe's work
 * folder, so an interrupted `npm run models:toy` continues where it stopped and ends with the same weights.
 */
import crypto from 'node:crypto';
import path from 'node:path';
import { createSession, type ort } from '../../onnx/sessions';
import { buildParameterGradientGraph } from '../weights/parameterGradientGraph';
import { checkpointKey } from '../weights/trainableWeights';
import { trainWeights, type WeightStepReport } from '../weights/trainWeights';
import { WeightOptimizer } from '../weights/weightOptimizer';
import type { LossModel } from '../weights/lossModels';

export interface StageSettings {
  readonly steps: number;
  readonly batch: number;
  readonly lr: number;
  readonly warmup: number;
  readonly seed: number;
}

export interface StageOptions {
  /** Stage name: names the checkpoint file and keys the recipe (with the settings). */
  readonly name: string;
  readonly settings: StageSettings;
  readonly loss: LossModel;
  readonly inputShapes: Readonly<Record<string, readonly number[]>>;
  readonly batch: (step: number) => Promise<Record<string, ort.Tensor>> | Record<string, ort.Tensor>;
  readonly workDir: string;
  /** Anything else the result depends on (e.g. the fingerprint of a frozen model the stage reads). */
  readonly dependsOn?: string;
  readonly onStep?: (report: WeightStepReport) => void;
  readonly signal?: AbortSignal;
  /** Session threads (default: onnxruntime's choice). */
  readonly threads?: number;
}

/** What a finished (or interrupted) stage returns: weights by checkpoint key, and its loss history. */
export interface StageResult {
  readonly weights: Map<string, { data: Float32Array; dims: readonly number[] }>;
  readonly losses: number[];
  readonly interrupted: boolean;
  readonly recipe: string;
  /** Seconds spent training it, across resumes; undefined when a checkpoint did not record its time. */
  readonly seconds: number | undefined;
}

/** Total seconds of chained phases; undefined when any phase's time is unknown. */
export function sumSeconds(phases: readonly (number | undefined)[]): number | undefined {
  let total = 0;
  for (const s of phases) {
    if (s === undefined) return undefined;
    total += s;
  }
  return total;
}

/** A short stable key of a stage's definition. */
export function stageRecipeKey(name: string, settings: object, extra = ''): string {
  const hash = crypto.createHash('sha256').update(JSON.stringify({ name, settings, extra })).digest('hex');
  return `${name}-${hash.slice(0, 16)}`;
}

/** Trains one stage to its step budget (resuming from its checkpoint) and returns the weights. */
export async function trainStage(options: StageOptions): Promise<StageResult> {
  const { settings } = options;
  const graph = await buildParameterGradientGraph({
    model: options.loss.model,
    parameters: options.loss.parameters,
    loss: 'loss',
    inputShapes: options.inputShapes,
  });
  const session = await createSession(graph.model, { provider: 'cpu', threads: options.threads });
  const recipe = stageRecipeKey(options.name, settings, options.dependsOn);
  try {
    const optimizer = new WeightOptimizer(graph.parameters, {
      schedule: {
        name: 'cosine',
        baseLr: settings.lr,
        warmupSteps: settings.warmup,
        totalSteps: settings.steps,
      },
      maxGradNorm: 1,
      weightDecay: 0.01,
    });
    const result = await trainWeights({
      graph,
      session,
      optimizer,
      batch: options.batch,
      totalSteps: settings.steps,
      checkpoint: {
        // named by the recipe key: a changed recipe starts afresh instead of refusing the old checkpoint
        file: path.join(options.workDir, `${recipe}.checkpoint.safetensors`),
        every: 50,
        recipe,
      },
      onStep: options.onStep,
      signal: options.signal,
    });
    const weights = new Map<string, { data: Float32Array; dims: readonly number[] }>();
    for (const [name, p] of graph.parameters)
      weights.set(checkpointKey(name), { data: p.data, dims: p.dims });
    return {
      weights,
      losses: result.losses,
      interrupted: result.interrupted,
      recipe,
      seconds: result.seconds,
    };
  } finally {
    await session.release();
  }
}
