/**
 * Prompt history, kept in memory and persisted as a JSON-lines log (`history.jsonl` in the data dir):
 * one line per put/delete/clear, replayed at startup and compacted (atomically rewritten) when it grows
 * well beyond the live entries. A torn last line from a crash is skipped.
 */
import { appendFile, readFile } from 'node:fs/promises';
import { z } from 'zod';
import { type HistoryEntry, historyEntrySchema } from '../../protocol/wireSchemas';
import { writeFileAtomic } from './atomicWrite';

const logRecordSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('put'), id: z.string(), entry: historyEntrySchema }),
  z.object({ op: z.literal('delete'), ids: z.array(z.string()) }),
  z.object({ op: z.literal('clear') }),
]);
type LogRecord = z.infer<typeof logRecordSchema>;

export interface HistoryStoreOptions {
  /** Oldest entries beyond this are dropped (ComfyUI keeps 10000). */
  maxEntries?: number;
  /** Oldest entries are dropped while all of them together are larger (JSON bytes); the newest is kept. */
  maxBytes?: number;
  onError?: (err: unknown) => void;
}

/** 256 MB of history JSON. */
export const DEFAULT_HISTORY_MAX_BYTES = 256 * 1024 * 1024;

export class HistoryStore {
  private readonly entries = new Map<string, HistoryEntry>();
  /** JSON size of each entry, and their sum. */
  private readonly sizes = new Map<string, number>();
  private totalBytes = 0;
  /** Bytes in the log file, to compact it when evicted entries make up most of it. */
  private fileBytes = 0;
  private lines = 0;
  private writing: Promise<void> = Promise.resolve();
  /** Lines of the log that could not be read at open (torn or hand-edited). */
  skippedLines = 0;

  private constructor(
    private readonly file: string,
    private readonly options: HistoryStoreOptions,
  ) {}

  /** Opens (or creates) the log at `file` and replays it. */
  static async open(file: string, options: HistoryStoreOptions = {}): Promise<HistoryStore> {
    const store = new HistoryStore(file, options);
    const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return '';
      throw err;
    });
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      let parsed: LogRecord;
      try {
        parsed = logRecordSchema.parse(JSON.parse(line));
      } catch {
        store.skippedLines += 1;
        continue;
      }
      store.apply(parsed, Buffer.byteLength(line));
      store.lines += 1;
      store.fileBytes += Buffer.byteLength(line) + 1;
    }
    if (store.lines > store.entries.size || store.skippedLines > 0 || store.fileBytes > store.totalBytes * 2)
      await store.compact();
    return store;
  }

  get size(): number {
    return this.entries.size;
  }

  /** JSON bytes of the entries kept. */
  get bytes(): number {
    return this.totalBytes;
  }

  get(id: string): HistoryEntry | undefined {
    return this.entries.get(id);
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  /**
   * Oldest first, like ComfyUI's `get_history`: `offset` skips that many of the oldest; without an offset,
   * `maxItems` keeps the newest N.
   */
  list(options: { maxItems?: number; offset?: number } = {}): Record<string, HistoryEntry> {
    const all = [...this.entries.entries()];
    const { maxItems } = options;
    const offset = options.offset ?? (maxItems === undefined ? 0 : Math.max(0, all.length - maxItems));
    return Object.fromEntries(all.slice(offset, maxItems === undefined ? undefined : offset + maxItems));
  }

  /** Largest queue number recorded, so numbering continues after a restart. */
  maxNumber(): number {
    let max = 0;
    for (const entry of this.entries.values()) max = Math.max(max, Math.abs(entry.prompt[0]));
    return max;
  }

  put(id: string, entry: HistoryEntry): Promise<void> {
    return this.record({ op: 'put', id, entry });
  }

  delete(ids: readonly string[]): Promise<void> {
    return this.record({ op: 'delete', ids: [...ids] });
  }

  clear(): Promise<void> {
    return this.record({ op: 'clear' });
  }

  /** Resolves when every change so far is on disk. */
  flush(): Promise<void> {
    return this.writing;
  }

  private apply(record: LogRecord, bytes = 0): void {
    if (record.op === 'put') {
      this.remove(record.id);
      this.entries.set(record.id, record.entry);
      this.sizes.set(record.id, bytes);
      this.totalBytes += bytes;
      const maxEntries = this.options.maxEntries ?? 10_000;
      const maxBytes = this.options.maxBytes ?? DEFAULT_HISTORY_MAX_BYTES;
      while (this.entries.size > maxEntries || (this.totalBytes > maxBytes && this.entries.size > 1))
        this.remove(this.entries.keys().next().value as string);
    } else if (record.op === 'delete') {
      for (const id of record.ids) this.remove(id);
    } else {
      this.entries.clear();
      this.sizes.clear();
      this.totalBytes = 0;
    }
  }

  private remove(id: string): void {
    this.totalBytes -= this.sizes.get(id) ?? 0;
    this.sizes.delete(id);
    this.entries.delete(id);
  }

  private record(record: LogRecord): Promise<void> {
    const line = `${JSON.stringify(record)}\n`;
    this.apply(record, Buffer.byteLength(line) - 1);
    this.lines += 1;
    this.fileBytes += Buffer.byteLength(line);
    const compactAfter =
      this.lines > 2 * this.entries.size + 100 || this.fileBytes > 2 * this.totalBytes + 1024 * 1024;
    this.writing = this.writing
      .then(() => (compactAfter ? this.compact() : appendFile(this.file, line)))
      .catch((err: unknown) => this.options.onError?.(err));
    return this.writing;
  }

  private async compact(): Promise<void> {
    const text = [...this.entries.entries()]
      .map(([id, entry]) => `${JSON.stringify({ op: 'put', id, entry })}\n`)
      .join('');
    await writeFileAtomic(this.file, text);
    this.lines = this.entries.size;
    this.fileBytes = Buffer.byteLength(text);
  }
}
