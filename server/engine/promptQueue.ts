/**
 * The prompt queue: pending items ordered by number (front-queued items get negative numbers, as in
 * ComfyUI), the running item, and a `take()` the worker awaits. Every change calls `onChange` so the
 * server can persist the queue and broadcast `status`.
 */
import type { ApiPrompt, QueueTaskWire } from '../../protocol/wireSchemas';

export interface QueueItem {
  number: number;
  promptId: string;
  prompt: ApiPrompt;
  /** Includes `client_id` and `extra_pnginfo`. */
  extraData: Record<string, unknown>;
  outputs: string[];
}

export function toQueueTask(item: QueueItem): QueueTaskWire {
  return [item.number, item.promptId, item.prompt, item.extraData, item.outputs];
}

export function fromQueueTask(task: QueueTaskWire): QueueItem {
  const [number, promptId, prompt, extraData, outputs] = task;
  return { number, promptId, prompt: prompt as ApiPrompt, extraData, outputs };
}

export class PromptQueue {
  private pending: QueueItem[] = [];
  private running: QueueItem[] = [];
  private counter: number;
  private waiters: ((item: QueueItem | null) => void)[] = [];
  private closed = false;

  constructor(
    private readonly onChange: () => void = () => undefined,
    firstNumber = 0,
  ) {
    this.counter = firstNumber;
  }

  /** The number a new item gets: increasing, negated when it jumps the queue. */
  allocateNumber(front: boolean): number {
    const n = this.counter;
    this.counter += 1;
    return front ? -n : n;
  }

  /** Makes later numbers larger than `n` (after restoring persisted items). */
  reserveNumbersUpTo(n: number): void {
    this.counter = Math.max(this.counter, Math.abs(n) + 1);
  }

  add(item: QueueItem): void {
    if (this.closed) throw new Error('the queue is closed; the studio is shutting down');
    const waiter = this.waiters.shift();
    if (waiter) {
      this.running.push(item);
      this.onChange();
      waiter(item);
      return;
    }
    this.pending.push(item);
    this.pending.sort((a, b) => a.number - b.number);
    this.onChange();
  }

  /** Next item (moved to running), or null once the queue is closed. */
  take(): Promise<QueueItem | null> {
    if (this.closed) return Promise.resolve(null);
    const item = this.pending.shift();
    if (item) {
      this.running.push(item);
      this.onChange();
      return Promise.resolve(item);
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Marks a running item finished. */
  done(item: QueueItem): void {
    this.running = this.running.filter((r) => r !== item);
    this.onChange();
  }

  /**
   * Queue mode: a worker took `item` from Redis. Moves it from pending to running (or adds it to running
   * when this server never saw it, e.g. queued before a restart) and returns the item the queue holds.
   */
  start(item: QueueItem): QueueItem {
    const known = this.pending.find((p) => p.promptId === item.promptId);
    const running = this.running.find((r) => r.promptId === item.promptId);
    if (running) return running;
    this.pending = this.pending.filter((p) => p !== known);
    const started = known ?? item;
    this.running.push(started);
    this.onChange();
    return started;
  }

  /** Queue mode: the item with this prompt id ended (ran, failed or was dropped by Redis). */
  finish(promptId: string): void {
    const before = this.pending.length + this.running.length;
    this.running = this.running.filter((r) => r.promptId !== promptId);
    this.pending = this.pending.filter((p) => p.promptId !== promptId);
    if (this.pending.length + this.running.length !== before) this.onChange();
  }

  find(promptId: string): QueueItem | undefined {
    return [...this.running, ...this.pending].find((item) => item.promptId === promptId);
  }

  /** Removes pending items by prompt id; returns how many it removed. */
  delete(promptIds: readonly string[]): number {
    const before = this.pending.length;
    this.pending = this.pending.filter((item) => !promptIds.includes(item.promptId));
    if (this.pending.length !== before) this.onChange();
    return before - this.pending.length;
  }

  clear(): void {
    if (this.pending.length === 0) return;
    this.pending = [];
    this.onChange();
  }

  has(promptId: string): boolean {
    return [...this.pending, ...this.running].some((item) => item.promptId === promptId);
  }

  /** Running plus pending, like ComfyUI's `queue_remaining`. */
  remaining(): number {
    return this.pending.length + this.running.length;
  }

  snapshot(): { running: QueueItem[]; pending: QueueItem[] } {
    return { running: [...this.running], pending: [...this.pending] };
  }

  /** Wakes waiting `take()` calls with null; later `add()` calls throw. */
  close(): void {
    this.closed = true;
    for (const waiter of this.waiters.splice(0)) waiter(null);
  }
}
