/**
 * The loop that drains the queue: one prompt at a time through the executor, then its history entry,
 * then `executing {node: null}` (history first, so a client that sees the end can read it at once).
 */
import type { HistoryEntry } from '../../protocol/wireSchemas';
import type { PreviewImage } from './nodeDefinition';
import type { PreviewKeeper } from './previewKeeper';
import type { ExecutionOutcome, ExecutionSink, PromptExecutor } from './promptExecutor';
import { type PromptQueue, type QueueItem, toQueueTask } from './promptQueue';

/** Delivers events to one client (or everyone when `clientId` is undefined). */
export interface EventRouter {
  send(type: string, data: Record<string, unknown>, clientId?: string): void;
  sendPreview(image: PreviewImage, clientId?: string): void;
}

export interface HistoryRecorder {
  put(promptId: string, entry: HistoryEntry): Promise<void>;
}

export function historyEntryFor(
  item: QueueItem,
  outcome: ExecutionOutcome,
  previews?: HistoryEntry['previews'],
): HistoryEntry {
  return {
    prompt: toQueueTask(item),
    outputs: outcome.outputs,
    status: {
      status_str: outcome.status === 'success' ? 'success' : 'error',
      completed: outcome.status === 'success',
      messages: outcome.messages,
    },
    meta: outcome.meta,
    ...(previews ? { previews } : {}),
  };
}

export class PromptWorker {
  private loop: Promise<void> | null = null;

  constructor(
    private readonly queue: PromptQueue,
    private readonly executor: PromptExecutor,
    private readonly history: HistoryRecorder,
    private readonly events: EventRouter,
    private readonly onError: (err: unknown) => void = () => undefined,
    /** One line per failed prompt (node, type, message) for the server log. */
    private readonly logFailure: (line: string) => void = () => undefined,
    /** Keeps the previews nodes send, for the history entry (none kept without one). */
    private readonly previews?: PreviewKeeper,
  ) {}

  start(): void {
    this.loop ??= this.run();
  }

  /** Closes the queue, interrupts the running prompt and waits for the loop to end. */
  async stop(): Promise<void> {
    this.queue.close();
    this.executor.interrupt();
    await this.loop;
  }

  private async run(): Promise<void> {
    for (;;) {
      const item = await this.queue.take();
      if (!item) return;
      const clientId = typeof item.extraData.client_id === 'string' ? item.extraData.client_id : undefined;
      const sink: ExecutionSink = {
        event: (type, data) => this.events.send(type, data, clientId),
        preview: (image, at) => {
          this.events.sendPreview(image, clientId);
          this.previews?.keep(item.promptId, at, image);
        },
      };
      try {
        const outcome = await this.executor.execute(
          { promptId: item.promptId, prompt: item.prompt, extraData: item.extraData, outputs: item.outputs },
          sink,
        );
        const previews = await this.previews?.collect(item.promptId);
        await this.history.put(item.promptId, historyEntryFor(item, outcome, previews));
        const failure = outcome.messages.find(([type]) => type === 'execution_error')?.[1];
        if (failure) {
          this.logFailure(
            `prompt ${item.promptId}: node ${String(failure.node_id)} (${String(failure.node_type)}) failed: ${String(failure.exception_message)}`,
          );
        }
      } catch (err) {
        this.onError(err);
      } finally {
        // after a failed run the keeper still holds the prompt's previews: forget them
        void this.previews?.collect(item.promptId);
        this.queue.done(item);
        this.events.send('executing', { node: null, prompt_id: item.promptId }, clientId);
      }
    }
  }
}
