/**
 * Whole training runs on the tiny model: learning (a fixed evaluation batch's loss falls), exact resume
 * after an interrupt, divergence handling with the last good checkpoint kept, and the settings errors.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TrainingDivergedError } from '../../server/training/textualInversion/embeddingTrainer';
import { loadTrainingCheckpoint } from '../../server/training/textualInversion/trainingCheckpoint';
import type { TrainingRun } from '../../server/training/textualInversion/trainingRun';
import { prepareRun, tempDir, testConfig, testImages } from './tinyTrainingSetup';

async function meanLoss(run: TrainingRun, seeds: readonly number[]): Promise<number> {
  let total = 0;
  for (const seed of seeds) total += await run.evaluate(run.evaluationBatch(seed));
  return total / seeds.length;
}

describe('a 30-step textual-inversion run on the tiny model', () => {
  const dir = tempDir('ti-run');
  const fullFile = path.join(dir, 'full.json');
  let full: Float32Array;
  let fullLosses: readonly number[];

  it('lowers the mean loss of a fixed evaluation set and checkpoints at the end', async () => {
    const run = await prepareRun(testConfig(), { checkpointFile: fullFile });
    const evalSeeds = [101, 102, 103, 104];
    const before = await meanLoss(run, evalSeeds);
    const reports: number[] = [];
    const embedding = await run.run({ onStep: (r) => void reports.push(r.step) });
    const after = await meanLoss(run, evalSeeds);
    expect(reports).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(after).toBeLessThan(before - 1e-4);
    expect(embedding.step).toBe(30);
    expect([embedding.numVectors, embedding.dim]).toEqual([2, run.trainer.rows.length / 2]);
    expect(embedding.names).toEqual(['<cat-toy>', '<cat-toy>_1']);
    full = embedding.vectors;
    fullLosses = run.lossHistory;
    const saved = loadTrainingCheckpoint(fullFile);
    expect(saved.trainer.optimizerStep).toBe(30);
    expect(saved.trainer.rows).toEqual(Array.from(full));
  });

  it('interrupted at step 15 and resumed, ends with the same embedding as the uninterrupted run', async () => {
    const file = path.join(dir, 'interrupted.json');
    const first = await prepareRun(testConfig({ checkpointEvery: 10 }), { checkpointFile: file });
    const abort = new AbortController();
    await expect(
      first.run({
        signal: abort.signal,
        onStep: (r) => (r.step === 15 ? abort.abort(new Error('stop at 15')) : undefined),
      }),
    ).rejects.toThrow('stop at 15');
    expect(loadTrainingCheckpoint(file).trainer.optimizerStep).toBe(15);

    const resumed = await prepareRun(testConfig({ checkpointEvery: 10 }), {
      checkpointFile: file,
      resume: true,
    });
    expect(resumed.step).toBe(15);
    const steps: number[] = [];
    const embedding = await resumed.run({ onStep: (r) => void steps.push(r.step) });
    expect(steps[0]).toBe(16);
    const worst = Math.max(...embedding.vectors.map((v, i) => Math.abs(v - full[i]!)));
    expect(worst).toBeLessThanOrEqual(1e-6);
    expect(resumed.lossHistory.length).toBe(30);
    resumed.lossHistory.forEach((loss, i) =>
      expect(Math.abs(loss - fullLosses[i]!)).toBeLessThanOrEqual(1e-6),
    );
  });

  it('refuses to resume with other settings or images, naming what changed', async () => {
    await expect(
      prepareRun(testConfig({ learningRate: 1e-3 }), { checkpointFile: fullFile, resume: true }),
    ).rejects.toThrow(/settings differ.*learningRate: 0\.02 → 0\.001/);
    await expect(
      prepareRun(testConfig(), { checkpointFile: fullFile, resume: true, images: testImages(2) }),
    ).rejects.toThrow(/training images or their captions differ/);
    const captioned = { ...testImages(3), captions: ['on a table', '', 'in the snow'] };
    await expect(
      prepareRun(testConfig(), { checkpointFile: fullFile, resume: true, images: captioned }),
    ).rejects.toThrow(/training images or their captions differ/);
  });

  it('names a caption count that does not match the images', async () => {
    const images = { ...testImages(3), captions: ['on a table'] };
    await expect(prepareRun(testConfig(), { images })).rejects.toThrow(
      /1 captions for \d+ training images; give one per image/,
    );
  });
});

describe('training failures', () => {
  it('stops on a non-finite loss and keeps the last good checkpoint', async () => {
    const file = path.join(tempDir('ti-nan'), 'ckpt.json');
    const run = await prepareRun(testConfig({ learningRate: 1e30, checkpointEvery: 1, steps: 10 }), {
      checkpointFile: file,
    });
    const error = await run.run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrainingDivergedError);
    const message = (error as Error).message;
    expect(message).toMatch(/loss became (NaN|Infinity|-Infinity)|gradient did not stay finite/);
    const saved = loadTrainingCheckpoint(file);
    expect(message).toContain(
      `last good checkpoint (step ${saved.trainer.optimizerStep}) is kept at ${file}`,
    );
    expect(saved.trainer.optimizerStep).toBeGreaterThanOrEqual(1);
    expect(saved.trainer.rows.every(Number.isFinite)).toBe(true);
  });

  it.each([
    [
      'a placeholder already in the vocabulary',
      { placeholderToken: 'cat' },
      /token "cat" is already in the vocabulary/,
    ],
    ['a multi-token initializer', { initializerToken: 'cat toy' }, /initializer token "cat toy" is 2 tokens/],
    ['zero steps', { steps: 0 }, /steps: Too small/],
    [
      'a resolution the UNet cannot take',
      { resolution: 100 },
      /resolution 100 must be a positive multiple of 64/,
    ],
  ])('rejects %s', async (_label, overrides, message) => {
    await expect(prepareRun(testConfig(overrides))).rejects.toThrow(message);
  });

  it('rejects a resume without a checkpoint, naming the file and the fix', async () => {
    const file = path.join(tempDir('ti-missing'), 'none.json');
    await expect(prepareRun(testConfig(), { checkpointFile: file, resume: true })).rejects.toThrow(
      `no training checkpoint at ${file} to resume from; turn resume off to start a new run`,
    );
    expect(fs.existsSync(file)).toBe(false);
  });
});
