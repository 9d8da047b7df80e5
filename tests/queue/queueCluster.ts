/**
 * One queue-mode cluster for a test file: a real redis-server on a free loopback port, a studio in queue
 * mode and worker processes, with the calls the queue tests share. A cluster costs seconds to start (each
 * worker loads the nodes and onnxruntime), so a file starts one in `beforeAll` and its tests share it.
 */
import type { StudioOptions } from '../../server/config';
import {
  type HistoryEntry,
  historySchema,
  promptAcceptedSchema,
  queueStateSchema,
} from '../../protocol/wireSchemas';
import { nodes as queueTestNodes } from '../support/queueTestNodes';
import { type RedisServer, startRedis } from '../support/redisServer';
import { postJson, startTestStudio, tempRoot, WsRecorder } from '../support/testStudio';
import type { TestStudio } from '../support/trainingStudio';
import { spawnWorker, type WorkerProcess } from '../support/workerProcess';

/** What a worker process gets besides the cluster's queue, server, root and secret. */
export interface WorkerOverrides {
  secret?: string;
  lockMs?: number;
  extraArgs?: string[];
}

export interface QueueClusterOptions {
  secret: string;
  /** Prefix of the cluster's temp root (server data, models, and each worker's folders). */
  rootPrefix: string;
  /** The client id of `queue()` and of `ws`, which records every event of the cluster's prompts. */
  clientId: string;
  /** Workers spawned at start; `waitForWorkers` waits until they are connected. */
  workers?: string[];
  /** Options of every worker the cluster spawns. */
  worker?: WorkerOverrides;
  /** The server and the workers also load tests/support/queueTestNodes.ts (TestSleep). */
  testNodes?: boolean;
  /** More options of the queue-mode studio. */
  studio?: StudioOptions;
}

export interface ListedWorker {
  name: string;
  device: string;
  execution_provider: string;
  running: string | null;
}

export class QueueCluster {
  readonly workers: WorkerProcess[] = [];

  private constructor(
    private readonly options: QueueClusterOptions,
    readonly redis: RedisServer,
    readonly root: string,
    public studio: TestStudio,
    public ws: WsRecorder,
  ) {}

  static async start(options: QueueClusterOptions): Promise<QueueCluster> {
    const redis = await startRedis();
    const root = await tempRoot(options.rootPrefix);
    const studio = await startTestStudio(QueueCluster.studioOptions(options, root, redis));
    const ws = await WsRecorder.open(studio.url, options.clientId);
    const cluster = new QueueCluster(options, redis, root, studio, ws);
    for (const name of options.workers ?? []) cluster.spawnWorker(name);
    return cluster;
  }

  private static studioOptions(options: QueueClusterOptions, root: string, redis: RedisServer) {
    return {
      root,
      queue: redis.url,
      secret: options.secret,
      ...(options.testNodes ? { extraNodes: queueTestNodes } : {}),
      ...options.studio,
    };
  }

  get url(): string {
    return this.studio.url;
  }

  /** Spawns a worker on this cluster (not awaited: see `waitForWorkers`); stopped by `stop()`. */
  spawnWorker(name: string, overrides: WorkerOverrides = {}): WorkerProcess {
    const worker = spawnWorker({
      name,
      queue: this.redis.url,
      server: this.studio.url,
      root: this.root,
      secret: this.options.secret,
      testNodes: this.options.testNodes,
      ...this.options.worker,
      ...overrides,
    });
    this.workers.push(worker);
    return worker;
  }

  /** SIGKILLs the worker named `name`, as a crash would, and waits until it is gone. */
  async killWorker(name: string): Promise<void> {
    const worker = this.workers.find((w) => w.name === name);
    if (!worker)
      throw new Error(`no worker "${name}"; spawned: ${this.workers.map((w) => w.name).join(', ')}`);
    await worker.stop('SIGKILL');
  }

  /** The workers `/system_stats` lists. */
  async systemWorkers(): Promise<ListedWorker[]> {
    const stats = (await (await fetch(`${this.url}/system_stats`)).json()) as { workers?: ListedWorker[] };
    return stats.workers ?? [];
  }

  /** Waits until the server lists every spawned worker that still runs. */
  async waitForWorkers(timeoutMs = 120_000): Promise<void> {
    const running = this.workers.filter((w) => w.child.exitCode === null && w.child.signalCode === null);
    const deadline = Date.now() + timeoutMs;
    while ((await this.systemWorkers()).length < running.length) {
      if (Date.now() > deadline)
        throw new Error(`workers did not connect: ${running.map((w) => w.output()).join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Queues `prompt` for `clientId` and returns its id (throws with the server's answer when refused). */
  async queue(prompt: unknown, extra: Record<string, unknown> = {}): Promise<string> {
    const response = await postJson(`${this.url}/prompt`, {
      prompt,
      client_id: this.options.clientId,
      ...extra,
    });
    if (response.status !== 200)
      throw new Error(`POST /prompt answered ${response.status}: ${await response.text()}`);
    return promptAcceptedSchema.parse(await response.json()).prompt_id;
  }

  async history(): Promise<Record<string, HistoryEntry>> {
    return historySchema.parse(await (await fetch(`${this.url}/history`)).json());
  }

  /** The history entry of `promptId` (undefined while it is not recorded). */
  async historyOf(promptId: string): Promise<HistoryEntry | undefined> {
    return historySchema.parse(await (await fetch(`${this.url}/history/${promptId}`)).json())[promptId];
  }

  /** Ids of the pending prompts, in the order they will run. */
  async pendingIds(): Promise<string[]> {
    const state = queueStateSchema.parse(await (await fetch(`${this.url}/queue`)).json());
    return state.queue_pending.map((t) => t[1]);
  }

  /** The worker that runs `promptId` now, or undefined. */
  async workerRunning(promptId: string): Promise<string | undefined> {
    return (await this.systemWorkers()).find((w) => w.running === promptId)?.name;
  }

  /** Waits until `promptId` reports progress, then names the worker that runs it. */
  async runningOn(promptId: string): Promise<string> {
    await this.ws.waitFor((f) => f.type === 'progress' && f.data.prompt_id === promptId);
    const name = await this.workerRunning(promptId);
    if (!name) throw new Error(`no worker runs ${promptId}: ${JSON.stringify(await this.systemWorkers())}`);
    return name;
  }

  /** POST /interrupt (of `promptId`, or of whatever runs); whether a prompt was interrupted. */
  async interrupt(promptId?: string): Promise<boolean> {
    const response = await postJson(`${this.url}/interrupt`, promptId ? { prompt_id: promptId } : {});
    return ((await response.json()) as { interrupted: boolean }).interrupted;
  }

  /** Closes the server and starts it again on the same root and Redis (and `ws` on it). */
  async restartStudio(options: { samePort: boolean }): Promise<void> {
    this.ws.close();
    const port = this.studio.port;
    await this.studio.close();
    this.studio = await startTestStudio({
      ...QueueCluster.studioOptions(this.options, this.root, this.redis),
      ...(options.samePort ? { port } : {}),
    });
    this.ws = await WsRecorder.open(this.studio.url, this.options.clientId);
  }

  async stop(): Promise<void> {
    this.ws.close();
    await Promise.all(this.workers.map((w) => w.stop('SIGKILL')));
    await this.studio.close();
    await this.redis.stop();
  }
}
