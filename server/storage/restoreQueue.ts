/**
 * Startup recovery of the persisted queue: pending prompts come back in order; a prompt that was running
 * when the previous process died is not re-run (it may be what killed it) but recorded in history as an
 * error, so the user sees it and can queue it again.
 */
import type { QueueTaskWire } from '../../protocol/wireSchemas';
import type { HistoryStore } from './historyStore';
import type { QueueStore } from './queueStore';

export interface RestoredQueue {
  pending: QueueTaskWire[];
  abandoned: QueueTaskWire[];
  recoveredFrom?: string;
}

export async function restoreQueue(store: QueueStore, history: HistoryStore): Promise<RestoredQueue> {
  const saved = await store.load();
  const abandoned = saved.running.filter((task) => !history.has(task[1]));
  for (const task of abandoned) {
    const promptId = task[1];
    const message = 'The studio stopped while this prompt was running; queue it again to re-run it.';
    await history.put(promptId, {
      prompt: task,
      outputs: {},
      status: {
        status_str: 'error',
        completed: false,
        messages: [
          [
            'execution_error',
            {
              prompt_id: promptId,
              node_id: '',
              node_type: '',
              executed: [],
              exception_message: message,
              exception_type: 'StudioRestart',
              traceback: [],
              current_inputs: {},
              current_outputs: [],
              timestamp: Date.now(),
            },
          ],
        ],
      },
    });
  }
  const pending = saved.pending.filter((task) => !history.has(task[1]));
  return { pending, abandoned, ...(saved.recoveredFrom ? { recoveredFrom: saved.recoveredFrom } : {}) };
}
