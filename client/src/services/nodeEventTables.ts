/**
 * Custom WebSocket events that nodes send (issue 5's trainer and anything after it), as tables: a node gets
 * a live chart or image preview by naming its event here, with no other client code.
 */
import { z } from 'zod';
import { fileRefSchema, type FileRef } from '../api/wire';

/** One line of a chart: which numeric field of the event it plots. */
export interface ChartSeriesSpec {
  key: string;
  color: string;
  /** Also draw an exponential moving average with this smoothing factor (0..1, higher = smoother). */
  smoothing?: number;
}

/** An event drawn as a chart on `data.node`: `x` names the step field, `series` the plotted fields. */
export interface ChartEventSpec {
  title: string;
  x: string;
  series: readonly ChartSeriesSpec[];
}

export const CHART_EVENTS: Readonly<Record<string, ChartEventSpec>> = {
  ti_loss: { title: 'loss', x: 'step', series: [{ key: 'loss', color: '#FFA931', smoothing: 0.8 }] },
};

/** Events that carry an image (`image: FileRef` or `images: FileRef[]`) to show on `data.node`. */
export const IMAGE_EVENTS: ReadonlySet<string> = new Set(['ti_preview']);

const nodeField = z.looseObject({ node: z.union([z.string(), z.number()]).transform(String) });

/** A chart point taken from one event: node id, x and one value per series (missing fields skipped). */
export interface ChartPoint {
  nodeId: string;
  x: number;
  values: Record<string, number>;
}

/** Reads a chart event's point, or undefined when the event lacks the node or a finite x. */
export function chartPointFromEvent(
  spec: ChartEventSpec,
  data: Record<string, unknown>,
): ChartPoint | undefined {
  const node = nodeField.safeParse(data);
  const x = data[spec.x];
  if (!node.success || typeof x !== 'number' || !Number.isFinite(x)) return undefined;
  const values: Record<string, number> = {};
  for (const s of spec.series) {
    const v = data[s.key];
    if (typeof v === 'number' && Number.isFinite(v)) values[s.key] = v;
  }
  return { nodeId: node.data.node, x, values };
}

const imageEventSchema = z.looseObject({
  node: z.union([z.string(), z.number()]).transform(String),
  image: fileRefSchema.optional(),
  images: z.array(fileRefSchema).optional(),
});

/** Reads an image event's node id and files, or undefined when it names no node or no file. */
export function imagesFromEvent(
  data: Record<string, unknown>,
): { nodeId: string; images: FileRef[] } | undefined {
  const parsed = imageEventSchema.safeParse(data);
  if (!parsed.success) return undefined;
  const images = [...(parsed.data.images ?? []), ...(parsed.data.image ? [parsed.data.image] : [])];
  return images.length ? { nodeId: parsed.data.node, images } : undefined;
}
