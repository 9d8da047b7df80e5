/**
 * The weight-training loop: one session call per step gives the loss and every weight gradient, AdamW
 * updates the weights in place, and checkpoints are written every `checkpointEvery` steps. Batches are a
 * pure function of the step number, so a run resumed from a checkpoint takes exactly the steps an
 * uninterrupted run takes and ends with identical weights; and the next step's batch is drawn while this
 * step's session runs.
 */
import fs from 'node:fs';
import { ort, type ModelSession } from '../../onnx/sessions';
import type { ParameterGraph } from './parameterGradientGraph';
import type { WeightOptimizer } from './weightOptimizer';
import { loadWeightCheckpoint, restoreWeightCheckpoint, saveWeightCheckpoint } from './weightCheckpoint';

/** One step's numbers, for progress bars and loss charts. */
export interface WeightStepReport {
  readonly step: number;
  readonly totalSteps: number;
  readonly loss: number;
  readonly lr: number;
  readonly gradNorm: number;
}

export interface WeightTrainingOptions {
  readonly graph: ParameterGraph;
  /** A session of `graph.model`. */
  readonly session: ModelSession;
  readonly optimizer: WeightOptimizer;
  /** The data feeds of optimizer step `step` (0-based); must depend on `step` alone. */
  readonly batch: (step: number) => Record<string, ort.Tensor> | Promise<Record<string, ort.Tensor>>;
  readonly totalSteps: number;
  /** Resumable state: the file, how often to write it, and the key of the recipe it must belong to. */
  readonly checkpoint?: { readonly file: string; readonly every: number; readonly recipe: string };
  /** Continue from `checkpoint.file` when it exists (default true). */
  readonly resume?: boolean;
  readonly onStep?: (report: WeightStepReport) => void;
  /** Stops after the current step (the last checkpoint stays). */
  readonly signal?: AbortSignal;
}

/** What a run did: the loss of every step from the first (resumed steps included) and where it stopped. */
export interface WeightTrainingResult {
  readonly losses: number[];
  readonly step: number;
  readonly resumedFrom: number;
  readonly interrupted: boolean;
  /**
   * Wall-clock seconds of every step taken so far, resumed runs included (batches, session, update); undefined
   * when it resumed from a checkpoint that did not record its time.
   */
  readonly seconds: number | undefined;
}

/** Trains until `totalSteps` (or the signal); returns the loss history. */
export async function trainWeights(options: WeightTrainingOptions): Promise<WeightTrainingResult> {
  const { graph, session, optimizer, checkpoint } = options;
  let losses: number[] = [];
  let earlierSeconds: number | undefined = 0;
  if (checkpoint && (options.resume ?? true) && fs.existsSync(checkpoint.file)) {
    const saved = loadWeightCheckpoint(checkpoint.file, checkpoint.recipe);
    restoreWeightCheckpoint(saved, graph.parameters, optimizer);
    losses = saved.losses;
    earlierSeconds = saved.step === 0 ? 0 : saved.seconds;
  }
  const resumedFrom = optimizer.step;
  const start = performance.now();
  const seconds = () =>
    earlierSeconds === undefined ? undefined : earlierSeconds + (performance.now() - start) / 1000;
  // the seconds a run returns are those its last checkpoint holds, read once for both
  let savedSeconds: number | undefined;
  const save = async () => {
    savedSeconds = seconds();
    if (checkpoint)
      await saveWeightCheckpoint(
        checkpoint.file,
        checkpoint.recipe,
        graph.parameters,
        optimizer,
        losses,
        savedSeconds,
      );
    return savedSeconds;
  };
  const fetches = [graph.loss, ...[...graph.parameters.keys()].map(graph.gradName)];
  // the next step's batch is requested before this step's session runs (batches depend on the step alone);
  // onnxruntime-node runs sessions on the JS thread, so this orders the work rather than overlapping it
  const draw = (step: number) => {
    const pending = Promise.resolve().then(() => options.batch(step));
    pending.catch(() => {}); // awaited below; an abandoned prefetch must not become an unhandled rejection
    return pending;
  };
  let next = optimizer.step < options.totalSteps ? draw(optimizer.step) : undefined;
  while (optimizer.step < options.totalSteps) {
    if (options.signal?.aborted) {
      return { losses, step: optimizer.step, resumedFrom, interrupted: true, seconds: await save() };
    }
    const feeds = { ...(await next!) };
    next = optimizer.step + 1 < options.totalSteps ? draw(optimizer.step + 1) : undefined;
    for (const [name, p] of graph.parameters) feeds[name] = new ort.Tensor('float32', p.data, [...p.dims]);
    const out = await session.run(feeds, fetches);
    const loss = Number((out[graph.loss]!.data as Float32Array)[0]);
    if (!Number.isFinite(loss))
      throw new Error(`loss is ${loss} at step ${optimizer.step}; lower the learning rate or check the data`);
    const grads = new Map<string, Float32Array>();
    for (const name of graph.parameters.keys())
      grads.set(name, Float32Array.from(out[graph.gradName(name)]!.data as Float32Array));
    const { lr, gradNorm } = optimizer.update(grads);
    losses.push(loss);
    options.onStep?.({ step: optimizer.step, totalSteps: options.totalSteps, loss, lr, gradNorm });
    if (checkpoint && optimizer.step % checkpoint.every === 0) await save();
  }
  if (checkpoint && optimizer.step % checkpoint.every !== 0) await save();
  return {
    losses,
    step: optimizer.step,
    resumedFrom,
    interrupted: false,
    seconds: savedSeconds ?? seconds(),
  };
}
