/**
 * A whole textual-inversion run: placeholder tokens, the one-time VAE pass over the images, the caption
 * ids, the seeded batch draws, the optimizer (`EmbeddingTrainer`) and checkpoints. `run()` trains to the
 * configured step count; resuming from a checkpoint continues the exact same sequence of batches.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { ProviderChoice } from '../../onnx/sessions';
import type { TextualInversionEmbedding } from '../../sd/embeddings/embeddingFile';
import { writeEmbeddingFile } from '../../sd/embeddings/embeddingWriter';
import { removeStepEmbeddingFilesAfter, stepEmbeddingFileName } from '../../sd/embeddings/stepEmbeddingFiles';
import type { ClipTokenizer } from '../../sd/tokenizer/clipTokenizer';
import type { ImageTensor } from '../../image/imageIO';
import { BatchSampler, type DrawnBatch } from './batchSampler';
import { EmbeddingTrainer, TrainingDivergedError, type TrainingBatch } from './embeddingTrainer';
import type { LatentEncoder } from './latentEncoder';
import { addPlaceholder, type Placeholder } from './placeholderTokens';
import { captionIds } from './captionIds';
import {
  assertNotAnotherModelsRun,
  assertSameTrainingData,
  checkpointForResume,
  tableFingerprint,
  type RunFingerprints,
} from './resumeChecks';
import { parseTrainerConfig, type TrainerConfig, type TrainerConfigInput } from './trainerConfig';
import { CHECKPOINT_FORMAT, saveTrainingCheckpoint, type TrainingCheckpoint } from './trainingCheckpoint';
import { TrainingDataset } from './trainingDataset';
import type { TrainableModel } from './trainableModel';
import { TrainingRng } from './trainingRng';

export interface TrainingRunOptions {
  readonly models: TrainableModel;
  /** A fresh tokenizer of the model: the placeholder is added to it. */
  readonly tokenizer: ClipTokenizer;
  readonly encoder: LatentEncoder;
  /** Training images, NHWC in [0, 1]. */
  readonly images: ImageTensor;
  /** The model's raw diffusers scheduler config (noise schedule, prediction type). */
  readonly schedulerConfig: unknown;
  readonly config: TrainerConfigInput;
  /** The checkpoint file; without it nothing is written and resume is impossible. */
  readonly checkpointFile?: string;
  /** Continue from `checkpointFile` (which must exist and match these settings). */
  readonly resume?: boolean;
  /**
   * Folder that receives `learned_embeds-steps-{N}.safetensors` at every scheduled checkpoint step and the
   * last step (diffusers' `--save_steps`); files of later steps left by an earlier run are removed when
   * training starts. Unset: none are written.
   */
  readonly stepEmbeddingsFolder?: string;
  readonly provider?: ProviderChoice;
  /** Training resolution must be a multiple of this (VAE downscale × UNet downsampling; default 64). */
  readonly sizeMultiple?: number;
  /** Aborts the preparation (image encoding). */
  readonly signal?: AbortSignal;
}

/** What one optimizer step reports. */
export interface StepReport {
  /** Optimizer steps done (1-based after the step). */
  readonly step: number;
  readonly maxSteps: number;
  /** Mean loss over the step's micro-batches. */
  readonly loss: number;
  readonly lr: number;
  /** Time in the training-step graph and in the whole optimizer step (ms). */
  readonly graphMs: number;
  readonly stepMs: number;
  readonly checkpointed: boolean;
}

/** The learned vectors of a placeholder (an embedding file's entry, plus how it was made). */
export interface LearnedEmbedding extends TextualInversionEmbedding {
  /** `token`, `token_1`, … */
  readonly names: readonly string[];
  /** Optimizer steps it was trained for. */
  readonly step: number;
}

export interface RunHooks {
  /** Stops at the next optimizer-step boundary; a checkpoint is written first (when a file is set). */
  readonly signal?: AbortSignal;
  /** Called after every optimizer step (awaited). */
  readonly onStep?: (report: StepReport) => void | Promise<void>;
}

/** The images' own captions when any image has one (undefined: train on the templates alone). */
function ownCaptions(images: ImageTensor): readonly string[] | undefined {
  const captions = images.captions;
  if (!captions || captions.every((c) => c.trim() === '')) return undefined;
  if (captions.length !== images.shape[0]) {
    throw new Error(
      `${captions.length} captions for ${images.shape[0]} training images; give one per image ('' for none)`,
    );
  }
  return captions;
}

/** The dataset's fingerprint with its captions, so a resume with other captions is refused. */
function captionedFingerprint(fingerprint: string, captions: readonly string[]): string {
  return createHash('sha256').update(fingerprint).update('\0').update(captions.join('\n')).digest('hex');
}

