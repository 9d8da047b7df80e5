/**
 * Reference test of the textual-inversion trainer: golden.json → textual_inversion, run through the
 * product trainer (`EmbeddingTrainer.trainStep`, the same call every training run makes) on models from
 * both of the dataset's sources — the ONNX exports (`onnx/`) and the diffusers folder (`model/`, built
 * with our graph builders). Both recorded steps: loss, gradient and the rows after AdamW.
 */
import { describe, expect, it } from 'vitest';
import { EmbeddingTrainer } from '../../server/training/textualInversion/embeddingTrainer';
import { trainingSchedule, trainingTarget } from '../../server/training/textualInversion/trainingTarget';
import { initialPlaceholderRows } from '../../server/training/textualInversion/placeholderTokens';
import {
  trainableModelFromWeights,
  trainableModelFromOnnxExport,
  type TrainableModel,
} from '../../server/training/textualInversion/trainableModel';
import { addNoise } from '../../server/diffusion/noiseSchedule';
import { openDiffusersFolder } from '../../server/sd/weights/diffusersFolder';
import { maxAbs } from '../support/arrayCompare';
import { datasetName, datasetPath, goldenAdamW, goldenArray, goldenValue } from '../support/referenceData';

const ti = 'textual_inversion';
const placeholderIds = goldenValue(`${ti}.placeholder_ids`) as number[];
const initializerId = goldenValue(`${ti}.initializer_token_id`) as number;
const timesteps = goldenValue(`${ti}.timesteps`) as number[];
const optimizer = goldenAdamW();
const steps = goldenValue(`${ti}.steps`) as unknown[];
const inputIds = goldenArray(`${ti}.input_ids`);
const latents = goldenArray(`${ti}.latents_x0`);
const noise = goldenArray(`${ti}.noise`);
const schedulerConfig = goldenValue('meta.scheduler_config');
const [batch, , latentHeight, latentWidth] = latents.shape as [number, number, number, number];

const sources: Array<[string, () => TrainableModel]> = [
  ['onnx/ exports', () => trainableModelFromOnnxExport(datasetPath('onnx'))],
  ['model/ diffusers folder', () => trainableModelFromWeights(openDiffusersFolder(datasetPath('model')))],
];

describe.each(sources)(`textual inversion through the trainer (${datasetName}, %s)`, (_label, load) => {
  it('matches both recorded steps: loss, gradient and rows after AdamW', async () => {
    const models = load();
    const rows = initialPlaceholderRows(models.tokenTable, initializerId, placeholderIds.length);
    const initial = goldenArray(`${ti}.initial_placeholder_rows`);
    expect([placeholderIds.length, models.tokenTable.dims[1]]).toEqual(initial.shape);
    expect(Array.from(rows)).toEqual(Array.from(initial.data));

    const trainer = await EmbeddingTrainer.create({
      models,
      schedulerConfig,
      placeholderIds,
      rows,
      optimizer: {
        learningRate: optimizer.lr,
        beta1: optimizer.betas[0],
        beta2: optimizer.betas[1],
        eps: optimizer.eps,
        weightDecay: optimizer.weight_decay,
        lrScheduler: 'constant',
        lrWarmupSteps: 0,
        maxSteps: steps.length,
        gradientAccumulation: 1,
      },
      batchSize: batch,
      latentHeight,
      latentWidth,
      provider: 'cpu',
    });
    const goldenBatch = {
      inputIds: Int32Array.from(inputIds.data),
      latents: latents.data,
      noise: noise.data,
      timesteps,
    };
    for (let k = 0; k < steps.length; k++) {
      const result = await trainer.trainStep(goldenBatch);
      const wantLoss = goldenValue(`${ti}.steps.${k}.loss`) as number;
      expect(
        Math.abs(result.loss - wantLoss),
        `step ${k} loss ${result.loss} vs ${wantLoss}`,
      ).toBeLessThanOrEqual(1e-4 * Math.abs(wantLoss));

      const wantGrad = goldenArray(`${ti}.steps.${k}.grad_placeholder_rows`);
      const scale = maxAbs(wantGrad.data);
      const gradError = maxAbs(wantGrad.data.map((v, i) => v - result.grad[i]!));
      expect(gradError / scale, `step ${k} gradient error relative to max|grad|`).toBeLessThanOrEqual(1e-3);

      const wantRows = goldenArray(`${ti}.steps.${k}.placeholder_rows_after_step`);
      const got = trainer.rows;
      const rowsError = maxAbs(wantRows.data.map((v, i) => v - got[i]!));
      expect(rowsError, `step ${k} rows after AdamW`).toBeLessThanOrEqual(1e-5);
      expect(result.optimizerStep).toBe(k + 1);
      expect(result.lr).toBe(optimizer.lr);
    }
  });
});

describe(`textual-inversion batch inputs (${datasetName})`, () => {
  it('adds noise exactly as the recorded noisy_latents (the trainer uses the same schedule)', () => {
    const { schedule, predictionType } = trainingSchedule(schedulerConfig);
    const meta = goldenValue('meta') as { prediction_type?: string };
    expect(predictionType).toBe(meta.prediction_type ?? 'epsilon');
    const noisy = addNoise(schedule, latents.data, noise.data, timesteps);
    const want = goldenArray(`${ti}.noisy_latents`).data;
    expect(maxAbs(want.map((v, i) => v - noisy[i]!))).toBeLessThanOrEqual(1e-6 * maxAbs(want));
  });

  it('trains against the target the scheduler config asks for (recorded `target` where the set has one)', () => {
    const { schedule, predictionType } = trainingSchedule(schedulerConfig);
    const target = trainingTarget(schedule, predictionType, latents.data, noise.data, timesteps);
    const recorded =
      (goldenValue(ti) as Record<string, unknown>).target !== undefined
        ? goldenArray(`${ti}.target`).data
        : noise.data;
    expect(maxAbs(recorded.map((v, i) => v - target[i]!))).toBeLessThanOrEqual(1e-6 * maxAbs(recorded));
  });
});
