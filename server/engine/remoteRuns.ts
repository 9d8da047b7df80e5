/**
 * Queue mode's server half of PromptWorker: workers report each prompt's start, events, previews and
 * outcome, and this turns them into what the in-process loop produces: the queue's running list, events
 * relayed to the prompt's client unchanged, the history entry (plus which worker ran it and every
 * attempt), then `executing {node: null}`.
 */
import type { PromptAttempt, QueueTaskWire } from '../../protocol/wireSchemas';
import type { PreviewImage } from './nodeDefinition';
import type { ExecutionOutcome, HistoryMessage } from './promptExecutor';
import { fromQueueTask, type PromptQueue, type QueueItem } from './promptQueue';
import type { PreviewKeeper } from './previewKeeper';
import { type EventRouter, historyEntryFor, type HistoryRecorder } from './promptWorker';

export interface RemoteOutcome {
  status: ExecutionOutcome['status'];
  outputs: ExecutionOutcome['outputs'];
  messages: HistoryMessage[];
  meta: ExecutionOutcome['meta'];
}

function clientOf(item: QueueItem | undefined): string | undefined {
  const id = item?.extraData.client_id;
  return typeof id === 'string' ? id : undefined;
}

export class RemoteRuns {
  private readonly attempts = new Map<string, PromptAttempt[]>();
  private readonly runningOn = new Map<string, string>();
  /** The node each remote prompt executes now (re-sent to a client that reconnects). */
  private readonly nodes = new Map<string, string | null>();

  constructor(
    private readonly queue: PromptQueue,
    private readonly history: HistoryRecorder,
    private readonly events: EventRouter,
    private readonly logFailure: (line: string) => void = () => undefined,
    /** Keeps the previews workers relay, for the history entry (none kept without one). */
    private readonly previews?: PreviewKeeper,
  ) {}

  /** A worker took the prompt; an earlier attempt still marked running was lost with its worker. */
  started(worker: string, task: QueueTaskWire): void {
    const item = this.queue.start(fromQueueTask(task));
    const list = this.attempts.get(item.promptId) ?? [];
    for (const attempt of list) this.endAttempt(attempt, 'lost');
    list.push({ worker, status: 'running', started: Date.now() });
    this.attempts.set(item.promptId, list);
    this.runningOn.set(item.promptId, worker);
  }

  event(promptId: string, type: string, data: Record<string, unknown>): void {
    if (type === 'executing') this.nodes.set(promptId, typeof data.node === 'string' ? data.node : null);
    this.events.send(type, data, clientOf(this.queue.find(promptId)));
  }

  /** Relays a worker's preview; `at` (the node and step, sent by current workers) keeps it for the history. */
  preview(promptId: string, image: PreviewImage, at?: { node: string; step: number }): void {
    this.events.sendPreview(image, clientOf(this.queue.find(promptId)));
    if (at) this.previews?.keep(promptId, at, image);
  }

  /** The worker's outcome: history first, then the end of the prompt (as PromptWorker does). */
  async finished(worker: string, promptId: string, outcome: RemoteOutcome): Promise<void> {
    const item = this.queue.find(promptId);
    if (!item) return;
    const attempts = this.attempts.get(promptId) ?? [];
    const mine = attempts.findLast((a) => a.worker === worker && a.status === 'running');
    if (mine) this.endAttempt(mine, outcome.status);
    const previews = await this.previews?.collect(promptId);
    const entry = historyEntryFor(item, { ...outcome, executed: [], cached: [] }, previews);
    await this.history.put(promptId, { ...entry, worker, attempts });
    const failure = outcome.messages.find(([type]) => type === 'execution_error')?.[1];
    if (failure)
      this.logFailure(
        `prompt ${promptId} on worker ${worker}: node ${String(failure.node_id)} (${String(failure.node_type)}) failed: ${String(failure.exception_message)}`,
      );
    this.end(item);
  }

  /** Redis gave up on the prompt (its worker was lost more often than retries allow, or a worker threw). */
  async failed(promptId: string, reason: string): Promise<void> {
    const item = this.queue.find(promptId);
    if (!item) return;
    const attempts = this.attempts.get(promptId) ?? [];
    for (const attempt of attempts) this.endAttempt(attempt, 'lost');
    const error: HistoryMessage = [
      'execution_error',
      {
        prompt_id: promptId,
        node_id: '',
        node_type: '',
        executed: [],
        exception_message: `the queue gave up on this prompt: ${reason}; queue it again`,
        exception_type: 'WorkerLost',
        traceback: [],
        current_inputs: {},
        current_outputs: [],
        timestamp: Date.now(),
      },
    ];
    this.events.send(error[0], error[1], clientOf(item));
    const previews = await this.previews?.collect(promptId);
    const entry = historyEntryFor(
      item,
      { status: 'error', outputs: {}, messages: [error], meta: {}, executed: [], cached: [] },
      previews,
    );
    const last = attempts.at(-1);
    await this.history.put(promptId, { ...entry, attempts, ...(last ? { worker: last.worker } : {}) });
    this.logFailure(`prompt ${promptId}: ${reason}`);
    this.end(item);
  }

  /** The worker's connection closed: its running attempts are lost (Redis retries them elsewhere). */
  workerGone(worker: string): void {
    for (const [promptId, name] of this.runningOn) {
      if (name !== worker) continue;
      const attempt = this.attempts.get(promptId)?.findLast((a) => a.worker === worker);
      if (attempt) this.endAttempt(attempt, 'lost');
    }
  }

  /** The node running now in `promptId` on its worker (null between nodes). */
  runningNode(promptId: string): string | null {
    return this.nodes.get(promptId) ?? null;
  }

  /** The worker running `promptId` now, if any. */
  workerOf(promptId: string): string | undefined {
    return this.runningOn.get(promptId);
  }

  /** Prompt ids running now, with their workers. */
  running(): ReadonlyMap<string, string> {
    return this.runningOn;
  }

  private endAttempt(attempt: PromptAttempt, status: PromptAttempt['status']): void {
    if (attempt.status !== 'running') return;
    attempt.status = status;
    attempt.ended = Date.now();
  }

  private end(item: QueueItem): void {
    this.runningOn.delete(item.promptId);
    this.nodes.delete(item.promptId);
    this.attempts.delete(item.promptId);
    this.queue.finish(item.promptId);
    this.events.send('executing', { node: null, prompt_id: item.promptId }, clientOf(item));
  }
}
