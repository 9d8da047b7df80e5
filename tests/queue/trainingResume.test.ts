import { cp, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainingFolder } from '../../nodes/training/textualInversionTrainer';
import { loadTrainingCheckpoint } from '../../server/training/textualInversion/trainingCheckpoint';
import { redisSkipReason } from '../support/redisServer';
import { withSkipReason } from '../support/skipReason';
import { installTrainingFiles, trainingPrompt } from '../support/trainingStudio';
import { QueueCluster } from './queueCluster';

const skip = redisSkipReason();
const STEPS = 30;

let cluster: QueueCluster;

const checkpointOf = (token: string) =>
  loadTrainingCheckpoint(path.join(trainingFolder(cluster.studio.dirs.output, token), 'checkpoint.json'));

beforeAll(async () => {
  if (skip) return;
  // the workers start while the models are written: they look for models only when a prompt runs
  cluster = await QueueCluster.start({
    secret: 'training-secret-0123456789',
    rootPrefix: 'studio-queue-training-',
    clientId: 'train',
    workers: ['w1', 'w2'],
    worker: {
      // model loading holds a worker's event loop for a second or two: the lock must outlast that
      lockMs: 8000,
      // every checkpoint reaches the server at once: the kill below lands mid-run even on a fast machine
      extraArgs: ['--upload-every-ms', '0'],
    },
  });
  await installTrainingFiles(cluster.studio);
  // each worker has its own copy of the models (its --models-dir); nothing else is shared with the server
  for (const name of ['w1', 'w2'])
    await cp(cluster.studio.dirs.models, path.join(cluster.root, `${name}-models`), { recursive: true });
});

afterAll(() => cluster?.stop());

describe.skipIf(skip !== undefined)(withSkipReason('queue mode: training on a lost worker', skip), () => {
  it('resumes on the other worker from the last checkpoint it uploaded and ends with the identical embedding', async () => {
    const { studio, ws } = cluster;
    const settings = { steps: STEPS, checkpoint_every: 1 };
    // the reference runs uninterrupted on one worker while the other trains the probe and is killed
    const reference = await cluster.queue(
      trainingPrompt({ ...settings, token: '<ref>' }, { filename: 'ref' }),
    );
    const id = await cluster.queue(trainingPrompt({ ...settings, token: '<probe>' }, { filename: 'probe' }));
    // kill the worker once the server holds a checkpoint from the middle of the run
    let uploadedStep = 0;
    while (uploadedStep < 3) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      uploadedStep = await stat(
        path.join(trainingFolder(studio.dirs.output, '<probe>'), 'checkpoint.json'),
      ).then(
        () => checkpointOf('<probe>').trainer.optimizerStep,
        () => 0,
      );
    }
    const victim = await cluster.workerRunning(id);
    expect(victim).toBeDefined();
    expect(uploadedStep).toBeLessThan(STEPS);
    await cluster.killWorker(victim ?? '');
    const killedAt = ws.frames.length;
    await ws.finished(reference, 120_000);
    const expected = checkpointOf('<ref>').trainer.rows;
    await ws.finished(id, 120_000);

    const entry = await cluster.historyOf(id);
    const survivor = victim === 'w1' ? 'w2' : 'w1';
    expect(entry?.status).toMatchObject({ status_str: 'success', completed: true });
    expect(entry?.attempts?.map((a) => [a.worker, a.status])).toEqual([
      [victim, 'lost'],
      [survivor, 'success'],
    ]);
    const resumedSteps = ws.frames
      .slice(killedAt)
      .filter((f) => f.type === 'ti_loss' && f.data.prompt_id === id)
      .map((f) => Number(f.data.step));
    // the survivor starts after a checkpoint the victim uploaded, not at step 1
    expect(resumedSteps[0]).toBeGreaterThan(uploadedStep);
    expect(resumedSteps.at(-1)).toBe(STEPS);
    const rows = checkpointOf('<probe>').trainer.rows;
    expect(checkpointOf('<probe>').trainer.optimizerStep).toBe(STEPS);
    expect(Math.max(...rows.map((v, i) => Math.abs(v - expected[i]!)))).toBe(0);
    expect((await stat(path.join(studio.dirs.output, 'probe.safetensors'))).size).toBeGreaterThan(0);
  });
});
