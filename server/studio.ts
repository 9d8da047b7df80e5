/**
 * Assembles and starts the studio: folders, startup tasks, node registry, persisted history and queue,
 * the executor and its worker, the express app and the WebSocket hub. `close()` undoes it in order and
 * leaves the pending queue on disk for the next start.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { nodeDefinitions } from '../nodes';
import {
  consoleLogger,
  DEFAULT_MAX_UPLOAD_BYTES,
  DEFAULT_PORT,
  repoRoot,
  resolveExecutionProvider,
  type StudioOptions,
} from './config';
import type { ExecutionProvider, StudioDirs } from './engine/nodeDefinition';
import { NodeRegistry } from './engine/nodeRegistry';
import { localDispatch, type PromptDispatch } from './engine/promptDispatch';
import { PromptExecutor } from './engine/promptExecutor';
import { fromQueueTask, PromptQueue, toQueueTask } from './engine/promptQueue';
import { PreviewKeeper } from './engine/previewKeeper';
import { PromptWorker } from './engine/promptWorker';
import { RedisDispatch } from './engine/redisDispatch';
import { redisConnection } from './engine/redisConnection';
import { RemoteRuns } from './engine/remoteRuns';
import { createApp } from './http/createApp';
import { hostAllowed } from './http/hostGuard';
import { originMatchesHost } from './http/originGuard';
import { WorkerHub } from './http/workerHub';
import { MIN_SECRET_LENGTH } from './http/workerSecret';
import { WsHub } from './http/wsHub';
import { LogBuffer, teeLogger } from './logBuffer';
import { runStartupTasks } from './startupTasks';
import { HistoryStore } from './storage/historyStore';
import { QueueStore } from './storage/queueStore';
import { restoreQueue } from './storage/restoreQueue';
import { prepareStudioDirs, resolveStudioDirs } from './storage/studioDirs';

export type { StudioOptions } from './config';

export interface Studio {
  /** `http://host:port` (loopback address when listening on all interfaces). */
  url: string;
  port: number;
  host: string;
  dirs: StudioDirs;
  executionProvider: ExecutionProvider;
  registry: NodeRegistry;
  queue: PromptQueue;
  history: HistoryStore;
  executor: PromptExecutor;
  /** Queue mode only: the connected workers. */
  workers?: WorkerHub;
  /** Interrupts the running prompt, stops serving and flushes history and queue to disk. */
  close(): Promise<void>;
}

const VERSION = '0.1.0';

/** Queue mode's Redis URL and secret, checked before anything starts; null in-process. */
export function checkQueueOptions(options: StudioOptions): { url: string; secret: string } | null {
  if (options.queue === undefined) return null;
  redisConnection(options.queue);
  const secret = options.secret ?? '';
  if (secret.length < MIN_SECRET_LENGTH)
    throw new Error(
      `--queue needs a shared secret of at least ${MIN_SECRET_LENGTH} characters for the workers${secret ? ` (got ${secret.length})` : ''}; pass --secret S or set STUDIO_SECRET, e.g. STUDIO_SECRET=$(openssl rand -hex 16)`,
    );
  return { url: options.queue, secret };
}

