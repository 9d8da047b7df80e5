/**
 * Snapshot-based undo/redo: every committed graph state is one serialised snapshot, and undo/redo move
 * between snapshots. Pure and framework-free so it is unit-tested directly; the pinia store wraps it.
 */

/** A bounded undo/redo history of string snapshots (e.g. JSON of graph.serialize()). */
export class UndoHistory {
  #undo: string[] = [];
  #redo: string[] = [];
  #current: string | undefined;

  /** @param capacity how many undo steps are kept; the oldest are dropped first. */
  constructor(readonly capacity = 100) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new Error(`undo capacity must be a positive integer, got ${capacity}`);
    }
  }

  /** The snapshot the graph is in now, as far as the history knows. */
  get current(): string | undefined {
    return this.#current;
  }

  get canUndo(): boolean {
    return this.#undo.length > 0;
  }

  get canRedo(): boolean {
    return this.#redo.length > 0;
  }

  get undoDepth(): number {
    return this.#undo.length;
  }

  /** Starts over from `snapshot` (a workflow was opened): no undo or redo steps. */
  reset(snapshot: string): void {
    this.#undo = [];
    this.#redo = [];
    this.#current = snapshot;
  }

  /**
   * Records `snapshot` as the new state. Returns false (and records nothing) when it equals the current
   * state, so callers may check after every pointer-up or key-up without creating empty steps.
   */
  record(snapshot: string): boolean {
    if (snapshot === this.#current) return false;
    if (this.#current !== undefined) {
      this.#undo.push(this.#current);
      if (this.#undo.length > this.capacity) this.#undo.shift();
    }
    this.#redo = [];
    this.#current = snapshot;
    return true;
  }

  /**
   * Replaces the current snapshot without creating a step: used after loading a snapshot into the graph,
   * when the graph serialises it slightly differently (normalised ids, sizes).
   */
  replaceCurrent(snapshot: string): void {
    this.#current = snapshot;
  }

  /** Steps back; returns the snapshot to load, or undefined when there is nothing to undo. */
  undo(): string | undefined {
    const previous = this.#undo.pop();
    if (previous === undefined) return undefined;
    if (this.#current !== undefined) this.#redo.push(this.#current);
    this.#current = previous;
    return previous;
  }

  /** Steps forward again; returns the snapshot to load, or undefined when there is nothing to redo. */
  redo(): string | undefined {
    const next = this.#redo.pop();
    if (next === undefined) return undefined;
    if (this.#current !== undefined) this.#undo.push(this.#current);
    this.#current = next;
    return next;
  }
}
