/**
 * A session of the training-step graph, cached per (model, shape, provider): building it merges, folds and
 * differentiates the whole UNet, which is worth doing once per model and batch shape, not per run.
 */
import {
  createSession,
  ort,
  resolveProviders,
  type ModelSession,
  type ProviderChoice,
} from '../../onnx/sessions';
import {
  buildStepModelInChild,
  buildStepSessionInProcess,
  STEP_SESSION_LABEL,
  TRAINING_STEP_GRAPH,
  TRAINING_STEP_LOAD,
  TRAINING_STEP_MEMORY,
  TRAINING_STEP_OPTIMIZERS_OFF,
} from './trainingStepBuild';
import {
  cachedOptimizedModel,
  cacheRootOf,
  evictTrainingStepCache,
  touchCached,
  trainingCacheLimitBytes,
  trainingStepCacheFolder,
} from './trainingStepCache';
import { STEP_IO, type TrainingStepShape } from './trainingStepGraph';
import type { TrainableModel } from './trainableModel';

/** Where a session's model came from. */
export type StepSessionOrigin = 'built' | 'child build' | 'disk cache';

/** How `TrainingStepSession.create` builds a missing session. */
export interface StepSessionBuildOptions {
  /**
   * `child` (default): in a child process when the model can be reopened there and has a build cache,
   * else here; `in-process`: always here.
   */
  readonly build?: 'child' | 'in-process';
}

/** One training step's inputs, flat row-major. */
export interface StepFeeds {
  /** [numVectors, hidden] */
  readonly rows: Float32Array;
  /** [numVectors] */
  readonly placeholderIds: Int32Array;
  /** [batch, sequence] */
  readonly inputIds: Int32Array;
  /** [batch, channels, h, w] */
  readonly noisyLatents: Float32Array;
  /** [batch] */
  readonly timesteps: readonly number[];
  /** [batch, channels, h, w] */
  readonly target: Float32Array;
}

/** What one run returns. */
export interface StepOutputs {
  readonly loss: number;
  /** [numVectors, hidden] */
  readonly grad: Float32Array;
  /** Wall time of the session run alone, in milliseconds. */
  readonly runMs: number;
}

/** Thrown by `run` on a session the cache has freed; fetch a new one with `trainingStepSession`. */
export class SessionReleasedError extends Error {
  constructor() {
    super('training step session was released; get a new one from trainingStepSession()');
    this.name = 'SessionReleasedError';
  }
}

/** A ready training-step session of one shape. */
export class TrainingStepSession {
  private running = 0;
  private retired = false;
  private released = false;

  private constructor(
    private readonly session: ModelSession,
    readonly shape: TrainingStepShape,
    readonly hidden: number,
    readonly sequence: number,
    readonly channels: number,
    /** Built here, built by a child process and loaded from its file, or loaded from the on-disk cache. */
    readonly origin: StepSessionOrigin,
    /** Wall time of `create` (ms). */
    readonly createMs: number,
    /** The on-disk cache folder of the optimized model, when the model has a build cache. */
    readonly cacheFolder: string | undefined,
  ) {}

  /**
   * Builds the graph and its session (seconds for a real SD model; use `trainingStepSession` to cache in
   * memory). With `models.cacheDir` the optimized model is kept on disk and a later start loads it.
   */
  static async create(
    models: TrainableModel,
    shape: TrainingStepShape,
    provider: ProviderChoice = 'auto',
    options: StepSessionBuildOptions = {},
  ): Promise<TrainingStepSession> {
    const started = performance.now();
    const cacheLimit = trainingCacheLimitBytes();
    const providers = resolveProviders(provider, () => undefined);
    const folder = models.cacheDir
      ? trainingStepCacheFolder(models.cacheDir, shape, providers, {
          ...TRAINING_STEP_MEMORY,
          disabledOptimizers: TRAINING_STEP_OPTIMIZERS_OFF,
          ...TRAINING_STEP_GRAPH,
        })
      : undefined;
    let cached = folder ? cachedOptimizedModel(folder) : undefined;
    let origin: StepSessionOrigin = 'disk cache';
    if (!cached && folder && models.source && (options.build ?? 'child') === 'child') {
      cached = await buildStepModelInChild(models.source, shape, provider, folder, providers);
      origin = 'child build';
    }
    if (cached && folder) touchCached(folder);
    const session: ModelSession = cached
      ? await createSession(
          cached,
          { provider, optimization: 'disabled', ...TRAINING_STEP_MEMORY, ...TRAINING_STEP_LOAD },
          STEP_SESSION_LABEL,
        )
      : await buildStepSessionInProcess(models, shape, provider, folder, { providers });
    if (folder) evictTrainingStepCache(cacheRootOf(folder), cacheLimit, [folder]);
    return new TrainingStepSession(
      session,
      shape,
      models.tokenTable.dims[1],
      models.sequenceLength,
      models.latentChannels,
      cached ? origin : 'built',
      performance.now() - started,
      folder,
    );
  }

