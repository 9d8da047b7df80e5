/** Issue 14.9: history is bounded in entries and bytes, `max_items` works, WebSocket frames are capped. */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCliArgs } from '../../server/config';
import { startTestStudio } from '../support/testStudio';
import { type TestStudio, waitForHistory } from '../support/trainingStudio';

const MB = 1024 * 1024;
let studio: TestStudio;
beforeAll(async () => {
  studio = await startTestStudio({ maxHistoryBytes: 3 * MB });
});
afterAll(async () => {
  await studio.close();
});

const cheapPrompt = {
  '1': { class_type: 'EmptyImage', inputs: { width: 8, height: 8, batch_size: 1, color: 0 } },
  '2': { class_type: 'PreviewImage', inputs: { images: ['1', 0] } },
};

async function queueBig(target: TestStudio, note: string): Promise<string> {
  const response = await fetch(`${target.url}/prompt`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ prompt: cheapPrompt, extra_data: { note } }),
  });
  const { prompt_id: id } = (await response.json()) as { prompt_id: string };
  await waitForHistory(target, id);
  return id;
}

describe('history retention', () => {
  it('drops the oldest entries beyond --max-history-size, in memory, on disk and after a restart', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) ids.push(await queueBig(studio, String(i).repeat(MB)));
    await studio.history.flush();
    const listed = Object.keys((await (await fetch(`${studio.url}/history`)).json()) as object);
    expect(listed).toEqual(ids.slice(-2));
    expect(studio.history.bytes).toBeLessThanOrEqual(3 * MB);
    expect((await stat(path.join(studio.root, 'data', 'history.jsonl'))).size).toBeLessThanOrEqual(8 * MB);

    const root = studio.root;
    await studio.close();
    studio = await startTestStudio({ root, maxHistoryBytes: 3 * MB });
    expect(Object.keys(studio.history.list())).toEqual(ids.slice(-2));
  });

  it('keeps at most --max-history-items entries; GET /history?max_items=N gives the newest N', async () => {
    expect(parseCliArgs(['--max-history-items', '2', '--max-history-size', '1.5'])).toMatchObject({
      maxHistoryEntries: 2,
      maxHistoryBytes: Math.round(1.5 * MB),
    });
    const few = await startTestStudio({ maxHistoryEntries: 3 });
    try {
      const ids: string[] = [];
      for (let i = 0; i < 5; i += 1) ids.push(await queueBig(few, `n${i}`));
      expect(Object.keys(few.history.list())).toEqual(ids.slice(-3));
      const newest = (await (await fetch(`${few.url}/history?max_items=2`)).json()) as object;
      expect(Object.keys(newest)).toEqual(ids.slice(-2));
    } finally {
      await few.close();
    }
  });
});

describe('WebSocket max payload', () => {
  it('closes a socket that sends a 2 MB frame with 1009 and keeps serving', async () => {
    const socket = new WebSocket(`${studio.url.replace('http', 'ws')}/ws?clientId=big`);
    await new Promise((resolve) => socket.once('open', resolve));
    const closed = new Promise<number>((resolve) => {
      socket.once('close', (code) => resolve(code));
      setTimeout(() => resolve(-1), 10_000);
    });
    socket.on('error', () => undefined);
    socket.send('x'.repeat(2 * MB));
    expect(await closed).toBe(1009);
    expect((await fetch(`${studio.url}/queue`)).status).toBe(200);
  });
});
