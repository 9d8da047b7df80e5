import { appendFile, mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../../protocol/wireSchemas';
import { HistoryStore } from './historyStore';

const entry = (n: number): HistoryEntry => ({
  prompt: [n, `id${n}`, { '1': { class_type: 'X', inputs: {} } }, {}, ['1']],
  outputs: { '1': { images: [{ filename: `f${n}.png`, subfolder: '', type: 'output' }] } },
  status: {
    status_str: 'success',
    completed: true,
    messages: [['execution_start', { prompt_id: `id${n}` }]],
  },
});

async function tempFile(): Promise<string> {
  return path.join(await mkdtemp(path.join(os.tmpdir(), 'history-')), 'history.jsonl');
}

describe('HistoryStore', () => {
  it('replays puts, deletes and clears from the log', async () => {
    const file = await tempFile();
    const store = await HistoryStore.open(file);
    await store.put('id1', entry(1));
    await store.put('id2', entry(2));
    await store.put('id3', entry(3));
    await store.delete(['id2']);
    const reopened = await HistoryStore.open(file);
    expect(Object.keys(reopened.list())).toEqual(['id1', 'id3']);
    expect(reopened.get('id3')).toEqual(entry(3));
    expect(reopened.maxNumber()).toBe(3);
    // Reopening compacted the log to one line per live entry.
    expect((await readFile(file, 'utf8')).trim().split('\n')).toHaveLength(2);
    await reopened.clear();
    expect((await HistoryStore.open(file)).size).toBe(0);
  });

  it('skips a torn last line', async () => {
    const file = await tempFile();
    const store = await HistoryStore.open(file);
    await store.put('id1', entry(1));
    await appendFile(file, '{"op":"put","id":"id2","entry":{"prom');
    const reopened = await HistoryStore.open(file);
    expect(reopened.skippedLines).toBe(1);
    expect(Object.keys(reopened.list())).toEqual(['id1']);
  });

  it('lists the newest N with max_items, or a window from the oldest with offset', async () => {
    const store = await HistoryStore.open(await tempFile());
    for (let n = 1; n <= 5; n += 1) await store.put(`id${n}`, entry(n));
    expect(Object.keys(store.list({ maxItems: 2 }))).toEqual(['id4', 'id5']);
    expect(Object.keys(store.list({ maxItems: 2, offset: 1 }))).toEqual(['id2', 'id3']);
    expect(Object.keys(store.list({ offset: 3 }))).toEqual(['id4', 'id5']);
  });

  it('drops the oldest beyond maxEntries', async () => {
    const file = await tempFile();
    const store = await HistoryStore.open(file, { maxEntries: 3 });
    for (let n = 1; n <= 5; n += 1) await store.put(`id${n}`, entry(n));
    expect(Object.keys(store.list())).toEqual(['id3', 'id4', 'id5']);
    expect(Object.keys((await HistoryStore.open(file, { maxEntries: 3 })).list())).toEqual([
      'id3',
      'id4',
      'id5',
    ]);
  });
});
