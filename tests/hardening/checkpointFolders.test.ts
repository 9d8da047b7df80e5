/** Issue 14.1: every exact token has its own checkpoint folder, so one run never replaces another's. */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadTrainingCheckpoint } from '../../server/training/textualInversion/trainingCheckpoint';
import {
  errorMessageOf,
  queuePrompt,
  startTrainingStudio,
  type TestStudio,
  trainingPrompt,
  waitForHistory,
} from '../support/trainingStudio';

let studio: TestStudio;
beforeAll(async () => {
  studio = await startTrainingStudio();
});
afterAll(async () => {
  await studio.close();
});

const checkpointsRoot = (): string => path.join(studio.dirs.output, 'textual_inversion');

it('"<probe>" and "probe" keep separate checkpoints; resuming "<probe>" continues its own run', async () => {
  const first = await queuePrompt(studio, trainingPrompt({ token: '<probe>', steps: 3 }, { filename: 'a' }));
  expect((await waitForHistory(studio, first)).status.status_str).toBe('success');
  const second = await queuePrompt(studio, trainingPrompt({ token: 'probe', steps: 1 }, { filename: 'b' }));
  expect((await waitForHistory(studio, second)).status.status_str).toBe('success');

  const folders = await readdir(checkpointsRoot());
  expect(folders).toHaveLength(2);
  const steps = folders
    .map((f) => loadTrainingCheckpoint(path.join(checkpointsRoot(), f, 'checkpoint.json')))
    .map((c) => [c.placeholder.token, c.trainer.optimizerStep])
    .sort();
  expect(steps).toEqual([
    ['<probe>', 3],
    ['probe', 1],
  ]);

  const resumed = await queuePrompt(
    studio,
    trainingPrompt({ token: '<probe>', steps: 4, resume: true }, { filename: 'c' }),
  );
  const item = await waitForHistory(studio, resumed);
  expect(errorMessageOf(item)).toBeUndefined();
  expect(item.outputs['3']?.loss).toHaveLength(4);
});
