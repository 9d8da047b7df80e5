/**
 * The training-step session's on-disk cache: the first start builds the graph in a child process that
 * keeps onnxruntime's optimized model in the weights' build cache; a second start (a new session, as after
 * a restart) loads it with optimisation off and computes the same loss and gradient. The child's build
 * writes the same optimized model as a build in this process.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../server/onnx/modelIO';
import { graphOf } from '../../server/onnx/surgery';
import { loadFrozenModel } from '../../server/sd/model/loadFrozenModel';
import { ensureTinyModels, tinyCheckpointPath } from '../../server/sd/tiny/tinyModels';
import { trainableModelFromFrozen } from '../../server/training/textualInversion/trainableModel';
import {
  TrainingStepSession,
  type StepFeeds,
} from '../../server/training/textualInversion/trainingStepSession';
import { tempDir } from './tinyTrainingSetup';

async function openTiny(dir: string) {
  const modelsDir = path.join(dir, 'models');
  await ensureTinyModels(modelsDir, { clip: false, demoEmbedding: false });
  return loadFrozenModel(tinyCheckpointPath(modelsDir), {
    modelsDir,
    cacheDir: path.join(dir, 'cache'),
    provider: 'cpu',
  });
}

/**
 * The one cached training-step model under `cacheDir`: its nodes without their names (onnxruntime's layout
 * transformer numbers the nodes it adds in no fixed order), its other graph fields, and the external data's
 * sha256.
 */
function cachedModel(cacheDir: string) {
  const root = path.join(cacheDir, 'training-step');
  const [folder, ...more] = fs.readdirSync(root);
  expect(more).toEqual([]);
  const file = path.join(root, folder!, 'optimized.onnx');
  const { node, ...graph } = graphOf(loadModel(file).model);
  return {
    nodes: (node ?? []).map(({ name: _name, ...rest }) => JSON.stringify(rest)),
    graph: JSON.stringify(graph),
    data: createHash('sha256')
      .update(fs.readFileSync(`${file}_data`))
      .digest('hex'),
  };
}

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
    const frozen = await openTiny(tempDir('ti-step-cache'));
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

    expect([first.origin, second.origin]).toEqual(['child build', 'disk cache']);
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

  it('a child-process build writes the same optimized model as an in-process build, with the same step result', async () => {
    const here = await openTiny(tempDir('ti-step-in-process'));
    const child = await openTiny(tempDir('ti-step-child'));
    const shape = { batch: 1, numVectors: 2, latentHeight: 8, latentWidth: 8 };
    const modelsHere = trainableModelFromFrozen(here);
    const input = {
      ...feeds(modelsHere.tokenTable.dims[1], modelsHere.sequenceLength, 1, 8),
      rows: Float32Array.from({ length: 2 * modelsHere.tokenTable.dims[1] }, (_, i) => 0.02 * Math.cos(i)),
      placeholderIds: Int32Array.from([1000, 40]),
    };
    const inProcess = await TrainingStepSession.create(modelsHere, shape, 'cpu', { build: 'in-process' });
    const inChild = await TrainingStepSession.create(trainableModelFromFrozen(child), shape, 'cpu');
    const [a, b] = [await inProcess.run(input), await inChild.run(input)];
    console.log(
      `[measure] tiny step session: in-process build ${inProcess.createMs.toFixed(0)} ms, child build + load ${inChild.createMs.toFixed(0)} ms`,
    );
    await Promise.all([inProcess.release(), inChild.release(), here.close(), child.close()]);

    expect([inProcess.origin, inChild.origin]).toEqual(['built', 'child build']);
    const [built, childBuilt] = [cachedModel(here.cacheDir!), cachedModel(child.cacheDir!)];
    expect(childBuilt.nodes.length).toBeGreaterThan(1000);
    expect(childBuilt).toEqual(built);
    expect(a.loss).toBeGreaterThan(0);
    expect(b.loss).toBeCloseTo(a.loss, 6);
    const scale = Math.max(...a.grad.map(Math.abs));
    expect(scale).toBeGreaterThan(0);
    for (let i = 0; i < a.grad.length; i++)
      expect(Math.abs(b.grad[i]! - a.grad[i]!)).toBeLessThan(1e-5 * scale);
  });

  it('a failed child build names the model, the exit and the child error', async () => {
    const frozen = await openTiny(tempDir('ti-step-child-fails'));
    const models = trainableModelFromFrozen(frozen);
    const missing = path.join(path.dirname(frozen.info.path), 'gone.safetensors');
    const shape = { batch: 1, numVectors: 1, latentHeight: 8, latentWidth: 8 };
    const failing = TrainingStepSession.create({ ...models, source: { path: missing } }, shape, 'cpu');
    await expect(failing).rejects.toThrow(
      new RegExp(`of ${missing} in a child process exited with code 1;[^]*gone\\.safetensors does not exist`),
    );
    await frozen.close();
  });
});
