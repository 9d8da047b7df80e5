/**
 * Issue 14.7: a cached trainer whose checkpoint (or saved embedding) is gone runs again.
 * Issue 14.8: an interrupted run keeps its loss curve in history.
 */
import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { trainingFolder } from '../../nodes/training/textualInversionTrainer';
import { postJson, WsRecorder } from '../support/testStudio';
import {
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

const cachedNodes = (item: Awaited<ReturnType<typeof waitForHistory>>): unknown =>
  item.status.messages.find(([type]) => type === 'execution_cached')?.[1].nodes;

it('re-runs a cached trainer and its SaveEmbedding when the checkpoint folder was deleted', async () => {
  const prompt = trainingPrompt({ token: '<gone>', steps: 2 }, { filename: 'gone' });
  const folder = trainingFolder(studio.dirs.output, '<gone>');
  expect((await waitForHistory(studio, await queuePrompt(studio, prompt))).status.status_str).toBe('success');
  const again = await waitForHistory(studio, await queuePrompt(studio, prompt));
  expect(cachedNodes(again)).toEqual(['1', '2', '3', '4']);

  await rm(folder, { recursive: true });
  await rm(path.join(studio.dirs.output, 'gone.safetensors'));
  const rerun = await waitForHistory(studio, await queuePrompt(studio, prompt));
  expect(rerun.status.status_str).toBe('success');
  expect(cachedNodes(rerun)).toEqual(['1', '2']);
  expect(rerun.outputs['3']?.loss).toHaveLength(2);
  expect((await stat(path.join(folder, 'checkpoint.json'))).isFile()).toBe(true);
  expect(await readdir(studio.dirs.output)).toContain('gone.safetensors');
});

it('keeps the loss curve of an interrupted run in its history entry', async () => {
  const ws = await WsRecorder.open(studio.url, 'interrupter');
  try {
    const id = await queuePrompt(
      studio,
      trainingPrompt({ token: '<stopped>', steps: 500, checkpoint_every: 0 }),
      'interrupter',
    );
    await ws.waitFor((f) => f.type === 'ti_loss' && f.data.prompt_id === id && f.data.step === 3, 60_000);
    await postJson(`${studio.url}/interrupt`, {});
    const item = await waitForHistory(studio, id);
    expect(item.status.messages.map(([type]) => type)).toContain('execution_interrupted');
    const loss = item.outputs['3']?.loss ?? [];
    expect(loss.length).toBeGreaterThanOrEqual(3);
    expect(loss.every((v) => typeof v === 'number' && Number.isFinite(v))).toBe(true);
    const checkpoint = path.join(trainingFolder(studio.dirs.output, '<stopped>'), 'checkpoint.json');
    expect((await stat(checkpoint)).isFile()).toBe(true);
  } finally {
    ws.close();
  }
});
