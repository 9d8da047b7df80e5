/**
 * Keeps the preview images nodes send while a prompt runs (live they only go over the WebSocket), so the
 * prompt's history entry can list them and a page reloaded later, or a run opened from the history, still
 * shows them. Files go to temp/previews/<prompt>/ (emptied at start, like ComfyUI's previews), written
 * atomically; at most {@link MAX_PREVIEWS_PER_NODE} per node and prompt, thinned evenly over the run.
 */
import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { StoredPreview } from '../../protocol/wireSchemas';
import { writeFileAtomic } from '../storage/atomicWrite';
import type { PreviewImage } from './nodeDefinition';

/** Most previews kept of one node in one prompt. */
export const MAX_PREVIEWS_PER_NODE = 32;

interface Kept {
  preview: StoredPreview;
  /** Settles when the file is written; false when writing failed (the preview is then left out). */
  written: Promise<boolean>;
}

/** A prompt or node id as one safe path segment: itself when plain, else a hash of it. */
function segment(id: string): string {
  return /^[A-Za-z0-9_-]{1,100}$/.test(id) ? id : createHash('sha256').update(id).digest('hex').slice(0, 32);
}

export class PreviewKeeper {
  readonly #kept = new Map<string, Map<string, Kept[]>>();
  #sequence = 0;

  /**
   * @param tempDir the server's temp/ folder (served by `/view?type=temp`)
   * @param onError told when a preview could not be written (the run goes on without it)
   */
  constructor(
    private readonly tempDir: string,
    private readonly onError: (err: unknown) => void = () => undefined,
    private readonly maxPerNode = MAX_PREVIEWS_PER_NODE,
  ) {
    if (!Number.isInteger(maxPerNode) || maxPerNode < 2) {
      throw new Error(`maxPerNode must be an integer of at least 2, got ${maxPerNode}`);
    }
  }

  /** Writes `image`, sent by node `node` of prompt `promptId` at progress value `step`. */
  keep(promptId: string, at: { node: string; step: number }, image: PreviewImage): void {
    const byNode = this.#kept.get(promptId) ?? new Map<string, Kept[]>();
    this.#kept.set(promptId, byNode);
    const list = byNode.get(at.node) ?? [];
    byNode.set(at.node, list);
    const subfolder = path.posix.join('previews', segment(promptId));
    const extension = image.format === 'PNG' ? 'png' : 'jpg';
    const filename = `${segment(at.node)}-${String(at.step).replace(/[^0-9.]/g, '_')}-${++this.#sequence}.${extension}`;
    const file = path.join(this.tempDir, subfolder, filename);
    const written = writeFileAtomic(file, image.data).then(
      () => true,
      (err: unknown) => {
        this.onError(err);
        return false;
      },
    );
    list.push({ preview: { filename, subfolder, type: 'temp', step: at.step }, written });
    if (list.length > this.maxPerNode) this.#thin(list, path.join(this.tempDir, subfolder));
  }

  /** Drops every second preview but the newest, so the kept ones stay spread over the whole run. */
  #thin(list: Kept[], folder: string): void {
    const dropped = list.filter((_, i) => i % 2 === 1 && i < list.length - 1);
    const keep = list.filter((_, i) => i % 2 === 0 || i === list.length - 1);
    list.splice(0, list.length, ...keep);
    for (const d of dropped) {
      void d.written.then(() =>
        rm(path.join(folder, d.preview.filename), { force: true }).catch(this.onError),
      );
    }
  }

  /**
   * The previews of `promptId` by node, once their files are written, for its history entry; the keeper
   * then forgets the prompt. Undefined when no node sent one.
   */
  async collect(promptId: string): Promise<Record<string, StoredPreview[]> | undefined> {
    const byNode = this.#kept.get(promptId);
    this.#kept.delete(promptId);
    if (!byNode) return undefined;
    const result: Record<string, StoredPreview[]> = {};
    for (const [node, list] of byNode) {
      const ok = await Promise.all(list.map((k) => k.written));
      const previews = list.filter((_, i) => ok[i]).map((k) => k.preview);
      if (previews.length > 0) result[node] = previews;
    }
    return Object.keys(result).length > 0 ? result : undefined;
  }
}
