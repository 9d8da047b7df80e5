/**
 * What the studio draws on a node besides litegraph's own title, slots and widgets: the images it produced
 * (or the input image it will load), a live chart, text outputs and the error that stopped it.
 */
import { LiteGraph, type LGraphNode } from '@comfyorg/litegraph';
import { viewUrl } from '../api/studioApi';
import { fileRefSchema, type FileRef, type NodeUiOutput } from '../api/wire';
import { useExecutionStore } from '../stores/executionStore';
import { useNodeSeriesStore } from '../stores/nodeSeriesStore';
import { cachedImage, isDrawable } from './imageCache';
import { drawSeriesChart, formatValue, type Rect } from './seriesChart';

const TEXT_FONT = '12px Inter, system-ui, sans-serif';
const LINE_HEIGHT = 16;
/** A longer output line is cut after this many wrapped lines. */
const MAX_LINES_PER_OUTPUT = 4;

/** Where the last frame drew a node's chart and images (node-local), for double-click hit tests. */
const drawnAreas = new WeakMap<LGraphNode, { chart?: Rect; images?: Rect }>();

const inside = (r: Rect | undefined, x: number, y: number) =>
  !!r && x >= r.x && x <= r.x + r.w && y >= r.y && y <= r.y + r.h;

/** Where node `node` last drew its chart or images (node-local), if it did. */
export function overlayArea(node: LGraphNode, which: 'chart' | 'images'): Rect | undefined {
  return drawnAreas.get(node)?.[which];
}

/** What of a node's overlays is at node-local point (x, y), as last drawn. */
export function overlayAt(node: LGraphNode, x: number, y: number): 'chart' | 'images' | undefined {
  const areas = drawnAreas.get(node);
  if (inside(areas?.chart, x, y)) return 'chart';
  if (inside(areas?.images, x, y)) return 'images';
  return undefined;
}

/** Output keys shown as images; every other key of a node's UI output is shown as text. */
const IMAGE_KEYS = new Set(['images', 'animated']);
/** Output keys only the training dashboard shows (a run's checkpoint files would swamp the node). */
const DASHBOARD_KEYS = new Set(['checkpoints']);

/** Files listed under `images` in a node's UI output. */
export function outputImages(output: NodeUiOutput | undefined): FileRef[] {
  return (output?.images ?? []).flatMap((item) => {
    const parsed = fileRefSchema.safeParse(item);
    return parsed.success ? [parsed.data] : [];
  });
}

/** A value of a UI output in a few words: `<my-toy> (num_vectors 1, dim 32)` instead of raw JSON. */
export function compactValue(v: unknown): string {
  if (typeof v === 'number') return formatValue(v);
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) {
    const parts = v.map(compactValue);
    return v.every((x) => typeof x === 'number') ? `[${parts.join(', ')}]` : parts.join('; ');
  }
  if (v && typeof v === 'object') {
    const entries = Object.entries(v);
    const head = entries.find(([, inner]) => typeof inner === 'string');
    const rest = entries.filter((e) => e !== head).map(([k, inner]) => `${k} ${compactValue(inner)}`);
    if (!head) return rest.join(', ');
    return rest.length ? `${String(head[1])} (${rest.join(', ')})` : String(head[1]);
  }
  return String(v);
}

/** A file a node wrote (any `type`, e.g. `embeddings`): `subfolder/filename`, or undefined. */
function filePath(v: object): string | undefined {
  const { filename, subfolder } = v as { filename?: unknown; subfolder?: unknown };
  if (typeof filename !== 'string') return undefined;
  return typeof subfolder === 'string' && subfolder ? `${subfolder}/${filename}` : filename;
}

const FILE_KEYS = new Set(['filename', 'subfolder', 'type']);

