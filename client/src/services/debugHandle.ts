/**
 * `window.studio`: a small read-mostly handle for the browser console and the browser tests — the graph,
 * and what a node shows (images and their load state, progress, errors) without reading canvas pixels.
 */
import { LiteGraph, type LGraph } from '@comfyorg/litegraph';
import { graphHost } from '../canvas/graphHost';
import { cachedImage } from '../canvas/imageCache';
import { nodeImageUrls, outputTextLines, overlayArea } from '../canvas/nodeOverlays';
import type { StudioNode } from '../canvas/studioNode';
import { inputImageRef } from '../widgets/imageUploadWidget';
import { useExecutionStore } from '../stores/executionStore';
import { useNodeSeriesStore } from '../stores/nodeSeriesStore';

export interface NodeImageState {
  src: string;
  loaded: boolean;
  width: number;
  height: number;
}

export interface StudioDebugHandle {
  readonly graph: LGraph;
  /** Images drawn on node `id` right now, with their load state. */
  nodeImages(id: string | number): NodeImageState[];
  /**
   * Page (CSS pixel) rectangle of a node's widget, for clicking it like a person would; undefined until
   * the node has been drawn once (a node just loaded or undone has no widget layout yet).
   */
  widgetRect(
    id: string | number,
    widgetName: string,
  ): { left: number; top: number; width: number; height: number } | undefined;
  /** Page point at the centre of where node `id` last drew its chart or images; undefined if it did not. */
  overlayCenter(id: string | number, which: 'chart' | 'images'): { x: number; y: number } | undefined;
  /** Page coordinates of a point given in graph coordinates. */
  graphToPage(x: number, y: number): { x: number; y: number };
  /** Progress, running flag, errors, chart length and the text lines of its output of node `id`. */
  nodeState(id: string | number): {
    running: boolean;
    progress?: { value: number; max: number };
    errors: string[];
    chartPoints: number;
    text: string[];
  };
}

declare global {
  interface Window {
    studio?: StudioDebugHandle;
  }
}

export function installDebugHandle(): void {
  window.studio = {
    get graph() {
      return graphHost.graph;
    },
    nodeImages(id) {
      const node = graphHost.nodeById(id);
      if (!node) return [];
      const combo = (node as Partial<StudioNode>).imageCombo;
      return nodeImageUrls(node, combo ? inputImageRef(combo.value) : undefined).map((src) => {
        const img = cachedImage(src);
        return {
          src,
          loaded: img.complete && img.naturalWidth > 0,
          width: img.naturalWidth,
          height: img.naturalHeight,
        };
      });
    },
    graphToPage(x, y) {
      const canvas = graphHost.canvas;
      const [cx, cy] = canvas.ds.convertOffsetToCanvas([x, y]);
      const rect = canvas.canvas.getBoundingClientRect();
      return { x: rect.left + cx, y: rect.top + cy };
    },
    overlayCenter(id, which) {
      const node = graphHost.nodeById(id);
      const area = node ? overlayArea(node, which) : undefined;
      if (!node || !area) return undefined;
      return this.graphToPage(node.pos[0] + area.x + area.w / 2, node.pos[1] + area.y + area.h / 2);
    },
    widgetRect(id, widgetName) {
      const node = graphHost.nodeById(id);
      const widget = node?.widgets?.find((w) => w.name === widgetName);
      // y is 0 until litegraph first lays the node out (it is at least 2 after that)
      if (!node || !widget || widget.y === 0) return undefined;
      const topLeft = this.graphToPage(node.pos[0], node.pos[1] + widget.y);
      const bottomRight = this.graphToPage(
        node.pos[0] + node.size[0],
        node.pos[1] + widget.y + LiteGraph.NODE_WIDGET_HEIGHT,
      );
      return {
        left: topLeft.x,
        top: topLeft.y,
        width: bottomRight.x - topLeft.x,
        height: bottomRight.y - topLeft.y,
      };
    },
    nodeState(id) {
      const exec = useExecutionStore();
      const key = String(id);
      return {
        running: exec.runningNodeId === key,
        progress: exec.progress[key],
        errors: exec.errors[key]?.messages ?? [],
        chartPoints: useNodeSeriesStore().byNode.get(key)?.xs.length ?? 0,
        text: outputTextLines(exec.outputs[key]),
      };
    },
  };
}
