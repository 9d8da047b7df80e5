/**
 * Textual-inversion training speed on the embedded tiny SD 1.x model (CPU provider): per optimizer step,
 * the time of the training-step graph alone (its session run, measured inside the step) vs the whole
 * trainer step (batch draw from the cached latents, add_noise, target, feeds, session run, AdamW), so the
 * JS overhead around the graph is visible; plus training samples/s. Medians after warm-up, per batch size.
 */
import path from 'node:path';
import { frozenLatentEncoder } from '../../server/training/textualInversion/latentEncoder';
import { trainableModelFromFrozen } from '../../server/training/textualInversion/trainableModel';
import { TrainingRun } from '../../server/training/textualInversion/trainingRun';
import { createImage } from '../../server/image/imageIO';
import { loadFrozenModel } from '../../server/sd/model/loadFrozenModel';
import { ensureTinyModels, tinyCheckpointPath } from '../../server/sd/tiny/tinyModels';
import { median, type BenchContext, type BenchResult, type Benchmark } from './benchmark';

const WARMUP = Number(process.env.BENCH_WARMUP ?? 5);
const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const BATCH_SIZES = (process.env.BENCH_TI_BATCHES ?? '1,4').split(',').map(Number);
/** JS overhead target: (trainer step − graph) / trainer step. */
const OVERHEAD_LIMIT = 0.05;

function images(count: number) {
  const batch = createImage(count, 128, 128, 3);
  for (let i = 0; i < batch.data.length; i++) batch.data[i] = 0.5 + 0.45 * Math.sin(i * 0.017);
  return batch;
}

async function measure(context: BenchContext, batchSize: number) {
  const modelsDir = path.join(context.tmpDir, 'models');
  const frozen = await loadFrozenModel(tinyCheckpointPath(modelsDir), { modelsDir, provider: 'cpu' });
  const run = await TrainingRun.prepare({
    models: trainableModelFromFrozen(frozen),
    tokenizer: frozen.newTokenizer(),
    encoder: frozenLatentEncoder(frozen),
    images: images(4),
    schedulerConfig: frozen.schedulerConfig,
    config: {
      placeholderToken: '<bench-toy>',
      initializerToken: 'toy',
      numVectors: 1,
      template: 'object',
      steps: WARMUP + RUNS,
      learningRate: 5e-3,
      batchSize,
      resolution: 128,
      seed: 1,
    },
    provider: 'cpu',
  });
  const graph: number[] = [];
  const step: number[] = [];
  await run.run({
    onStep: (r) => {
      if (r.step <= WARMUP) return;
      graph.push(r.graphMs);
      step.push(r.stepMs);
    },
  });
  await frozen.close();
  const graphMs = median(graph);
  const stepMs = median(step);
  // per-step overhead, then its median: robust to the odd slow session run
  const overhead = median(step.map((s, i) => (s - graph[i]!) / s));
  return {
    batchSize,
    graphMs,
    stepMs,
    overhead,
    samplesPerSecond: (1000 * batchSize) / stepMs,
    stepsPerSecond: 1000 / stepMs,
  };
}

export const trainingStepBenchmark: Benchmark = {
  name: 'training-step',
  description:
    'textual-inversion step on the tiny model (CPU): training-step graph vs whole trainer step, samples/s',
  async run(context: BenchContext): Promise<BenchResult> {
    await ensureTinyModels(path.join(context.tmpDir, 'models'), { clip: false, demoEmbedding: false });
    const results = [];
    for (const batchSize of BATCH_SIZES) {
      context.log(`batch ${batchSize}: ${WARMUP} warm-up + ${RUNS} measured steps`);
      results.push(await measure(context, batchSize));
    }
    return {
      summary: results.map(
        (r) =>
          `batch ${r.batchSize}: graph ${r.graphMs.toFixed(1)} ms, trainer step ${r.stepMs.toFixed(1)} ms ` +
          `(JS overhead ${(100 * r.overhead).toFixed(2)}%), ${r.samplesPerSecond.toFixed(1)} samples/s`,
      ),
      targets: results.map((r) => ({
        name: `JS overhead per trainer step, batch ${r.batchSize} (fraction)`,
        value: r.overhead,
        limit: OVERHEAD_LIMIT,
      })),
      data: { warmup: WARMUP, runs: RUNS, provider: 'cpu', model: 'tiny-sd (embedded)', results },
    };
  },
};