/** Lines for the non-image keys of a UI output, e.g. `clip_i: 0.812`. */
export function outputTextLines(output: NodeUiOutput | undefined): string[] {
  if (!output) return [];
  const lines: string[] = [];
  for (const [key, values] of Object.entries(output)) {
    if (IMAGE_KEYS.has(key) || DASHBOARD_KEYS.has(key)) continue;
    if (values.length > 3 && values.every((v) => typeof v === 'number')) {
      // a series (e.g. the loss per step): its last value, the chart shows the rest
      lines.push(`${key}: ${formatValue(values[values.length - 1] as number)} (last of ${values.length})`);
      continue;
    }
    for (const v of values) {
      if (typeof v === 'number') lines.push(`${key}: ${formatValue(v)}`);
      else if (typeof v === 'string') lines.push(values.length === 1 && key === 'text' ? v : `${key}: ${v}`);
      else if (v && typeof v === 'object' && !Array.isArray(v)) {
        // a saved file: its path on one line, what else the node says about it one line per key
        const file = filePath(v);
        if (file) lines.push(`${key}: ${file}`);
        for (const [k, inner] of Object.entries(v)) {
          if (file && FILE_KEYS.has(k)) continue;
          lines.push(`${k}: ${compactValue(inner)}`);
        }
      } else if (v != null) lines.push(`${key}: ${compactValue(v)}`);
    }
  }
  return lines;
}

/**
 * Whether node `id` has something to draw under its widgets (images, a chart, text outputs); growable
 * widgets (the prompt textarea) then leave room for it instead of filling the node.
 */
export function hasOverlayContent(node: LGraphNode): boolean {
  const exec = useExecutionStore();
  const id = String(node.id);
  return (
    !!exec.previews[id] ||
    outputImages(exec.outputs[id]).length > 0 ||
    outputTextLines(exec.outputs[id]).length > 0 ||
    useNodeSeriesStore().byNode.has(id)
  );
}

/** Top of the free area under a node's slots and widgets (node-local y). */
export function contentTop(node: LGraphNode): number {
  const socketInputs = node.inputs?.filter((i) => !i.widget).length ?? 0;
  const rows = Math.max(socketInputs, node.outputs?.length ?? 0);
  let y = rows * LiteGraph.NODE_SLOT_HEIGHT + 4;
  for (const w of node.widgets ?? []) {
    if (w.hidden) continue;
    y = Math.max(y, w.y + (w.computedHeight ?? LiteGraph.NODE_WIDGET_HEIGHT + 4));
  }
  return y + 4;
}

/** The image URLs a node shows now: live preview, else its last output, else its input image. */
export function nodeImageUrls(node: LGraphNode, inputImage: FileRef | undefined): string[] {
  const exec = useExecutionStore();
  const id = String(node.id);
  const preview = exec.previews[id];
  if (preview) return [preview];
  const images = outputImages(exec.outputs[id]);
  if (images.length) return images.map((f) => viewUrl(f, exec.outputVersion[id]));
  return inputImage ? [viewUrl(inputImage)] : [];
}

function drawImages(ctx: CanvasRenderingContext2D, urls: string[], area: Rect): void {
  const images = urls.map(cachedImage);
  const n = images.length;
  const only = images[0];
  if (n === 1 && only && isDrawable(only) && area.h > 60) {
    // one image: leave a line under it for its size, as ComfyUI does
    ctx.save();
    ctx.font = '11px Inter, system-ui, sans-serif';
    ctx.fillStyle = '#8a8a92';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'bottom';
    ctx.fillText(`${only.naturalWidth} × ${only.naturalHeight}`, area.x + area.w / 2, area.y + area.h);
    ctx.restore();
    area = { ...area, h: area.h - 16 };
  }
  const cols = Math.ceil(Math.sqrt(n));
  const rows = Math.ceil(n / cols);
  const cellW = area.w / cols;
  const cellH = area.h / rows;
  images.forEach((img, i) => {
    const cx = area.x + (i % cols) * cellW;
    const cy = area.y + Math.floor(i / cols) * cellH;
    if (!isDrawable(img)) {
      ctx.fillStyle = '#1a1a1a';
      ctx.fillRect(cx + 2, cy + 2, cellW - 4, cellH - 4);
      return;
    }
    const s = Math.min((cellW - 4) / img.naturalWidth, (cellH - 4) / img.naturalHeight);
    const w = img.naturalWidth * s;
    const h = img.naturalHeight * s;
    ctx.drawImage(img, cx + (cellW - w) / 2, cy + (cellH - h) / 2, w, h);
  });
}