export async function startStudio(options: StudioOptions = {}): Promise<Studio> {
  const queueMode = checkQueueOptions(options);
  const dataDir = path.resolve(options.dataDir ?? 'data');
  const dirs = resolveStudioDirs(dataDir, options.modelsDir ?? 'models');
  const logs = new LogBuffer([
    [dataDir, '<data-dir>'],
    [dirs.models, '<models-dir>'],
    [repoRoot, '<studio>'],
  ]);
  const log = teeLogger(options.logger ?? consoleLogger, logs);
  const executionProvider = resolveExecutionProvider(options.executionProvider ?? 'auto');
  await prepareStudioDirs(dirs);
  if (options.runStartupTasks ?? true) await runStartupTasks({ dirs, executionProvider, log });

  const registry = new NodeRegistry([...(options.nodes ?? nodeDefinitions), ...(options.extraNodes ?? [])], {
    dirs,
    maxPixels: options.maxPixels,
  });
  const logError = (err: unknown): void => log.error(err instanceof Error ? err.message : String(err), err);
  const history = await HistoryStore.open(path.join(dataDir, 'history.jsonl'), {
    maxEntries: options.maxHistoryEntries,
    maxBytes: options.maxHistoryBytes,
    onError: logError,
  });
  if (history.skippedLines > 0) log.warn(`history.jsonl: skipped ${history.skippedLines} unreadable line(s)`);
  const queueStore = new QueueStore(path.join(dataDir, 'queue.json'), logError);

  let hub: WsHub | undefined;
  let runs: RemoteRuns | undefined;
  const queue: PromptQueue = new PromptQueue(() => {
    const { running, pending } = queue.snapshot();
    // queue mode keeps pending prompts in Redis, not queue.json
    if (!queueMode) queueStore.save({ running: running.map(toQueueTask), pending: pending.map(toQueueTask) });
    hub?.broadcastStatus();
  });
  queue.reserveNumbersUpTo(history.maxNumber());
  if (!queueMode) {
    const restored = await restoreQueue(queueStore, history);
    if (restored.recoveredFrom) log.warn(`queue.json was unreadable; moved it to ${restored.recoveredFrom}`);
    if (restored.abandoned.length > 0)
      log.warn(`recorded ${restored.abandoned.length} prompt(s) cut off by the last shutdown in history`);
    queue.reserveNumbersUpTo(Math.max(0, ...restored.pending.map((t) => Math.abs(t[0]))));
    for (const task of restored.pending) queue.add(fromQueueTask(task));
  }

  const executor = new PromptExecutor({ registry, dirs, executionProvider });
  const corsOrigin = options.enableCorsHeader === true ? '*' : options.enableCorsHeader || undefined;
  const host = options.listen ?? '127.0.0.1';
  const allowedHosts = { listen: host, extra: options.allowedHosts ?? [] };
  hub = new WsHub({
    queueRemaining: () => queue.remaining(),
    currentExecution: () => {
      const item = queue.snapshot().running[0];
      if (!item) return null;
      const clientId = typeof item.extraData.client_id === 'string' ? item.extraData.client_id : undefined;
      const node = runs ? runs.runningNode(item.promptId) : executor.runningNode;
      return { promptId: item.promptId, node, clientId };
    },
    allowUpgrade: (req) =>
      hostAllowed(req, allowedHosts) && (corsOrigin !== undefined || originMatchesHost(req)),
    otherUpgrade: (req, socket, head) => workerHub?.handleUpgrade(req, socket, head) ?? false,
  });
  const logFailure = (line: string): void => log.error(line);
  let worker: PromptWorker | undefined;
  let workerHub: WorkerHub | undefined;
  let redis: RedisDispatch | undefined;
  let dispatch: PromptDispatch;
  if (queueMode) {
    const remoteRuns = new RemoteRuns(
      queue,
      history,
      hub,
      logFailure,
      new PreviewKeeper(dirs.temp, logError),
    );
    runs = remoteRuns;
    const remoteWorkers = new WorkerHub(queueMode.secret, remoteRuns, logError);
    workerHub = remoteWorkers;
    redis = await RedisDispatch.open({
      connection: redisConnection(queueMode.url),
      queue,
      interrupt: (promptId) => remoteWorkers.interrupt(promptId),
      onFailed: (promptId, reason) => void remoteRuns.failed(promptId, reason).catch(logError),
    });
    const restored = await redis.restore();
    if (restored.length > 0) log.info(`queue: ${restored.length} prompt(s) waiting in Redis`);
    dispatch = redis;
  } else {
    const previews = new PreviewKeeper(dirs.temp, logError);
    worker = new PromptWorker(queue, executor, history, hub, logError, logFailure, previews);
    dispatch = localDispatch(queue, executor);
  }

  const app = createApp({
    registry,
    queue,
    executor,
    dispatch,
    ...(workerHub && queueMode
      ? { workerChannel: { secret: queueMode.secret, workers: () => workerHub.list() } }
      : {}),
    history,
    dirs,
    shippedWorkflowsDir: options.workflowsDir ?? path.join(repoRoot, 'workflows'),
    executionProvider,
    corsOrigin,
    allowedHosts,
    maxUploadBytes: options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES,
    clientDistDir: options.serveClient
      ? (options.clientDistDir ?? path.join(repoRoot, 'client', 'dist'))
      : undefined,
    version: VERSION,
    logs,
    logError,
  });
  const server: Server = createServer(app);
  // Idle keep-alive sockets outlive clients' own idle timeout (undici's is 4 s): a server closing one just as
  // a client reuses it resets that request (ECONNRESET), which a loaded machine made likely.
  server.keepAliveTimeout = 65_000;
  hub.attach(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? DEFAULT_PORT, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  worker?.start();

  const { port } = server.address() as AddressInfo;
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;
  const studioHub = hub;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    host,
    dirs,
    executionProvider,
    registry,
    queue,
    history,
    executor,
    ...(workerHub ? { workers: workerHub } : {}),
    close: () =>
      (closing ??= (async () => {
        await worker?.stop();
        await redis?.close();
        await workerHub?.close();
        await studioHub.close();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await history.flush();
        await queueStore.flush();
      })()),
  };
}