  /** Runs loss and gradient for one micro-batch. */
  async run(feeds: StepFeeds): Promise<StepOutputs> {
    if (this.released) throw new SessionReleasedError();
    this.running += 1;
    try {
      return await this.runChecked(feeds);
    } finally {
      this.running -= 1;
      if (this.retired && this.running === 0) await this.release();
    }
  }

  /** Frees the session once no run is in flight (the cache retires sessions it evicts). */
  async retire(): Promise<void> {
    this.retired = true;
    if (this.running === 0) await this.release();
  }

  private async runChecked(feeds: StepFeeds): Promise<StepOutputs> {
    const { batch, numVectors, latentHeight, latentWidth } = this.shape;
    const latentShape = [batch, this.channels, latentHeight, latentWidth];
    const latentSize = batch * this.channels * latentHeight * latentWidth;
    const expect = (name: string, actual: number, wanted: number, dims: readonly number[]): void => {
      if (actual !== wanted) {
        throw new Error(
          `training step: ${name} has ${actual} values, expected ${wanted} for shape [${dims.join(', ')}]`,
        );
      }
    };
    expect('rows', feeds.rows.length, numVectors * this.hidden, [numVectors, this.hidden]);
    expect('placeholder ids', feeds.placeholderIds.length, numVectors, [numVectors]);
    expect('input ids', feeds.inputIds.length, batch * this.sequence, [batch, this.sequence]);
    expect('noisy latents', feeds.noisyLatents.length, latentSize, latentShape);
    expect('timesteps', feeds.timesteps.length, batch, [batch]);
    expect('target', feeds.target.length, latentSize, latentShape);
    const tensors: Record<string, ort.Tensor> = {
      [STEP_IO.rows]: new ort.Tensor('float32', feeds.rows, [numVectors, this.hidden]),
      [STEP_IO.placeholderIds]: new ort.Tensor('int32', feeds.placeholderIds, [numVectors]),
      [STEP_IO.inputIds]: new ort.Tensor('int32', feeds.inputIds, [batch, this.sequence]),
      [STEP_IO.noisyLatents]: new ort.Tensor('float32', feeds.noisyLatents, latentShape),
      [STEP_IO.timesteps]: new ort.Tensor('float32', Float32Array.from(feeds.timesteps), [batch]),
      [STEP_IO.target]: new ort.Tensor('float32', feeds.target, latentShape),
    };
    const feedsPresent = Object.fromEntries(
      Object.entries(tensors).filter(([name]) => this.session.inputNames.includes(name)),
    );
    const started = performance.now();
    const out = await this.session.run(feedsPresent, [STEP_IO.loss, STEP_IO.grad]);
    const runMs = performance.now() - started;
    const loss = (out[STEP_IO.loss]!.data as Float32Array)[0]!;
    return { loss, grad: Float32Array.from(out[STEP_IO.grad]!.data as Float32Array), runMs };
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await this.session.release();
  }
}

const CACHE_LIMIT = 2;
const cache = new Map<string, Promise<TrainingStepSession>>();

/**
 * The cached session for `models` at `shape`. The newest few are kept; an evicted one is freed after its
 * last run in flight, so callers fetch the session per run rather than holding it. Concurrent callers
 * share one build.
 */
export function trainingStepSession(
  models: TrainableModel,
  shape: TrainingStepShape,
  provider: ProviderChoice = 'auto',
): Promise<TrainingStepSession> {
  const key = JSON.stringify([
    models.cacheKey,
    shape.batch,
    shape.numVectors,
    shape.latentHeight,
    shape.latentWidth,
    provider,
  ]);
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const created = TrainingStepSession.create(models, shape, provider);
  cache.set(key, created);
  created.catch(() => cache.delete(key));
  while (cache.size > CACHE_LIMIT) {
    const oldest = cache.keys().next().value as string;
    const evicted = cache.get(oldest)!;
    cache.delete(oldest);
    evicted.then((old) => old.retire()).catch(() => undefined);
  }
  return created;
}
