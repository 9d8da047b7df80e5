/**
 * Undo/redo for the canvas: after every pointer-up, key-up and widget edit the graph is snapshotted and,
 * when it changed, recorded in an {@link UndoHistory}. Ctrl+Z / Ctrl+Y load snapshots back. Each workflow
 * tab has its own history; the store works on the one {@link attach}ed last.
 */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import { uiWorkflowSchema } from '../api/wire';
import { graphHost } from '../canvas/graphHost';
import { UndoHistory } from './undoHistory';

const UNDO_STEPS = 100;

/** A fresh history for a new workflow tab. */
export function newUndoHistory(): UndoHistory {
  return new UndoHistory(UNDO_STEPS);
}

export const useUndoStore = defineStore('undo', () => {
  let history = new UndoHistory(UNDO_STEPS);
  const canUndo = ref(false);
  const canRedo = ref(false);
  /** Bumped whenever the graph changed (edit, undo, redo): persistence and "modified" watch this. */
  const revision = ref(0);
  let applying = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  function sync(): void {
    canUndo.value = history.canUndo;
    canRedo.value = history.canRedo;
  }

  /**
   * Makes `next` the history that undo, redo and edits use (another tab came to the front, its graph just
   * loaded): the graph as loaded becomes its current state, so loading is no undo step.
   */
  function attach(next: UndoHistory): void {
    clearTimeout(timer);
    history = next;
    history.replaceCurrent(graphHost.snapshot());
    sync();
  }

  /** Starts a fresh history at the current graph (a workflow was opened). */
  function reset(): void {
    history.reset(graphHost.snapshot());
    sync();
  }

  /**
   * Records the graph like {@link check}, but not as an edit: called before and after a workflow is opened
   * over the current one, so one undo brings the old graph back and the new one is not marked modified.
   */
  function recordQuietly(): void {
    clearTimeout(timer);
    history.record(graphHost.snapshot());
    sync();
  }

  /** Records the graph if it changed; returns whether it did. */
  function check(): boolean {
    clearTimeout(timer);
    if (applying) return false;
    const changed = history.record(graphHost.snapshot());
    if (changed) {
      revision.value++;
      sync();
    }
    return changed;
  }

  /** Checks after the current event finishes (widget callbacks run before their value settles). */
  function checkSoon(): void {
    clearTimeout(timer);
    timer = setTimeout(check, 0);
  }

  function apply(snapshot: string | undefined): void {
    if (snapshot === undefined) return;
    applying = true;
    try {
      graphHost.load(uiWorkflowSchema.parse(JSON.parse(snapshot)), { viewport: 'keep' });
      history.replaceCurrent(graphHost.snapshot());
    } finally {
      applying = false;
    }
    revision.value++;
    sync();
  }

  function undo(): void {
    check();
    apply(history.undo());
  }

  function redo(): void {
    apply(history.redo());
  }

  return { canUndo, canRedo, revision, attach, reset, recordQuietly, check, checkSoon, undo, redo };
});
