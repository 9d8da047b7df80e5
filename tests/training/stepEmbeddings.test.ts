/**
 * The per-step embedding files a run keeps (diffusers' `--save_steps`): one per scheduled checkpoint and
 * the last step, each holding exactly the vectors of that step; an interrupted and resumed run leaves the
 * same files as an uninterrupted one, and a new run clears the step files an earlier one left.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readEmbeddingFile } from '../../server/sd/embeddings/embeddingFile';
import { listStepEmbeddingFiles, stepEmbeddingFileName } from '../../server/sd/embeddings/stepEmbeddingFiles';
import { prepareRun, tempDir, testConfig } from './tinyTrainingSetup';

const config = testConfig({ steps: 10, checkpointEvery: 4 });

function savedVectors(folder: string): Map<number, Float32Array> {
  return new Map(
    fs
      .readdirSync(folder)
      .filter((name) => name.startsWith('learned_embeds-steps-'))
      .map((name) => {
        const file = readEmbeddingFile(path.join(folder, name));
        expect(file.embeddings.map((e) => [e.token, e.numVectors])).toEqual([['<cat-toy>', 2]]);
        return [Number(/(\d+)/.exec(name)![1]), file.embeddings[0]!.vectors] as const;
      }),
  );
}

describe('per-step embedding files of a training run', () => {
  const root = tempDir('ti-step-files');
  const full = path.join(root, 'full');
  const atStep = new Map<number, Float32Array>();

  it('saves the embedding of every checkpoint step and the last step, equal to the vectors at that step', async () => {
    const run = await prepareRun(config, {
      checkpointFile: path.join(full, 'checkpoint.json'),
      stepEmbeddingsFolder: full,
    });
    await run.run({ onStep: (r) => void atStep.set(r.step, Float32Array.from(run.embedding().vectors)) });
    expect((await listStepEmbeddingFiles(full)).map((s) => s.step)).toEqual([4, 8, 10]);
    const saved = savedVectors(full);
    for (const step of [4, 8, 10])
      expect(Array.from(saved.get(step)!)).toEqual(Array.from(atStep.get(step)!));
    // the vectors do move between saved steps, so equal files are no accident
    expect(Array.from(saved.get(4)!)).not.toEqual(Array.from(saved.get(8)!));
  });

  it('an interrupted and resumed run leaves the same step files; stale ones of an earlier run go', async () => {
    const folder = path.join(root, 'resumed');
    fs.mkdirSync(folder, { recursive: true });
    fs.writeFileSync(path.join(folder, stepEmbeddingFileName(99)), 'stale');
    const checkpointFile = path.join(folder, 'checkpoint.json');
    const first = await prepareRun(config, { checkpointFile, stepEmbeddingsFolder: folder });
    const abort = new AbortController();
    await expect(
      first.run({
        signal: abort.signal,
        onStep: (r) => (r.step === 6 ? abort.abort(new Error('stop at 6')) : undefined),
      }),
    ).rejects.toThrow('stop at 6');
    // the abort checkpoint (step 6) writes no step file: only scheduled steps have one
    expect((await listStepEmbeddingFiles(folder)).map((s) => s.step)).toEqual([4]);

    const resumed = await prepareRun(config, { checkpointFile, stepEmbeddingsFolder: folder, resume: true });
    await resumed.run();
    const saved = savedVectors(folder);
    expect([...saved.keys()].sort((a, b) => a - b)).toEqual([4, 8, 10]);
    for (const step of [4, 8, 10]) {
      const worst = Math.max(...saved.get(step)!.map((v, i) => Math.abs(v - atStep.get(step)![i]!)));
      expect(worst).toBeLessThanOrEqual(1e-6);
    }
  });
});
