import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { QueueTaskWire } from '../../protocol/wireSchemas';
import { QueueStore } from './queueStore';

const task = (n: number): QueueTaskWire => [
  n,
  `id${n}`,
  { '1': { class_type: 'X', inputs: { v: n } } },
  { client_id: 'c' },
  ['1'],
];

describe('QueueStore', () => {
  it('round-trips the latest of several coalesced saves', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'queue-'));
    const store = new QueueStore(path.join(dir, 'queue.json'));
    store.save({ running: [], pending: [task(1)] });
    store.save({ running: [task(1)], pending: [task(2)] });
    store.save({ running: [task(1)], pending: [task(2), task(3)] });
    await store.flush();
    expect(await new QueueStore(path.join(dir, 'queue.json')).load()).toEqual({
      running: [task(1)],
      pending: [task(2), task(3)],
    });
    expect((await readdir(dir)).sort()).toEqual(['queue.json']);
  });

  it('moves an unreadable file aside and starts empty', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'queue-'));
    await writeFile(path.join(dir, 'queue.json'), '{"version":1,"running":[');
    const loaded = await new QueueStore(path.join(dir, 'queue.json')).load();
    expect(loaded.running).toEqual([]);
    expect(loaded.pending).toEqual([]);
    expect(path.basename(loaded.recoveredFrom ?? '')).toMatch(/^queue\.json\.corrupt-\d+$/);
    expect(await readdir(dir)).toEqual([path.basename(loaded.recoveredFrom ?? '')]);
  });
});
