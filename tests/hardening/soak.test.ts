/**
 * Issue 14 (load/soak, bounded): 50 WebSocket clients, 1000 cheap prompts, a training prompt interrupted
 * and resumed, and a restart with prompts still queued. Every client gets every event of its own prompts
 * (and none of the others'), history holds every prompt, and RSS growth stays bounded.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, expect, it } from 'vitest';
import { postJson, waitUntil, WsRecorder } from '../support/testStudio';
import {
  startTrainingStudio,
  type TestStudio,
  trainingPrompt,
  waitForHistory,
} from '../support/trainingStudio';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const CLIENTS = 50;
const PROMPTS_PER_PHASE = 500;
let studio: TestStudio;
let clients: WsRecorder[] = [];

afterAll(async () => {
  for (const client of clients) client.close();
  await studio?.close();
});

const cheapPrompt = (i: number) => ({
  '1': { class_type: 'EmptyImage', inputs: { width: 4, height: 4, batch_size: 1, color: i % 4096 } },
  '2': { class_type: 'PreviewImage', inputs: { images: ['1', 0] } },
});

/** Queues `count` prompts, 50 requests at a time, round-robin over the clients; returns [id, client]. */
async function queueMany(offset: number, count: number): Promise<[string, string][]> {
  const queued: [string, string][] = [];
  for (let start = 0; start < count; start += CLIENTS) {
    const batch = Array.from({ length: Math.min(CLIENTS, count - start) }, async (_, k) => {
      const i = offset + start + k;
      const clientId = `client-${i % CLIENTS}`;
      const response = await postJson(`${studio.url}/prompt`, {
        prompt: cheapPrompt(i),
        client_id: clientId,
      });
      const body = (await response.json()) as { prompt_id: string };
      return [body.prompt_id, clientId] as [string, string];
    });
    queued.push(...(await Promise.all(batch)));
  }
  return queued;
}

const connectAll = async (): Promise<WsRecorder[]> =>
  Promise.all(Array.from({ length: CLIENTS }, (_, i) => WsRecorder.open(studio.url, `client-${i}`)));

function rssAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().rss;
}

it('50 clients × 1000 prompts, interrupted + resumed training, restart mid-queue', async () => {
  studio = await startTrainingStudio();
  const root = studio.root;
  clients = await connectAll();
  const byClient = new Map(clients.map((c, i) => [`client-${i}`, c]));

  // phase 1: every event reaches the prompt's own client
  const warmup = await queueMany(0, 100);
  await waitUntil(() => warmup.every(([id]) => studio.history.has(id)), 'warm-up prompts done', 60_000);
  const rssStart = rssAfterGc();
  const phase1 = await queueMany(100, PROMPTS_PER_PHASE - 100);
  await waitUntil(() => phase1.every(([id]) => studio.history.has(id)), 'phase 1 done', 120_000);
  for (const [id, clientId] of [...warmup, ...phase1]) {
    const client = byClient.get(clientId)!;
    await client.finished(id);
    const types = client.framesOf(id).map((f) => f.type);
    expect(types[0]).toBe('execution_start');
    expect(types).toEqual(
      expect.arrayContaining(['execution_cached', 'executed', 'execution_success', 'executing']),
    );
    expect(types.filter((t) => t === 'execution_success')).toHaveLength(1);
    for (const other of clients) if (other !== client) expect(other.framesOf(id)).toEqual([]);
  }

  // phase 2: a training run interrupted at step 2, then resumed to step 4
  const trainer = clients[0]!;
  const train = (overrides: Record<string, unknown>) =>
    postJson(`${studio.url}/prompt`, {
      prompt: trainingPrompt({ token: '<soak>', steps: 4, ...overrides }, { filename: 'soak' }),
      client_id: 'client-0',
    }).then(async (r) => ((await r.json()) as { prompt_id: string }).prompt_id);
  const interrupted = await train({ steps: 400 });
  await trainer.waitFor(
    (f) => f.type === 'ti_loss' && f.data.prompt_id === interrupted && f.data.step === 2,
    60_000,
  );
  await postJson(`${studio.url}/interrupt`, { prompt_id: interrupted });
  await trainer.finished(interrupted);
  expect(trainer.framesOf(interrupted).map((f) => f.type)).toContain('execution_interrupted');
  const resumed = await train({ steps: 4, resume: true });
  const resumedItem = await waitForHistory(studio, resumed);
  expect(resumedItem.status.status_str).toBe('success');
  expect(resumedItem.outputs['3']?.loss).toHaveLength(4);

  // phase 3: restart with prompts still pending; they run after the restart, history keeps everything
  const phase3 = await queueMany(PROMPTS_PER_PHASE, PROMPTS_PER_PHASE);
  await waitUntil(
    () => phase3.filter(([id]) => studio.history.has(id)).length >= 50,
    'some of phase 3 ran',
    60_000,
  );
  expect(studio.queue.remaining()).toBeGreaterThan(0);
  for (const client of clients) client.close();
  await studio.close();
  studio = await startTrainingStudio({ root });
  clients = await connectAll();
  await waitUntil(
    () => phase3.every(([id]) => studio.history.has(id)),
    'phase 3 done after restart',
    120_000,
  );

  const all = [...warmup, ...phase1, ...phase3].map(([id]) => id);
  expect(new Set(all).size).toBe(1000);
  for (const id of [...all, interrupted, resumed]) expect(studio.history.has(id), id).toBe(true);
  const statuses = all.map((id) => studio.history.get(id)!.status.status_str);
  // the one prompt running at the restart is recorded as interrupted, every other one succeeded
  expect(statuses.filter((s) => s !== 'success').length).toBeLessThanOrEqual(1);
  // the worker records history before it clears its running slot: the queue must drain right after
  await waitUntil(() => studio.queue.remaining() === 0, 'the queue drains', 5_000);
  expect(studio.queue.remaining()).toBe(0);
  expect(rssAfterGc() - rssStart).toBeLessThan(200 * 1024 * 1024);
}, 180_000);
