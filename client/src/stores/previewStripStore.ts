/**
 * Every preview image a node sent during its current run (the trainer's sample every N steps, a sampler's
 * latent previews), oldest first, with the step it arrived at: the training dashboard's strip and the
 * lightbox read them. This store owns the previews' blob URLs and revokes the ones it forgets.
 */
import { defineStore } from 'pinia';
import { shallowRef, triggerRef } from 'vue';

export interface StripPreview {
  url: string;
  /** The node's progress value when the preview arrived (the training step), if it reported one. */
  step: number | undefined;
}

/** Most previews kept per node; older ones are dropped (and their URLs revoked). */
const MAX_PER_NODE = 64;

export const usePreviewStripStore = defineStore('previewStrip', () => {
  const byNode = shallowRef(new Map<string, StripPreview[]>());

  function revoke(previews: readonly StripPreview[], keep: ReadonlySet<string>): void {
    for (const p of previews) if (!keep.has(p.url)) URL.revokeObjectURL(p.url);
  }

  function add(nodeId: string, url: string, step: number | undefined): void {
    const list = byNode.value.get(nodeId) ?? [];
    list.push({ url, step });
    if (list.length > MAX_PER_NODE) revoke(list.splice(0, list.length - MAX_PER_NODE), new Set());
    byNode.value.set(nodeId, list);
    triggerRef(byNode);
  }

  /** Forgets a node's previews (it runs again), except the URLs in `keep` (still drawn on the node). */
  function clearNode(nodeId: string, keep: ReadonlySet<string> = new Set()): void {
    const list = byNode.value.get(nodeId);
    if (!list) return;
    revoke(list, keep);
    byNode.value.delete(nodeId);
    triggerRef(byNode);
  }

  function clearAll(): void {
    for (const list of byNode.value.values()) revoke(list, new Set());
    byNode.value = new Map();
  }

  return { byNode, add, clearNode, clearAll };
});