function wrap(ctx: CanvasRenderingContext2D, text: string, width: number, maxLines: number): string[] {
  const words = text.split(/\s+/);
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    const next = line ? `${line} ${word}` : word;
    if (ctx.measureText(next).width > width && line) {
      lines.push(line);
      line = word;
      if (lines.length === maxLines) break;
    } else line = next;
  }
  if (lines.length < maxLines && line) lines.push(line);
  return lines;
}

function drawErrorBox(ctx: CanvasRenderingContext2D, node: LGraphNode, messages: string[]): void {
  ctx.save();
  ctx.font = '12px Inter, system-ui, sans-serif';
  const width = Math.max(node.size[0], 220);
  const lines = messages.flatMap((m) => wrap(ctx, m, width - 16, 5)).slice(0, 8);
  const h = lines.length * 16 + 10;
  const y = node.size[1] + 6;
  ctx.fillStyle = 'rgba(127, 29, 29, 0.92)';
  ctx.strokeStyle = '#ef4444';
  ctx.beginPath();
  ctx.roundRect(0, y, width, h, 6);
  ctx.fill();
  ctx.stroke();
  ctx.fillStyle = '#fee2e2';
  ctx.textBaseline = 'top';
  lines.forEach((line, i) => ctx.fillText(line, 8, y + 6 + i * 16));
  ctx.restore();
}

/**
 * Draws the overlays of one node; called from its onDrawForeground (node-local coordinates). Returns how
 * many px of text did not fit (the node should grow by that much), 0 when everything was drawn.
 */
export function drawNodeOverlays(
  node: LGraphNode,
  ctx: CanvasRenderingContext2D,
  inputImage: FileRef | undefined,
): number {
  if (node.flags.collapsed) return 0;
  const exec = useExecutionStore();
  const id = String(node.id);
  const top = contentTop(node);
  const area: Rect = { x: 6, y: top, w: node.size[0] - 12, h: node.size[1] - top - 6 };
  const series = useNodeSeriesStore().byNode.get(id);
  const urls = nodeImageUrls(node, inputImage);
  const drawn: { chart?: Rect; images?: Rect } = {};
  drawnAreas.set(node, drawn);
  if (series && area.h > 50) {
    const h = urls.length ? Math.min(130, area.h * 0.45) : area.h;
    drawn.chart = { ...area, h };
    drawSeriesChart(ctx, drawn.chart, series);
    area.y += h + 6;
    area.h -= h + 6;
  }
  let missing = 0;
  const lines = outputTextLines(exec.outputs[id]);
  if (lines.length) {
    ctx.save();
    ctx.font = TEXT_FONT;
    // the theme's widget text colour (services/themeService.ts): readable on the node in either theme
    ctx.fillStyle = LiteGraph.WIDGET_TEXT_COLOR;
    ctx.textBaseline = 'top';
    const wrapped = lines.flatMap((line) => wrap(ctx, line, area.w - 8, MAX_LINES_PER_OUTPUT));
    const shown = wrapped.slice(0, Math.max(0, Math.floor(area.h / LINE_HEIGHT)));
    missing = (wrapped.length - shown.length) * LINE_HEIGHT;
    shown.forEach((line, i) => ctx.fillText(line, area.x + 4, area.y + i * LINE_HEIGHT, area.w - 8));
    ctx.restore();
    area.y += shown.length * LINE_HEIGHT + 4;
    area.h -= shown.length * LINE_HEIGHT + 4;
  }
  if (urls.length && area.h > 20) {
    drawn.images = { ...area };
    drawImages(ctx, urls, area);
  }
  const error = exec.errors[id];
  if (error) drawErrorBox(ctx, node, error.messages);
  return missing;
}

/** Grows a node so `needed` px of free space fit under its widgets (e.g. when an image arrives). */
export function ensureFreeSpace(node: LGraphNode, needed: number, minWidth = 256): void {
  const top = contentTop(node);
  const width = Math.max(node.size[0], minWidth);
  const height = Math.max(node.size[1], top + needed);
  if (width !== node.size[0] || height !== node.size[1]) node.setSize([width, height]);
}
