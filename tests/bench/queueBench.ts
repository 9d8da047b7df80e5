/**
 * Queue mode's cost: cheap prompts (32×32 EmptyImage → ImageInvert → SaveImage) through the in-process
 * studio, and through Redis with one and with two worker processes. Per mode: prompts/s for a burst of
 * prompts queued at once, and the median latency of one prompt at a time (POST → `executing` null), whose
 * difference to in-process is the Redis path's per-prompt overhead.
 */
import path from 'node:path';
import { promptAcceptedSchema } from '../../protocol/wireSchemas';
import { type RedisServer, startRedis } from '../support/redisServer';
import { postJson, startTestStudio, WsRecorder } from '../support/testStudio';
import { spawnWorker, type WorkerProcess } from '../support/workerProcess';
import { type BenchContext, type BenchResult, type Benchmark, median } from './benchmark';

const BURST = Number(process.env.BENCH_QUEUE_BURST ?? 60);
const SEQUENTIAL = Number(process.env.BENCH_QUEUE_SEQUENTIAL ?? 20);
const SECRET = 'bench-secret-0123456789';
/** Target: the Redis path adds at most this many ms to one cheap prompt. */
const OVERHEAD_LIMIT_MS = 50;

type Studio = Awaited<ReturnType<typeof startTestStudio>>;

let color = 0;
const cheapPrompt = () => ({
  '1': { class_type: 'EmptyImage', inputs: { width: 32, height: 32, batch_size: 1, color: (color += 1) } },
  '2': { class_type: 'ImageInvert', inputs: { image: ['1', 0] } },
  '3': { class_type: 'SaveImage', inputs: { filename_prefix: 'bench/q', images: ['2', 0] } },
});

async function queue(studio: Studio): Promise<string> {
  const response = await postJson(`${studio.url}/prompt`, { prompt: cheapPrompt(), client_id: 'bench' });
  if (response.status !== 200)
    throw new Error(`POST /prompt answered ${response.status}: ${await response.text()}`);
  return promptAcceptedSchema.parse(await response.json()).prompt_id;
}

interface ModeResult {
  mode: string;
  promptsPerSecond: number;
  medianLatencyMs: number;
}

async function measure(mode: string, studio: Studio): Promise<ModeResult> {
  const ws = await WsRecorder.open(studio.url, 'bench');
  try {
    for (let i = 0; i < 3; i += 1) await ws.finished(await queue(studio), 60_000);
    const latencies: number[] = [];
    for (let i = 0; i < SEQUENTIAL; i += 1) {
      const started = performance.now();
      await ws.finished(await queue(studio), 60_000);
      latencies.push(performance.now() - started);
    }
    const started = performance.now();
    const ids: string[] = [];
    for (let i = 0; i < BURST; i += 1) ids.push(await queue(studio));
    for (const id of ids) await ws.finished(id, 120_000);
    const seconds = (performance.now() - started) / 1000;
    return { mode, promptsPerSecond: BURST / seconds, medianLatencyMs: median(latencies) };
  } finally {
    ws.close();
  }
}

async function waitForWorkers(studio: Studio, count: number): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const stats = (await (await fetch(`${studio.url}/system_stats`)).json()) as { workers?: unknown[] };
    if ((stats.workers ?? []).length >= count) return;
    if (Date.now() > deadline) throw new Error(`${count} worker(s) did not connect`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export const queueBenchmark: Benchmark = {
  name: 'queue',
  description: 'cheap prompts/s and per-prompt latency: in-process vs Redis with 1 and 2 worker processes',
  async run(context: BenchContext): Promise<BenchResult> {
    const results: ModeResult[] = [];
    const local = await startTestStudio({ root: path.join(context.tmpDir, 'local') });
    try {
      context.log('in-process');
      results.push(await measure('in-process', local));
    } finally {
      await local.close();
    }

    let redis: RedisServer | undefined;
    let studio: Studio | undefined;
    const workers: WorkerProcess[] = [];
    try {
      redis = await startRedis();
      const root = path.join(context.tmpDir, 'queue');
      const server = await startTestStudio({ root, queue: redis.url, secret: SECRET });
      studio = server;
      const spawn = (name: string) =>
        spawnWorker({ name, queue: redis!.url, server: server.url, root, secret: SECRET });
      workers.push(spawn('w1'));
      await waitForWorkers(server, 1);
      context.log('redis, 1 worker');
      results.push(await measure('redis, 1 worker', server));
      workers.push(spawn('w2'));
      await waitForWorkers(server, 2);
      context.log('redis, 2 workers');
      results.push(await measure('redis, 2 workers', server));
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
      await studio?.close();
      await redis?.stop();
    }

    const [inProcess, oneWorker, twoWorkers] = results;
    const overheadMs = oneWorker!.medianLatencyMs - inProcess!.medianLatencyMs;
    return {
      summary: [
        ...results.map(
          (r) =>
            `${r.mode}: ${r.promptsPerSecond.toFixed(1)} prompts/s (burst of ${BURST}), ${r.medianLatencyMs.toFixed(1)} ms per prompt alone`,
        ),
        `Redis path overhead: ${overheadMs.toFixed(1)} ms per prompt; 2 workers vs 1: ×${(twoWorkers!.promptsPerSecond / oneWorker!.promptsPerSecond).toFixed(2)}`,
      ],
      targets: [{ name: 'redis per-prompt overhead (ms)', value: overheadMs, limit: OVERHEAD_LIMIT_MS }],
      data: { burst: BURST, sequential: SEQUENTIAL, results, overheadMs },
    };
  },
};
