/**
 * What the lightbox shows for each place an image can be opened from: a history entry's outputs, a node's
 * images on the canvas (its output files, or the previews of its run), a run's preview strip.
 */
import type { LGraphNode } from '@comfyorg/litegraph';
import { viewUrl } from '../api/studioApi';
import type { FileRef, HistoryEntry, NodeUiOutput } from '../api/wire';
import { outputImages } from '../canvas/nodeOverlays';
import { useExecutionStore } from '../stores/executionStore';
import { useLightboxStore, type LightboxImage } from '../stores/lightboxStore';
import { usePreviewStripStore, type StripPreview } from '../stores/previewStripStore';

/** A file as the lightbox shows it: loaded and linked through `/view`. */
export function fileImage(file: FileRef, cacheBust?: number): LightboxImage {
  const label = file.subfolder ? `${file.subfolder}/${file.filename}` : file.filename;
  return { url: viewUrl(file, cacheBust), label, fileUrl: viewUrl(file) };
}

/** Every image file of a set of node outputs, in node order. */
export function outputsImages(outputs: Record<string, NodeUiOutput>): LightboxImage[] {
  return Object.values(outputs).flatMap((o) => outputImages(o).map((f) => fileImage(f)));
}

/** The images of a finished prompt. */
export function entryImages(entry: HistoryEntry): LightboxImage[] {
  return outputsImages(entry.outputs);
}

/** Previews of a run, labelled with their step. */
export function previewImages(previews: readonly StripPreview[], title: string): LightboxImage[] {
  return previews.map((p, i) => ({
    url: p.url,
    label: p.step === undefined ? `${title} preview ${i + 1}` : `${title} · step ${p.step}`,
  }));
}

/**
 * The images node `node` shows now, the one drawn at index 0: its live previews (all of this run, the
 * newest drawn), else its output files, else nothing.
 */
export function nodeImages(node: LGraphNode): { images: LightboxImage[]; shown: number } {
  const exec = useExecutionStore();
  const id = String(node.id);
  const strip = usePreviewStripStore().byNode.get(id) ?? [];
  const preview = exec.previews[id];
  if (preview) {
    const images = previewImages(strip, node.title);
    const at = images.findIndex((img) => img.url === preview);
    return at >= 0 ? { images, shown: at } : { images: [{ url: preview, label: node.title }], shown: 0 };
  }
  const files = outputImages(exec.outputs[id]);
  return { images: files.map((f) => fileImage(f, exec.outputVersion[id])), shown: 0 };
}

/** Opens the lightbox on the image node `node` shows; false when it shows none. */
export function openNodeImages(node: LGraphNode): boolean {
  const { images, shown } = nodeImages(node);
  if (!images.length) return false;
  useLightboxStore().open(images, shown);
  return true;
}
