/**
 * A toy UNet phase with `snrGamma` trains on min-SNR-γ weighted losses: with γ so large that every epsilon
 * weight min(SNR, γ)/SNR is 1 it computes exactly the plain MSE run's losses, and with a small γ the same
 * batch gives a smaller loss, since no weight exceeds 1 and low-noise samples weigh less.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { randomWeights } from '../../server/sd/tiny/randomWeights';
import { clipModelParameterShapes, vaeParameterShapes } from '../../server/sd/weights/parameterShapes';
import { toyClipConfig, toyModelConfigs } from '../../server/training/toy/toyConfigs';
import { trainToyUnet, weightsOf, type UnetPhase } from '../../server/training/toy/toyRecipe';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'toy-unet-snr-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const text = {
  weights: weightsOf(randomWeights('clip', clipModelParameterShapes(toyClipConfig()), 1)),
  recipe: 'test',
};
const vae = weightsOf(randomWeights('vae', vaeParameterShapes(toyModelConfigs().vae), 2));
const phase: UnetPhase = { steps: 2, batch: 16, lr: 1e-3, warmup: 1, seed: 404 };
const losses = async (name: string, snrGamma?: number) =>
  (await trainToyUnet([{ ...phase, snrGamma }], text, vae, 1, { workDir: path.join(tmp, name), threads: 1 }))
    .losses;

describe('a toy UNet phase with min-SNR-γ loss weights', () => {
  it('equals plain MSE when γ caps nothing, and weighs low-noise samples down when it does', async () => {
    const plain = await losses('plain');
    expect(await losses('uncapped', 1e12)).toEqual(plain);
    // γ = 0.5 caps every sample with SNR above 0.5 (t below ~600): the same first batch weighs much less
    const weighted = await losses('gamma', 0.5);
    console.info(`[min-SNR] plain ${plain.join(', ')}; γ = 0.5 ${weighted.join(', ')}`);
    expect(weighted[0]).toBeLessThan(0.8 * plain[0]!);
  });
});
