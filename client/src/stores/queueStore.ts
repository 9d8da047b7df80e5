/**
 * The queue/history side panel's data: running and pending tasks from `/queue`, finished prompts from
 * `/history`. Refreshed when the server reports a queue change (debounced) and after our own actions.
 */
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { studioApi } from '../api/studioApi';
import type { HistoryEntry, QueueTaskWire } from '../api/wire';
import { useToastStore } from './toastStore';

export interface HistoryItem {
  promptId: string;
  number: number;
  entry: HistoryEntry;
}

/** Time between the execution_start and the last message of a history entry, in seconds. */
export function historyDurationSeconds(entry: HistoryEntry): number | undefined {
  const times = entry.status.messages
    .map(([, data]) => data.timestamp)
    .filter((t): t is number => typeof t === 'number');
  if (times.length < 2) return undefined;
  return (Math.max(...times) - Math.min(...times)) / 1000;
}

export const useQueueStore = defineStore('queue', () => {
  const running = ref<QueueTaskWire[]>([]);
  const pending = ref<QueueTaskWire[]>([]);
  const history = ref<HistoryItem[]>([]);
  const loaded = ref(false);
  let timer: ReturnType<typeof setTimeout> | undefined;

  const pendingCount = computed(() => running.value.length + pending.value.length);

  async function refresh(): Promise<void> {
    try {
      const [queue, hist] = await Promise.all([studioApi.queue(), studioApi.history()]);
      running.value = queue.queue_running;
      pending.value = [...queue.queue_pending].sort((a, b) => a[0] - b[0]);
      history.value = Object.entries(hist)
        .map(([promptId, entry]) => ({ promptId, number: entry.prompt[0], entry }))
        .sort((a, b) => b.number - a.number);
      loaded.value = true;
    } catch (err) {
      useToastStore().error('Could not load the queue', err);
    }
  }

  /** Refreshes soon, collapsing bursts of status events into one request pair. */
  function scheduleRefresh(delayMs = 50): void {
    clearTimeout(timer);
    timer = setTimeout(() => void refresh(), delayMs);
  }

  async function act(what: string, action: () => Promise<void>): Promise<void> {
    try {
      await action();
    } catch (err) {
      useToastStore().error(what, err);
    }
    await refresh();
  }

  return {
    running,
    pending,
    history,
    loaded,
    pendingCount,
    refresh,
    scheduleRefresh,
    cancelPending: (promptId: string) =>
      act('Could not cancel the task', () => studioApi.editQueue({ delete: [promptId] })),
    clearPending: () => act('Could not clear the queue', () => studioApi.editQueue({ clear: true })),
    deleteHistory: (promptId: string) =>
      act('Could not delete the entry', () => studioApi.editHistory({ delete: [promptId] })),
    clearHistory: () => act('Could not clear the history', () => studioApi.editHistory({ clear: true })),
  };
});
