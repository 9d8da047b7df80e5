/**
 * The training-step session's on-disk cache: the first start builds the graph and keeps onnxruntime's
 * optimized model in the weights' build cache; a second start (a new session, as after a restart) loads it
 * with optimisation off and computes the same loss and gradient.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFrozenModel } from '../../server/sd/model/loadFrozenModel';
import { ensureTinyModels, tinyCheckpointPath } from '../../server/sd/tiny/tinyModels';
import { trainableModelFromFrozen } from '../../server/training/textualInversion/trainableModel';
import {
  TrainingStepSession,
  type StepFeeds,
} from '../../server/training/textualInversion/trainingStepSession';
import { tempDir } from './tinyTrainingSetup';

function feeds(hidden: number, sequence: number, batch: number, latent: number): StepFeeds {
  const wave = (n: number, f: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * f));
  const inputIds = new Int32Array(batch * sequence).fill(999);
  for (let b = 0; b < batch; b++) inputIds.set([998, 40, 1000, 41], b * sequence);
  return {
    rows: wave(hidden, 0.37).map((v) => 0.02 * v),
    placeholderIds: Int32Array.from([1000]),
    inputIds,
    noisyLatents: wave(batch * 4 * latent * latent, 0.11),
    timesteps: Array.from({ length: batch }, (_, b) => 100 + 300 * b),
    target: wave(batch * 4 * latent * latent, 0.07),
  };
}

describe('training-step session cache', () => {
  it('a second start loads the optimized model from disk and gives identical loss and gradient', async () => {
    const dir = tempDir('ti-step-cache');
    const modelsDir = path.join(dir, 'models');
    await ensureTinyModels(modelsDir, { clip: false, demoEmbedding: false });
    const frozen = await loadFrozenModel(tinyCheckpointPath(modelsDir), {
      modelsDir,
      cacheDir: path.join(dir, 'cache'),
      provider: 'cpu',
    });
    const models = trainableModelFromFrozen(frozen);
    expect(models.cacheDir).toBe(frozen.cacheDir);
    const shape = { batch: 2, numVectors: 1, latentHeight: 8, latentWidth: 8 };
    const input = feeds(models.tokenTable.dims[1], models.sequenceLength, 2, 8);

    const first = await TrainingStepSession.create(models, shape, 'cpu');
    const second = await TrainingStepSession.create(models, shape, 'cpu');
    const [a, b] = [await first.run(input), await second.run(input)];
    console.log(
      `[measure] tiny step session: first start ${first.createMs.toFixed(0)} ms, second ${second.createMs.toFixed(0)} ms`,
    );
    await Promise.all([first.release(), second.release(), frozen.close()]);

    expect([first.origin, second.origin]).toEqual(['built', 'disk cache']);
    const folders = fs.readdirSync(path.join(frozen.cacheDir!, 'training-step'));
    expect(folders).toHaveLength(1);
    expect(folders[0]).toMatch(/^b2-v1-8x8-cpu-[0-9a-f]{16}$/);
    expect(a.loss).toBeGreaterThan(0);
    expect(b.loss).toBeCloseTo(a.loss, 6);
    expect(b.grad.length).toBe(a.grad.length);
    const scale = Math.max(...a.grad.map(Math.abs));
    expect(scale).toBeGreaterThan(0);
    for (let i = 0; i < a.grad.length; i++)
      expect(Math.abs(b.grad[i]! - a.grad[i]!)).toBeLessThan(1e-5 * scale);
  });
});
