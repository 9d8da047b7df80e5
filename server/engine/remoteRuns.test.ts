import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../../protocol/wireSchemas';
import type { PreviewImage } from './nodeDefinition';
import { PreviewKeeper } from './previewKeeper';
import { PromptQueue, toQueueTask, type QueueItem } from './promptQueue';
import { RemoteRuns } from './remoteRuns';

let temp: string;

beforeEach(async () => {
  temp = await mkdtemp(path.join(tmpdir(), 'remote-runs-'));
});

afterEach(async () => {
  await rm(temp, { recursive: true, force: true });
});

describe('RemoteRuns', () => {
  it("keeps a worker's previews with their node and step and lists them in the history entry", async () => {
    const queue = new PromptQueue();
    const item: QueueItem = { number: 1, promptId: 'p1', prompt: {}, extraData: {}, outputs: [] };
    queue.add(item);
    const stored = new Map<string, HistoryEntry>();
    const relayed: PreviewImage[] = [];
    const runs = new RemoteRuns(
      queue,
      { put: async (id, entry) => void stored.set(id, entry) },
      { send: () => undefined, sendPreview: (image) => void relayed.push(image) },
      undefined,
      new PreviewKeeper(temp),
    );
    runs.started('w1', toQueueTask(item));
    const image: PreviewImage = { format: 'JPEG', data: new Uint8Array([0xff, 0xd8, 7]) };
    runs.preview('p1', image, { node: '3', step: 10 });
    // an older worker sends no node and step: relayed, not kept
    runs.preview('p1', image);
    await runs.finished('w1', 'p1', { status: 'success', outputs: {}, messages: [], meta: {} });

    expect(relayed).toHaveLength(2);
    const previews = stored.get('p1')?.previews;
    expect(previews?.['3']?.map((p) => [p.subfolder, p.type, p.step])).toEqual([['previews/p1', 'temp', 10]]);
    const kept = previews!['3']![0]!;
    expect([...(await readFile(path.join(temp, kept.subfolder, kept.filename)))]).toEqual([0xff, 0xd8, 7]);
  });
});
