/**
 * Queue mode under faults. The tests share one cluster and run in order: the first queues prompts before
 * any worker exists and spawns w1 and w2, the last kills one of them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleepPrompt } from '../support/queueTestNodes';
import { redisSkipReason } from '../support/redisServer';
import { withSkipReason } from '../support/skipReason';
import { postJson, WsRecorder } from '../support/testStudio';
import { QueueCluster } from './queueCluster';

const skip = redisSkipReason();
/** A killed worker's prompt runs again elsewhere after its lock lapses (and one stall check). */
const LOCK_MS = 4000;

let cluster: QueueCluster;

beforeAll(async () => {
  if (skip) return;
  cluster = await QueueCluster.start({
    secret: 'faults-secret-0123456789',
    rootPrefix: 'studio-queue-faults-',
    clientId: 'f',
    worker: { lockMs: LOCK_MS },
    testNodes: true,
  });
});

afterAll(() => cluster?.stop());

describe.skipIf(skip !== undefined)(withSkipReason('queue mode: faults', skip), () => {
  it('keeps pending prompts in Redis across a server restart', async () => {
    const ids = [await cluster.queue(sleepPrompt(10, 1)), await cluster.queue(sleepPrompt(10, 2))];
    const front = await cluster.queue(sleepPrompt(10, 3), { front: true });
    await cluster.restartStudio({ samePort: false });
    expect(await cluster.pendingIds()).toEqual([front, ...ids]);
    cluster.spawnWorker('w1');
    cluster.spawnWorker('w2');
    for (const id of [front, ...ids]) await cluster.ws.finished(id, 60_000);
    const entries = await cluster.history();
    expect([front, ...ids].map((id) => entries[id].outputs['1'])).toEqual([
      { values: [3] },
      { values: [1] },
      { values: [2] },
    ]);
  });

  it('routes /interrupt to the worker that runs the prompt', async () => {
    const id = await cluster.queue(sleepPrompt(20_000, 4));
    const worker = await cluster.runningOn(id);
    // a client that reconnects mid-run is told which node runs, as in-process
    const reconnected = await WsRecorder.open(cluster.url, 'f');
    expect((await reconnected.waitFor((f) => f.type === 'executing')).data).toEqual({
      node: '1',
      display_node: '1',
      prompt_id: id,
    });
    reconnected.close();
    expect(await cluster.interrupt('another-prompt')).toBe(false);
    expect(await cluster.interrupt(id)).toBe(true);
    await cluster.ws.finished(id);
    const entry = (await cluster.history())[id];
    expect(entry.worker).toBe(worker);
    expect(entry.status.messages.at(-1)?.[0]).toBe('execution_interrupted');
    expect(entry.attempts?.map((a) => [a.worker, a.status])).toEqual([[worker, 'interrupted']]);
  });

  it('orders, front-queues, deletes and clears as in-process', async () => {
    const { ws } = cluster;
    const blockers = [
      await cluster.queue(sleepPrompt(20_000, 5)),
      await cluster.queue(sleepPrompt(20_000, 6)),
    ];
    const firstWorker = await cluster.runningOn(blockers[0]);
    await cluster.runningOn(blockers[1]);
    const back1 = await cluster.queue(sleepPrompt(10, 7));
    const back2 = await cluster.queue(sleepPrompt(10, 8));
    const front = await cluster.queue(sleepPrompt(10, 9), { front: true });
    expect(await cluster.pendingIds()).toEqual([front, back1, back2]);
    await postJson(`${cluster.url}/queue`, { delete: [back1] });
    expect(await cluster.pendingIds()).toEqual([front, back2]);
    expect(await cluster.interrupt(blockers[0])).toBe(true);
    await ws.finished(front);
    expect(await cluster.interrupt(blockers[1])).toBe(true);
    await ws.finished(back2);
    const entries = await cluster.history();
    expect(entries[front].worker).toBe(firstWorker);
    expect(entries[back1]).toBeUndefined();

    const more = [await cluster.queue(sleepPrompt(20_000, 10)), await cluster.queue(sleepPrompt(20_000, 11))];
    await Promise.all(more.map((id) => cluster.runningOn(id)));
    const cleared = [await cluster.queue(sleepPrompt(10, 12)), await cluster.queue(sleepPrompt(10, 13))];
    await postJson(`${cluster.url}/queue`, { clear: true });
    expect(await cluster.pendingIds()).toEqual([]);
    expect(await cluster.interrupt()).toBe(true);
    for (const id of more) await ws.finished(id);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const after = await cluster.history();
    expect(cleared.map((id) => after[id])).toEqual([undefined, undefined]);
    expect(await (await fetch(`${cluster.url}/prompt`)).json()).toEqual({
      exec_info: { queue_remaining: 0 },
    });
  });

  it('lets a worker finish its prompt for a restarted server on the same port', async () => {
    const id = await cluster.queue(sleepPrompt(3000, 15));
    const worker = await cluster.runningOn(id);
    await cluster.restartStudio({ samePort: true });
    await cluster.ws.finished(id, 30_000);
    const entry = (await cluster.history())[id];
    expect(entry.status).toMatchObject({ status_str: 'success', completed: true });
    expect(entry.outputs['1']).toEqual({ values: [15] });
    expect(entry.worker).toBe(worker);
  });

  it('runs a prompt again on the other worker when its worker is killed, and records both attempts', async () => {
    const id = await cluster.queue(sleepPrompt(3000, 14));
    const victim = await cluster.runningOn(id);
    const survivor = victim === 'w1' ? 'w2' : 'w1';
    await cluster.killWorker(victim);
    await cluster.ws.finished(id, 30_000);
    const entry = (await cluster.history())[id];
    expect(entry.status).toMatchObject({ status_str: 'success', completed: true });
    expect(entry.outputs['1']).toEqual({ values: [14] });
    expect(entry.worker).toBe(survivor);
    expect(entry.attempts?.map((a) => [a.worker, a.status])).toEqual([
      [victim, 'lost'],
      [survivor, 'success'],
    ]);
  });
});