/** See the module comment. */
export class TrainingRun {
  private losses: number[] = [];
  private lastCheckpointStep: number | undefined;

  private constructor(
    readonly config: TrainerConfig,
    readonly placeholder: Placeholder,
    readonly trainer: EmbeddingTrainer,
    private readonly sampler: BatchSampler,
    private rng: TrainingRng,
    private readonly samplerOptions: ConstructorParameters<typeof BatchSampler>[0],
    private readonly fingerprints: RunFingerprints,
    private readonly checkpointFile: string | undefined,
    private readonly stepEmbeddingsFolder: string | undefined,
  ) {}

  /** Adds the placeholder, encodes the images, builds the step graph and, with `resume`, restores the checkpoint. */
  static async prepare(options: TrainingRunOptions): Promise<TrainingRun> {
    const config = parseTrainerConfig(options.config);
    const { models, encoder } = options;
    const placeholder = addPlaceholder(
      options.tokenizer,
      models.tokenTable,
      config.placeholderToken,
      config.initializerToken,
      config.numVectors,
    );
    const captions = captionIds(options.tokenizer, placeholder, config.template, models.sequenceLength);
    const imageCaptions = ownCaptions(options.images);
    const imageCaptionIds = imageCaptions?.map((c) =>
      captionIds(options.tokenizer, placeholder, config.template, models.sequenceLength, c),
    );
    // settings and models are checked before the (slow) image encoding
    const model = { model: tableFingerprint(models), weights: models.weightsFingerprint };
    const checkpoint = options.resume
      ? checkpointForResume(options.checkpointFile, config, placeholder.ids)
      : undefined;
    if (!options.resume && options.checkpointFile) assertNotAnotherModelsRun(options.checkpointFile, model);
    const dataset = await TrainingDataset.encode(options.images, encoder, config.resolution, {
      withFlips: config.flipProbability > 0,
      sizeMultiple: options.sizeMultiple,
      signal: options.signal,
    });
    await encoder.release?.();
    const fingerprints: RunFingerprints = {
      ...model,
      dataset: imageCaptions ? captionedFingerprint(dataset.fingerprint, imageCaptions) : dataset.fingerprint,
    };
    if (checkpoint) assertSameTrainingData(checkpoint, options.checkpointFile!, fingerprints);
    const [, latentHeight, latentWidth] = dataset.latentDims;
    const trainer = await EmbeddingTrainer.create({
      models,
      schedulerConfig: options.schedulerConfig,
      placeholderIds: placeholder.ids,
      rows: placeholder.rows,
      optimizer: {
        learningRate: config.learningRate,
        beta1: config.beta1,
        beta2: config.beta2,
        eps: config.eps,
        weightDecay: config.weightDecay,
        lrScheduler: config.lrScheduler,
        lrWarmupSteps: config.lrWarmupSteps,
        maxSteps: config.steps,
        gradientAccumulation: config.gradientAccumulation,
        maxNorm: config.maxNorm,
      },
      batchSize: config.batchSize,
      latentHeight,
      latentWidth,
      provider: options.provider,
    });
    const samplerOptions = {
      dataset,
      captionIds: captions,
      ...(imageCaptionIds ? { imageCaptionIds } : {}),
      batchSize: config.batchSize,
      flipProbability: config.flipProbability,
      numTrainTimesteps: trainer.schedule.numTrainTimesteps,
    };
    const sampler = new BatchSampler(samplerOptions);
    const run = new TrainingRun(
      config,
      placeholder,
      trainer,
      sampler,
      new TrainingRng(config.seed),
      samplerOptions,
      fingerprints,
      options.checkpointFile,
      options.stepEmbeddingsFolder,
    );
    if (checkpoint) run.restore(checkpoint);
    return run;
  }

  private restore(checkpoint: TrainingCheckpoint): void {
    this.trainer.restore(checkpoint.trainer);
    this.rng = TrainingRng.fromState(checkpoint.rng);
    this.sampler.restore(checkpoint.sampler);
    this.losses = [...checkpoint.losses];
    this.lastCheckpointStep = checkpoint.trainer.optimizerStep;
  }

  /** Optimizer steps done. */
  get step(): number {
    return this.trainer.optimizerStep;
  }

  /** Mean loss of every optimizer step so far (restored ones included). */
  get lossHistory(): readonly number[] {
    return this.losses;
  }

  /** The next micro-batch from the run's generator. */
  drawBatch(): DrawnBatch {
    return this.sampler.draw(this.rng);
  }

