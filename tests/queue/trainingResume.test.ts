import { cp, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { historySchema } from '../../protocol/wireSchemas';
import { trainingFolder } from '../../nodes/training/textualInversionTrainer';
import { loadTrainingCheckpoint } from '../../server/training/textualInversion/trainingCheckpoint';
import { type RedisServer, redisSkipReason, startRedis } from '../support/redisServer';
import { withSkipReason } from '../support/skipReason';
import { tempRoot, WsRecorder } from '../support/testStudio';
import { queuePrompt, startTrainingStudio, type TestStudio, trainingPrompt } from '../support/trainingStudio';
import { spawnWorker, type WorkerProcess } from '../support/workerProcess';

const skip = redisSkipReason();
const SECRET = 'training-secret-0123456789';
const STEPS = 30;

let redis: RedisServer;
let studio: TestStudio;
let ws: WsRecorder;
const workers: WorkerProcess[] = [];

const checkpointOf = (token: string) =>
  loadTrainingCheckpoint(path.join(trainingFolder(studio.dirs.output, token), 'checkpoint.json'));

async function workerRunning(promptId: string): Promise<string | undefined> {
  const stats = (await (await fetch(`${studio.url}/system_stats`)).json()) as {
    workers: { name: string; running: string | null }[];
  };
  return stats.workers.find((w) => w.running === promptId)?.name;
}

beforeAll(async () => {
  if (skip) return;
  redis = await startRedis();
  const root = await tempRoot('studio-queue-training-');
  studio = await startTrainingStudio({ root, queue: redis.url, secret: SECRET });
  ws = await WsRecorder.open(studio.url, 'train');
  for (const name of ['w1', 'w2']) {
    // model loading holds a worker's event loop for a second or two: the lock must outlast that
    // each worker has its own copy of the models; nothing else is shared with the server
    const modelsDir = path.join(root, `${name}-models`);
    await cp(studio.dirs.models, modelsDir, { recursive: true });
    workers.push(
      spawnWorker({
        name,
        queue: redis.url,
        server: studio.url,
        root,
        secret: SECRET,
        modelsDir,
        lockMs: 8000,
        // every checkpoint reaches the server at once: the kill below lands mid-run even on a fast machine
        extraArgs: ['--upload-every-ms', '0'],
      }),
    );
  }
});

afterAll(async () => {
  ws?.close();
  await Promise.all(workers.map((w) => w.stop('SIGKILL')));
  await studio?.close();
  await redis?.stop();
});

describe.skipIf(skip !== undefined)(withSkipReason('queue mode: training on a lost worker', skip), () => {
  it('resumes on the other worker from the last checkpoint it uploaded and ends with the identical embedding', async () => {
    const settings = { steps: STEPS, checkpoint_every: 1 };
    // the reference runs uninterrupted on one worker while the other trains the probe and is killed
    const reference = await queuePrompt(
      studio,
      trainingPrompt({ ...settings, token: '<ref>' }, { filename: 'ref' }),
      'train',
    );
    const id = await queuePrompt(
      studio,
      trainingPrompt({ ...settings, token: '<probe>' }, { filename: 'probe' }),
      'train',
    );
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
    const victim = await workerRunning(id);
    expect(victim).toBeDefined();
    expect(uploadedStep).toBeLessThan(STEPS);
    await workers.find((w) => w.name === victim)?.stop('SIGKILL');
    const killedAt = ws.frames.length;
    await ws.finished(reference, 120_000);
    const expected = checkpointOf('<ref>').trainer.rows;
    await ws.finished(id, 120_000);

    const entry = historySchema.parse(await (await fetch(`${studio.url}/history/${id}`)).json())[id];
    const survivor = victim === 'w1' ? 'w2' : 'w1';
    expect(entry.status).toMatchObject({ status_str: 'success', completed: true });
    expect(entry.attempts?.map((a) => [a.worker, a.status])).toEqual([
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
