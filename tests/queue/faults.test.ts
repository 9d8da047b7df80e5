import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { historySchema, promptAcceptedSchema, queueStateSchema } from '../../protocol/wireSchemas';
import { nodes as queueTestNodes, sleepPrompt } from '../support/queueTestNodes';
import { type RedisServer, redisSkipReason, startRedis } from '../support/redisServer';
import { withSkipReason } from '../support/skipReason';
import { postJson, startTestStudio, tempRoot, WsRecorder } from '../support/testStudio';
import { spawnWorker, type WorkerProcess } from '../support/workerProcess';

const skip = redisSkipReason();
const SECRET = 'faults-secret-0123456789';
/** A killed worker's prompt runs again elsewhere after its lock lapses (and one stall check). */
const LOCK_MS = 4000;

let redis: RedisServer;
let root: string;
let studio: Awaited<ReturnType<typeof startTestStudio>>;
let ws: WsRecorder;
const workers: WorkerProcess[] = [];

const startQueueStudio = () =>
  startTestStudio({ root, queue: redis.url, secret: SECRET, extraNodes: queueTestNodes });

async function queue(prompt: unknown, extra: Record<string, unknown> = {}): Promise<string> {
  const response = await postJson(`${studio.url}/prompt`, { prompt, client_id: 'f', ...extra });
  expect(response.status).toBe(200);
  return promptAcceptedSchema.parse(await response.json()).prompt_id;
}

const pendingIds = async () =>
  queueStateSchema.parse(await (await fetch(`${studio.url}/queue`)).json()).queue_pending.map((t) => t[1]);
const history = async () => historySchema.parse(await (await fetch(`${studio.url}/history`)).json());

async function runningOn(promptId: string): Promise<string> {
  await ws.waitFor((f) => f.type === 'progress' && f.data.prompt_id === promptId);
  const stats = (await (await fetch(`${studio.url}/system_stats`)).json()) as {
    workers: { name: string; running: string | null }[];
  };
  const worker = stats.workers.find((w) => w.running === promptId);
  if (!worker) throw new Error(`no worker runs ${promptId}: ${JSON.stringify(stats.workers)}`);
  return worker.name;
}

const interrupt = async (promptId?: string) =>
  (
    (await (await postJson(`${studio.url}/interrupt`, promptId ? { prompt_id: promptId } : {})).json()) as {
      interrupted: boolean;
    }
  ).interrupted;

beforeAll(async () => {
  if (skip) return;
  redis = await startRedis();
  root = await tempRoot('studio-queue-faults-');
  studio = await startQueueStudio();
});

afterAll(async () => {
  ws?.close();
  await Promise.all(workers.map((w) => w.stop('SIGKILL')));
  await studio?.close();
  await redis?.stop();
});

