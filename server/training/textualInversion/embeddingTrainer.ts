/**
 * The optimisation core of textual inversion: one `trainStep(batch)` = add noise, pick the target the
 * scheduler config asks for (noise, velocity or x0), run the training-step graph for loss and gradient,
 * accumulate, and every `gradientAccumulation` micro-batches take an AdamW step on the placeholder rows
 * only. Where the batch comes from (images, captions, RNG) is the caller's business (`TrainingRun`).
 */
import { z } from 'zod';
import {
  adamwStateFromJson,
  adamwStateToJson,
  adamwStep,
  createAdamWState,
  type AdamWState,
} from '../optimizers/adamw';
import { learningRateAt, type LrSchedule } from '../optimizers/lrSchedule';
import { addNoise, type NoiseSchedule } from '../../diffusion/noiseSchedule';
import type { PredictionType } from '../../diffusion/schedulerConfig';
import { trainingSchedule, trainingTarget } from './trainingTarget';
import type { ProviderChoice } from '../../onnx/sessions';
import {
  SessionReleasedError,
  trainingStepSession,
  type StepFeeds,
  type StepOutputs,
  type TrainingStepSession,
} from './trainingStepSession';
import type { TrainableModel } from './trainableModel';
import { limitRowNorms, rowNormLimits } from './rowNorms';

/** One micro-batch, flat row-major. */
export interface TrainingBatch {
  /** [batch, sequence] prompt ids containing the placeholder ids. */
  readonly inputIds: Int32Array;
  /** [batch, channels, h, w] clean latents x0, already multiplied by the VAE scaling factor. */
  readonly latents: Float32Array;
  /** [batch, channels, h, w] standard normal noise. */
  readonly noise: Float32Array;
  /** [batch] integer training timesteps. */
  readonly timesteps: readonly number[];
}

/** What a step did. */
export interface StepResult {
  /** Loss of this micro-batch. */
  readonly loss: number;
  /** d loss / d rows of this micro-batch [numVectors, hidden]. */
  readonly grad: Float32Array;
  /** Whether the optimizer stepped after this micro-batch. */
  readonly optimizerStepped: boolean;
  /** Optimizer steps done after this micro-batch. */
  readonly optimizerStep: number;
  /** Learning rate of the optimizer step this micro-batch feeds. */
  readonly lr: number;
  /** Session run time (ms) and the whole step's time (ms). */
  readonly graphMs: number;
  readonly stepMs: number;
}

/** Optimizer settings (torch names in comments). */
export interface OptimizerSettings {
  readonly learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  /** weight_decay */
  readonly weightDecay: number;
  readonly lrScheduler: LrSchedule['name'];
  readonly lrWarmupSteps: number;
  /** Total optimizer steps (the cosine schedule decays to 0 here). */
  readonly maxSteps: number;
  readonly gradientAccumulation: number;
  /** Largest norm of a learned row after each optimizer step (at least its initial norm); 0: no limit. */
  readonly maxNorm?: number;
}

export interface EmbeddingTrainerOptions {
  readonly models: TrainableModel;
  /** The model's raw diffusers scheduler config: the noise schedule and prediction type (training target). */
  readonly schedulerConfig: unknown;
  readonly placeholderIds: readonly number[];
  /** Initial rows [placeholderIds.length, hidden]. */
  readonly rows: Float32Array;
  readonly optimizer: OptimizerSettings;
  readonly batchSize: number;
  readonly latentHeight: number;
  readonly latentWidth: number;
  readonly provider?: ProviderChoice;
}

/** The optimisation state a checkpoint stores. */
export const embeddingTrainerStateSchema = z.object({
  rows: z.array(z.number()),
  adam: z.unknown(),
  optimizerStep: z.number().int().nonnegative(),
});
export type EmbeddingTrainerState = z.infer<typeof embeddingTrainerStateSchema>;

/** Thrown when the loss or gradient stops being finite; the rows are left at their last finite values. */
export class TrainingDivergedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrainingDivergedError';
  }
}

