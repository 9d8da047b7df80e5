/** What the HTTP routes need from the running studio (built by server/studio.ts). */
import type { ExecutionProvider, StudioDirs } from '../engine/nodeDefinition';
import type { NodeRegistry } from '../engine/nodeRegistry';
import type { PromptDispatch } from '../engine/promptDispatch';
import type { PromptExecutor } from '../engine/promptExecutor';
import type { PromptQueue } from '../engine/promptQueue';
import type { HistoryStore } from '../storage/historyStore';
import type { HostAllowList } from './hostGuard';
import type { ConnectedWorker } from './workerHub';

/** What the log routes read: the last lines, as ComfyUI's `/internal/logs` shapes them. */
export interface RecentLogs {
  entries(): ReadonlyArray<{ t: string; m: string }>;
  text(): string;
}

export interface StudioServices {
  registry: NodeRegistry;
  queue: PromptQueue;
  executor: PromptExecutor;
  /** Where accepted prompts and queue commands go: the local queue, or Redis and the workers. */
  dispatch: PromptDispatch;
  /** Queue mode only: the shared secret of the worker routes and the connected workers. */
  workerChannel?: { secret: string; workers(): ConnectedWorker[] };
  history: HistoryStore;
  dirs: StudioDirs;
  /** Read-only example workflows shipped with the studio (`workflows/`). */
  shippedWorkflowsDir: string;
  executionProvider: ExecutionProvider;
  /** `--enable-cors-header` value, or undefined. */
  corsOrigin: string | undefined;
  /** Host names served besides loopback names and IP literals (DNS-rebinding guard). */
  allowedHosts: HostAllowList;
  maxUploadBytes: number;
  /** Built client to serve at `/`, or undefined to serve no client. */
  clientDistDir: string | undefined;
  version: string;
  /** Recent server log lines for ComfyUI's `/internal/logs` routes (the studio's LogBuffer). */
  logs: RecentLogs;
  logError(err: unknown): void;
}
