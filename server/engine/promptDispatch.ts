/**
 * Where the routes send accepted prompts and queue commands. In-process (the default) that is the local
 * queue and executor; in queue mode (`--queue redis://…`) it is Redis and the workers (redisDispatch.ts).
 * The routes call this one interface either way.
 */
import type { PromptExecutor } from './promptExecutor';
import type { PromptQueue, QueueItem } from './promptQueue';

export interface PromptDispatch {
  /** Queues a validated prompt; rejects when the queue backend cannot take it (Redis down). */
  enqueue(item: QueueItem): Promise<void>;
  /** Drops pending prompts by id (running ones are left alone, as in ComfyUI). */
  delete(promptIds: readonly string[]): Promise<void>;
  /** Drops every pending prompt. */
  clear(): Promise<void>;
  /** Interrupts the running prompt (only `promptId`, when given); whether one was running. */
  interrupt(promptId?: string): boolean;
}

/** The embedded default: the in-memory queue drained by the local PromptWorker. */
export function localDispatch(queue: PromptQueue, executor: PromptExecutor): PromptDispatch {
  return {
    enqueue: async (item) => queue.add(item),
    delete: async (promptIds) => void queue.delete(promptIds),
    clear: async () => queue.clear(),
    interrupt: (promptId) => executor.interrupt(promptId),
  };
}