/** Learns placeholder rows with AdamW; see the module comment. */
export class EmbeddingTrainer {
  readonly schedule: NoiseSchedule;
  readonly predictionType: PredictionType;
  private rowsNow: Float32Array;
  private adam: AdamWState;
  private optimizerStepsDone = 0;
  private accumulated: Float32Array;
  private microSteps = 0;
  private readonly placeholderIds: Int32Array;
  private readonly vocab: number;
  private readonly rowLimits: number[];

  private constructor(private readonly options: EmbeddingTrainerOptions) {
    ({ schedule: this.schedule, predictionType: this.predictionType } = trainingSchedule(
      options.schedulerConfig,
    ));
    this.rowsNow = Float32Array.from(options.rows);
    this.adam = createAdamWState(options.rows.length);
    this.accumulated = new Float32Array(options.rows.length);
    this.placeholderIds = Int32Array.from(options.placeholderIds);
    this.vocab = options.models.tokenTable.dims[0];
    this.rowLimits = rowNormLimits(
      options.rows,
      options.placeholderIds.length,
      options.optimizer.maxNorm ?? 0,
    );
  }

  /** Builds (or reuses) the training-step session for this model and shape. */
  static async create(options: EmbeddingTrainerOptions): Promise<EmbeddingTrainer> {
    const hidden = options.models.tokenTable.dims[1];
    if (options.rows.length !== options.placeholderIds.length * hidden) {
      throw new Error(
        `placeholder rows hold ${options.rows.length} values; expected ${options.placeholderIds.length} × ${hidden} (vectors × hidden size)`,
      );
    }
    const accumulation = options.optimizer.gradientAccumulation;
    if (!Number.isInteger(accumulation) || accumulation < 1) {
      throw new Error(`gradient accumulation must be an integer >= 1, got ${accumulation}`);
    }
    const trainer = new EmbeddingTrainer(options);
    await trainer.session();
    return trainer;
  }

  /** The cached session of this model and shape (fetched per run: the cache may free evicted ones). */
  private session(): Promise<TrainingStepSession> {
    const o = this.options;
    const shape = {
      batch: o.batchSize,
      numVectors: o.placeholderIds.length,
      latentHeight: o.latentHeight,
      latentWidth: o.latentWidth,
    };
    return trainingStepSession(o.models, shape, o.provider ?? 'auto');
  }

  /** The current rows [numVectors, hidden] (a copy). */
  get rows(): Float32Array {
    return Float32Array.from(this.rowsNow);
  }

  /** Optimizer steps done. */
  get optimizerStep(): number {
    return this.optimizerStepsDone;
  }

  /** Learning rate of optimizer step `step` (0-based). */
  learningRate(step: number): number {
    const o = this.options.optimizer;
    const schedule: LrSchedule = {
      name: o.lrScheduler,
      baseLr: o.learningRate,
      warmupSteps: o.lrWarmupSteps,
      totalSteps: o.maxSteps,
    };
    return learningRateAt(schedule, step);
  }

