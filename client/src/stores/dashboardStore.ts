/**
 * Which training run the dashboard shows: a trainer node of the canvas (live, or as last run), or the
 * trainer node of a history entry.
 */
import { defineStore } from 'pinia';
import { ref } from 'vue';

export interface DashboardTarget {
  nodeId: string;
  /** The history entry the run comes from; undefined: the canvas node's current (or last) run. */
  promptId?: string;
}

/** The node type whose runs the dashboard shows. */
export const TRAINER_TYPE = 'TextualInversionTrainer';

export const useDashboardStore = defineStore('dashboard', () => {
  const target = ref<DashboardTarget | null>(null);
  function open(nodeId: string, promptId?: string): void {
    target.value = { nodeId, promptId };
  }
  function close(): void {
    target.value = null;
  }
  return { target, open, close };
});