describe.skipIf(skip !== undefined)(withSkipReason('queue mode: faults', skip), () => {
  it('keeps pending prompts in Redis across a server restart', async () => {
    const ids = [await queue(sleepPrompt(10, 1)), await queue(sleepPrompt(10, 2))];
    const front = await queue(sleepPrompt(10, 3), { front: true });
    await studio.close();
    studio = await startQueueStudio();
    expect(await pendingIds()).toEqual([front, ...ids]);
    ws = await WsRecorder.open(studio.url, 'f');
    for (const name of ['w1', 'w2'])
      workers.push(
        spawnWorker({
          name,
          queue: redis.url,
          server: studio.url,
          root,
          secret: SECRET,
          lockMs: LOCK_MS,
          testNodes: true,
        }),
      );
    for (const id of [front, ...ids]) await ws.finished(id, 60_000);
    const entries = await history();
    expect([front, ...ids].map((id) => entries[id].outputs['1'])).toEqual([
      { values: [3] },
      { values: [1] },
      { values: [2] },
    ]);
  });

  it('routes /interrupt to the worker that runs the prompt', async () => {
    const id = await queue(sleepPrompt(20_000, 4));
    const worker = await runningOn(id);
    // a client that reconnects mid-run is told which node runs, as in-process
    const reconnected = await WsRecorder.open(studio.url, 'f');
    expect((await reconnected.waitFor((f) => f.type === 'executing')).data).toEqual({
      node: '1',
      display_node: '1',
      prompt_id: id,
    });
    reconnected.close();
    expect(await interrupt('another-prompt')).toBe(false);
    expect(await interrupt(id)).toBe(true);
    await ws.finished(id);
    const entry = (await history())[id];
    expect(entry.worker).toBe(worker);
    expect(entry.status.messages.at(-1)?.[0]).toBe('execution_interrupted');
    expect(entry.attempts?.map((a) => [a.worker, a.status])).toEqual([[worker, 'interrupted']]);
  });

  it('orders, front-queues, deletes and clears as in-process', async () => {
    const blockers = [await queue(sleepPrompt(20_000, 5)), await queue(sleepPrompt(20_000, 6))];
    const firstWorker = await runningOn(blockers[0]);
    await runningOn(blockers[1]);
    const back1 = await queue(sleepPrompt(10, 7));
    const back2 = await queue(sleepPrompt(10, 8));
    const front = await queue(sleepPrompt(10, 9), { front: true });
    expect(await pendingIds()).toEqual([front, back1, back2]);
    await postJson(`${studio.url}/queue`, { delete: [back1] });
    expect(await pendingIds()).toEqual([front, back2]);
    expect(await interrupt(blockers[0])).toBe(true);
    await ws.finished(front);
    expect(await interrupt(blockers[1])).toBe(true);
    await ws.finished(back2);
    const entries = await history();
    expect(entries[front].worker).toBe(firstWorker);
    expect(entries[back1]).toBeUndefined();

    const more = [await queue(sleepPrompt(20_000, 10)), await queue(sleepPrompt(20_000, 11))];
    await Promise.all(more.map(runningOn));
    const cleared = [await queue(sleepPrompt(10, 12)), await queue(sleepPrompt(10, 13))];
    await postJson(`${studio.url}/queue`, { clear: true });
    expect(await pendingIds()).toEqual([]);
    expect(await interrupt()).toBe(true);
    for (const id of more) await ws.finished(id);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const after = await history();
    expect(cleared.map((id) => after[id])).toEqual([undefined, undefined]);
    expect(await (await fetch(`${studio.url}/prompt`)).json()).toEqual({ exec_info: { queue_remaining: 0 } });
  });

  it('lets a worker finish its prompt for a restarted server on the same port', async () => {
    const id = await queue(sleepPrompt(3000, 15));
    const worker = await runningOn(id);
    ws.close();
    await studio.close();
    studio = await startTestStudio({
      root,
      port: studio.port,
      queue: redis.url,
      secret: SECRET,
      extraNodes: queueTestNodes,
    });
    ws = await WsRecorder.open(studio.url, 'f');
    await ws.finished(id, 30_000);
    const entry = (await history())[id];
    expect(entry.status).toMatchObject({ status_str: 'success', completed: true });
    expect(entry.outputs['1']).toEqual({ values: [15] });
    expect(entry.worker).toBe(worker);
  });

  it('runs a prompt again on the other worker when its worker is killed, and records both attempts', async () => {
    const id = await queue(sleepPrompt(3000, 14));
    const victim = await runningOn(id);
    const survivor = victim === 'w1' ? 'w2' : 'w1';
    await workers.find((w) => w.name === victim)?.stop('SIGKILL');
    await ws.finished(id, 30_000);
    const entry = (await history())[id];
    expect(entry.status).toMatchObject({ status_str: 'success', completed: true });
    expect(entry.outputs['1']).toEqual({ values: [14] });
    expect(entry.worker).toBe(survivor);
    expect(entry.attempts?.map((a) => [a.worker, a.status])).toEqual([
      [victim, 'lost'],
      [survivor, 'success'],
    ]);
  });
});