  private checkIds(ids: Int32Array): void {
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (id >= 0 && id < this.vocab) continue;
      if (this.placeholderIds.includes(id)) continue;
      throw new Error(
        `token id ${id} at position ${i} is neither in the embedding table (0..${this.vocab - 1}) nor a placeholder (${[...this.placeholderIds].join(', ')})`,
      );
    }
  }

  private async lossAndGradient(
    batch: TrainingBatch,
  ): Promise<{ loss: number; grad: Float32Array; graphMs: number }> {
    this.checkIds(batch.inputIds);
    const noisyLatents = addNoise(this.schedule, batch.latents, batch.noise, batch.timesteps);
    const target = trainingTarget(
      this.schedule,
      this.predictionType,
      batch.latents,
      batch.noise,
      batch.timesteps,
    );
    const feeds: StepFeeds = {
      rows: this.rowsNow,
      placeholderIds: this.placeholderIds,
      inputIds: batch.inputIds,
      noisyLatents,
      timesteps: batch.timesteps,
      target,
    };
    let out: StepOutputs;
    try {
      out = await (await this.session()).run(feeds);
    } catch (error) {
      if (!(error instanceof SessionReleasedError)) throw error;
      out = await (await this.session()).run(feeds);
    }
    return { loss: out.loss, grad: out.grad, graphMs: out.runMs };
  }

  /** Loss of `batch` at the current rows, without a gradient step (evaluation). */
  async evaluate(batch: TrainingBatch): Promise<number> {
    return (await this.lossAndGradient(batch)).loss;
  }

  /**
   * One micro-batch: loss and gradient, accumulated (mean over the accumulation window, as accelerate
   * divides the loss); after the window's last micro-batch, one AdamW step at the scheduled lr.
   * Throws `TrainingDivergedError` (rows unchanged) when the loss or gradient is not finite.
   */
  async trainStep(batch: TrainingBatch): Promise<StepResult> {
    const started = performance.now();
    const { loss, grad, graphMs } = await this.lossAndGradient(batch);
    if (!Number.isFinite(loss) || !grad.every(Number.isFinite)) {
      throw new TrainingDivergedError(
        `loss became ${Number.isFinite(loss) ? 'finite but the gradient did not stay finite' : loss} at optimizer step ${this.optimizerStepsDone + 1}; lower the learning rate or resume from the last checkpoint`,
      );
    }
    const { gradientAccumulation, beta1, beta2, eps, weightDecay } = this.options.optimizer;
    const lr = this.learningRate(this.optimizerStepsDone);
    if (gradientAccumulation === 1) this.accumulated = grad;
    else for (let i = 0; i < grad.length; i++) this.accumulated[i] += grad[i]! / gradientAccumulation;
    this.microSteps += 1;
    const optimizerStepped = this.microSteps === gradientAccumulation;
    if (optimizerStepped) {
      adamwStep(this.rowsNow, this.accumulated, this.adam, { lr, beta1, beta2, eps, weightDecay });
      limitRowNorms(this.rowsNow, this.rowLimits);
      this.optimizerStepsDone += 1;
      this.microSteps = 0;
      this.accumulated = new Float32Array(this.rowsNow.length);
    }
    return {
      loss,
      grad,
      optimizerStepped,
      optimizerStep: this.optimizerStepsDone,
      lr,
      graphMs,
      stepMs: performance.now() - started,
    };
  }

  /** The state to checkpoint; only valid between optimizer steps (no half-accumulated gradient). */
  state(): EmbeddingTrainerState {
    if (this.microSteps !== 0) {
      throw new Error(
        `cannot checkpoint in the middle of gradient accumulation (${this.microSteps} micro-batches pending)`,
      );
    }
    return {
      rows: Array.from(this.rowsNow),
      adam: adamwStateToJson(this.adam),
      optimizerStep: this.optimizerStepsDone,
    };
  }

  /** Restores a saved state (rows, AdamW moments, step count). */
  restore(state: unknown): void {
    const parsed = embeddingTrainerStateSchema.parse(state);
    if (parsed.rows.length !== this.rowsNow.length) {
      throw new Error(
        `checkpoint holds ${parsed.rows.length} embedding values; this run has ${this.rowsNow.length} (num_vectors × hidden size)`,
      );
    }
    const adam = adamwStateFromJson(parsed.adam);
    if (adam.expAvg.length !== this.rowsNow.length)
      throw new Error(
        `checkpoint optimizer state has ${adam.expAvg.length} values; expected ${this.rowsNow.length}`,
      );
    this.rowsNow = Float32Array.from(parsed.rows);
    this.adam = adam;
    this.optimizerStepsDone = parsed.optimizerStep;
    this.microSteps = 0;
    this.accumulated = new Float32Array(this.rowsNow.length);
  }
}
