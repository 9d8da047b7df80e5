/**
 * The optimizer core on the tiny models: gradient accumulation over micro-batches equals one step on the
 * whole batch, the learning rate follows the schedule per optimizer step (not per micro-batch), and a
 * v-prediction model (tiny SD 2.x) trains against the velocity, as its inference sessions confirm.
 */
import { describe, expect, it } from 'vitest';
import { addNoise, getVelocity } from '../../server/diffusion/noiseSchedule';
import {
  EmbeddingTrainer,
  type OptimizerSettings,
  type TrainingBatch,
} from '../../server/training/textualInversion/embeddingTrainer';
import { trainableModelFromFrozen } from '../../server/training/textualInversion/trainableModel';
import { prepareRun, testConfig, tinyModel } from './tinyTrainingSetup';

const optimizer: OptimizerSettings = {
  learningRate: 1e-2,
  beta1: 0.9,
  beta2: 0.999,
  eps: 1e-8,
  weightDecay: 1e-2,
  lrScheduler: 'constant',
  lrWarmupSteps: 0,
  maxSteps: 10,
  gradientAccumulation: 1,
};

function half(batch: TrainingBatch, which: 0 | 1): TrainingBatch {
  const ids = batch.inputIds.length / 2;
  const latent = batch.latents.length / 2;
  return {
    inputIds: batch.inputIds.slice(which * ids, (which + 1) * ids),
    latents: batch.latents.slice(which * latent, (which + 1) * latent),
    noise: batch.noise.slice(which * latent, (which + 1) * latent),
    timesteps: [batch.timesteps[which]!],
  };
}

describe('EmbeddingTrainer', () => {
  it('accumulating two micro-batches of 1 takes the same AdamW step as one batch of 2', async () => {
    const run = await prepareRun(testConfig());
    const batch = run.evaluationBatch(5);
    const frozen = await tinyModel();
    const models = trainableModelFromFrozen(frozen);
    const common = {
      models,
      schedulerConfig: frozen.schedulerConfig,
      placeholderIds: run.placeholder.ids,
      rows: run.placeholder.rows,
      latentHeight: 16,
      latentWidth: 16,
      provider: 'cpu' as const,
    };
    const whole = await EmbeddingTrainer.create({ ...common, optimizer, batchSize: 2 });
    const split = await EmbeddingTrainer.create({
      ...common,
      optimizer: { ...optimizer, gradientAccumulation: 2 },
      batchSize: 1,
    });

    const once = await whole.trainStep(batch);
    const first = await split.trainStep(half(batch, 0));
    expect(first.optimizerStepped).toBe(false);
    expect(split.rows).toEqual(run.placeholder.rows);
    const second = await split.trainStep(half(batch, 1));
    expect(second.optimizerStepped).toBe(true);
    expect(second.optimizerStep).toBe(1);

    expect(Math.abs((first.loss + second.loss) / 2 - once.loss)).toBeLessThanOrEqual(1e-6);
    const meanGrad = first.grad.map((g, i) => (g + second.grad[i]!) / 2);
    const scale = Math.max(...once.grad.map(Math.abs));
    expect(Math.max(...meanGrad.map((g, i) => Math.abs(g - once.grad[i]!))) / scale).toBeLessThanOrEqual(
      1e-4,
    );
    const a = whole.rows;
    expect(Math.max(...split.rows.map((v, i) => Math.abs(v - a[i]!)))).toBeLessThanOrEqual(1e-6);
  });

  it('keeps working after the session cache evicted and freed its session', async () => {
    const runs = [];
    for (const numVectors of [1, 2, 3]) runs.push(await prepareRun(testConfig({ numVectors, batchSize: 1 })));
    const batch = runs[0]!.evaluationBatch(4);
    const before = await runs[0]!.evaluate(batch);
    for (const run of runs.slice(1)) await run.evaluate(run.evaluationBatch(4));
    // three shapes in a cache of two: the first session was freed and is rebuilt on demand
    expect(await runs[0]!.evaluate(batch)).toBe(before);
  });

  it('reports the scheduled learning rate of each optimizer step (warm-up, then constant)', async () => {
    const run = await prepareRun(
      testConfig({
        steps: 4,
        lrScheduler: 'constant_with_warmup',
        lrWarmupSteps: 2,
        learningRate: 1e-2,
        gradientAccumulation: 2,
        batchSize: 2,
      }),
    );
    const lrs: number[] = [];
    await run.run({ onStep: (r) => void lrs.push(r.lr) });
    expect(lrs).toEqual([0, 5e-3, 1e-2, 1e-2]);
    expect(run.lossHistory.length).toBe(4);
  });

  it("trains a v-prediction model against get_velocity: the step loss equals the inference sessions' MSE", async () => {
    const frozen = await tinyModel('sd2');
    expect(frozen.info.predictionType).toBe('v_prediction');
    const run = await prepareRun(testConfig({ steps: 1 }), { family: 'sd2' });
    expect(run.trainer.predictionType).toBe('v_prediction');
    const batch = run.evaluationBatch(9);
    const stepLoss = await run.evaluate(batch);

    const [vocab, hidden] = [frozen.info.vocabSize, frozen.info.textHiddenSize];
    const table = frozen.tokenEmbeddings();
    const rows = run.placeholder.rows;
    const embeds = new Float32Array(batch.inputIds.length * hidden);
    batch.inputIds.forEach((id, p) => {
      const slot = run.placeholder.ids.indexOf(id);
      embeds.set(
        slot >= 0
          ? rows.subarray(slot * hidden, (slot + 1) * hidden)
          : table.subarray(id * hidden, (id + 1) * hidden),
        p * hidden,
      );
      if (slot < 0) expect(id).toBeLessThan(vocab);
    });
    const sequence = frozen.info.maxLength;
    const context = await frozen.textEncoderFromEmbeds(
      { data: embeds, dims: [2, sequence, hidden] },
      batch.inputIds,
    );
    const dims = [2, frozen.info.latentChannels, 16, 16];
    const noisy = addNoise(run.trainer.schedule, batch.latents, batch.noise, batch.timesteps);
    const pred = await frozen.unet(
      { data: noisy, dims },
      Float32Array.from(batch.timesteps),
      context.lastHiddenState,
    );
    const velocity = getVelocity(run.trainer.schedule, batch.latents, batch.noise, batch.timesteps);
    const mse = pred.data.reduce((a, v, i) => a + (v - velocity[i]!) ** 2, 0) / velocity.length;
    const againstNoise = pred.data.reduce((a, v, i) => a + (v - batch.noise[i]!) ** 2, 0) / velocity.length;
    expect(Math.abs(stepLoss - mse)).toBeLessThanOrEqual(1e-4 * mse);
    expect(Math.abs(stepLoss - againstNoise)).toBeGreaterThan(1e-3 * mse);
  });
});
