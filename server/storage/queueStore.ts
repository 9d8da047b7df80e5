/**
 * The pending (and running) queue on disk, `queue.json` in the data dir, rewritten atomically after each
 * change. Writes are coalesced: a burst of changes costs one write of the latest state.
 */
import { readFile, rename } from 'node:fs/promises';
import { z } from 'zod';
import { queueTaskSchema, type QueueTaskWire } from '../../protocol/wireSchemas';
import { writeFileAtomic } from './atomicWrite';

const persistedQueueSchema = z.object({
  version: z.literal(1),
  running: z.array(queueTaskSchema),
  pending: z.array(queueTaskSchema),
});

export interface PersistedQueue {
  running: QueueTaskWire[];
  pending: QueueTaskWire[];
}

export class QueueStore {
  private latest: PersistedQueue | null = null;
  private writing: Promise<void> | null = null;

  constructor(
    private readonly file: string,
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {}

  /** The saved queue; an unreadable file is moved aside (`queue.json.corrupt-<time>`) and treated as empty. */
  async load(): Promise<PersistedQueue & { recoveredFrom?: string }> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { running: [], pending: [] };
      throw err;
    }
    try {
      const parsed = persistedQueueSchema.parse(JSON.parse(text));
      return { running: parsed.running, pending: parsed.pending };
    } catch {
      const aside = `${this.file}.corrupt-${Date.now()}`;
      await rename(this.file, aside);
      return { running: [], pending: [], recoveredFrom: aside };
    }
  }

  /** Schedules a write of `state` (the latest call wins). */
  save(state: PersistedQueue): void {
    this.latest = state;
    this.writing ??= this.drain();
  }

  /** Resolves when the latest state is on disk. */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
  }

  private async drain(): Promise<void> {
    while (this.latest) {
      const state = this.latest;
      this.latest = null;
      try {
        await writeFileAtomic(this.file, JSON.stringify({ version: 1, ...state }));
      } catch (err) {
        this.onError(err);
      }
    }
    this.writing = null;
  }
}
