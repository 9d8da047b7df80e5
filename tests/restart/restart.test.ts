import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { historySchema, promptAcceptedSchema, type QueueTaskWire } from '../../protocol/wireSchemas';
import { postJson, startTestStudio, tempRoot, waitUntil, WsRecorder } from '../support/testStudio';
import { createTestNodes } from '../support/testNodes';

const quick = (value: number) => ({
  '1': { class_type: 'TestNumber', inputs: { value } },
  '2': { class_type: 'TestOutput', inputs: { value: ['1', 0] } },
});
const blocking = {
  '1': { class_type: 'TestBlock', inputs: { value: 5 } },
  '2': { class_type: 'TestOutput', inputs: { value: ['1', 0] } },
};

async function queue(url: string, prompt: unknown): Promise<{ prompt_id: string; number: number }> {
  const response = await postJson(`${url}/prompt`, { prompt, client_id: 'r' });
  expect(response.status).toBe(200);
  return promptAcceptedSchema.parse(await response.json());
}

describe('restart', () => {
  it('keeps history and re-queues pending prompts', async () => {
    const root = await tempRoot('studio-restart-');
    const before = createTestNodes();
    const first = await startTestStudio({ root, extraNodes: before.nodes });
    const ws = await WsRecorder.open(first.url, 'r');
    const done = await queue(first.url, quick(1));
    await ws.finished(done.prompt_id);
    const blocked = await queue(first.url, blocking);
    await before.gate.entered;
    const pending = await queue(first.url, quick(2));
    expect(pending.number).toBe(blocked.number + 1);
    ws.close();
    await first.close();
    expect(before.log).toEqual(['TestNumber:1', 'TestOutput:2', 'TestBlock:1']);

    const saved = JSON.parse(await readFile(path.join(root, 'data', 'queue.json'), 'utf8')) as {
      pending: QueueTaskWire[];
    };
    expect(saved.pending.map((task) => task[1])).toEqual([pending.prompt_id]);

    const after = createTestNodes();
    const second = await startTestStudio({ root, extraNodes: after.nodes });
    try {
      const ws2 = await WsRecorder.open(second.url, 'r');
      // The pending prompt may finish before the socket connects: poll history instead of waiting for frames.
      await waitUntil(() => second.history.has(pending.prompt_id), 'the re-queued prompt is in history');
      const history = historySchema.parse(await (await fetch(`${second.url}/history`)).json());
      expect(Object.keys(history)).toEqual([done.prompt_id, blocked.prompt_id, pending.prompt_id]);
      expect(history[done.prompt_id].outputs).toEqual({ '2': { values: [1] } });
      expect(history[blocked.prompt_id].status).toMatchObject({ status_str: 'error', completed: false });
      expect(history[blocked.prompt_id].status.messages.at(-1)?.[0]).toBe('execution_interrupted');
      expect(history[pending.prompt_id].outputs).toEqual({ '2': { values: [2] } });
      expect(after.log).toEqual(['TestNumber:1', 'TestOutput:2']);

      // Numbering continues after the restored prompts.
      const next = await queue(second.url, quick(3));
      expect(next.number).toBeGreaterThan(pending.number);
      await ws2.finished(next.prompt_id);
      ws2.close();
    } finally {
      await second.close();
    }
  });

  it('records a prompt cut off by a crash as an error instead of re-running it', async () => {
    const root = await tempRoot('studio-crash-');
    const task = (n: number, id: string): QueueTaskWire => [n, id, quick(n), { client_id: 'r' }, ['2']];
    await mkdir(path.join(root, 'data'), { recursive: true });
    await writeFile(
      path.join(root, 'data', 'queue.json'),
      JSON.stringify({ version: 1, running: [task(7, 'was-running')], pending: [task(8, 'was-pending')] }),
    );
    const t = createTestNodes();
    const studio = await startTestStudio({ root, extraNodes: t.nodes });
    try {
      await waitUntil(() => studio.history.has('was-pending'), 'the re-queued prompt is in history');
      expect(studio.history.get('was-running')?.status.messages[0][1]).toMatchObject({
        exception_type: 'StudioRestart',
      });
      expect(studio.history.get('was-pending')?.outputs).toEqual({ '2': { values: [8] } });
      expect(t.log).toEqual(['TestNumber:1', 'TestOutput:2']);
    } finally {
      await studio.close();
    }
  });
});