  /** A batch drawn from its own generator (`seed`), independent of the run: for fixed evaluations. */
  evaluationBatch(seed: number): DrawnBatch {
    return new BatchSampler(this.samplerOptions).draw(new TrainingRng(seed));
  }

  /** Loss of `batch` at the current vectors. */
  evaluate(batch: TrainingBatch): Promise<number> {
    return this.trainer.evaluate(batch);
  }

  /** One optimizer step: `gradientAccumulation` micro-batches, then AdamW. */
  async optimizerStep(): Promise<Omit<StepReport, 'checkpointed'>> {
    const started = performance.now();
    let loss = 0;
    let graphMs = 0;
    let lr = 0;
    const micro = this.config.gradientAccumulation;
    for (let k = 0; k < micro; k++) {
      const result = await this.trainer.trainStep(this.drawBatch());
      loss += result.loss / micro;
      graphMs += result.graphMs;
      lr = result.lr;
    }
    this.losses.push(loss);
    return {
      step: this.trainer.optimizerStep,
      maxSteps: this.config.steps,
      loss,
      lr,
      graphMs,
      stepMs: performance.now() - started,
    };
  }

  /** Writes the checkpoint file (no-op without one). */
  async saveCheckpoint(): Promise<boolean> {
    if (!this.checkpointFile) return false;
    await saveTrainingCheckpoint(this.checkpointFile, {
      format: CHECKPOINT_FORMAT,
      version: 1,
      config: this.config,
      modelFingerprint: this.fingerprints.model,
      ...(this.fingerprints.weights ? { weightsFingerprint: this.fingerprints.weights } : {}),
      datasetFingerprint: this.fingerprints.dataset,
      placeholder: {
        token: this.placeholder.token,
        names: [...this.placeholder.names],
        ids: [...this.placeholder.ids],
        initializerId: this.placeholder.initializerId,
      },
      trainer: this.trainer.state(),
      rng: this.rng.state(),
      sampler: this.sampler.state(),
      losses: this.losses,
      savedAt: new Date().toISOString(),
    });
    this.lastCheckpointStep = this.step;
    return true;
  }

  /** Writes the current vectors as this step's embedding file (no-op without a folder). */
  private async saveStepEmbedding(): Promise<void> {
    if (!this.stepEmbeddingsFolder) return;
    const file = path.join(this.stepEmbeddingsFolder, stepEmbeddingFileName(this.step));
    await writeEmbeddingFile(file, [this.embedding()]);
  }

  /**
   * Trains until `config.steps` optimizer steps are done. A checkpoint (and, with a step-embeddings
   * folder, the step's embedding file) is written every `checkpointEvery` steps and at the end; a
   * checkpoint alone when `signal` aborts (then the abort reason is thrown), so an interrupted and resumed
   * run leaves the same step files as an uninterrupted one. A non-finite loss throws
   * `TrainingDivergedError` naming the last good checkpoint, which is left as it was.
   */
  async run(hooks: RunHooks = {}): Promise<LearnedEmbedding> {
    const { signal, onStep } = hooks;
    if (this.stepEmbeddingsFolder) await removeStepEmbeddingFilesAfter(this.stepEmbeddingsFolder, this.step);
    while (this.step < this.config.steps) {
      if (signal?.aborted) {
        await this.saveCheckpoint();
        signal.throwIfAborted();
      }
      let report: Omit<StepReport, 'checkpointed'>;
      try {
        report = await this.optimizerStep();
      } catch (error) {
        if (!(error instanceof TrainingDivergedError)) throw error;
        const kept =
          this.lastCheckpointStep !== undefined && this.checkpointFile
            ? `the last good checkpoint (step ${this.lastCheckpointStep}) is kept at ${this.checkpointFile}`
            : 'no checkpoint was written yet (set checkpoint_every to keep one)';
        throw new TrainingDivergedError(`${error.message}; ${kept}`);
      }
      const every = this.config.checkpointEvery;
      const scheduled = (every > 0 && this.step % every === 0) || this.step === this.config.steps;
      // the step file first: a checkpoint at step N implies the files up to N exist
      if (scheduled) await this.saveStepEmbedding();
      const checkpointed = scheduled ? await this.saveCheckpoint() : false;
      await onStep?.({ ...report, checkpointed });
    }
    if (this.lastCheckpointStep !== this.step) await this.saveCheckpoint();
    return this.embedding();
  }

  /** The current vectors as a learned embedding. */
  embedding(): LearnedEmbedding {
    const vectors = this.trainer.rows;
    const numVectors = this.placeholder.ids.length;
    return {
      token: this.placeholder.token,
      names: [...this.placeholder.names],
      numVectors,
      dim: vectors.length / numVectors,
      vectors,
      step: this.step,
    };
  }
}
