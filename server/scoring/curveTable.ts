/**
 * A checkpoint curve as data: the measure that picks the best step, and the table written beside the
 * chart (CSV, one row per saved step; the JSON record keeps the per-prompt scores too).
 */
import path from 'node:path';
import type { CurvePoint } from './checkpointCurve';

/** The measures a curve can be ranked by, as they are named in tables and inputs. */
export const CURVE_MEASURES = ['clip_i', 'clip_t', 'oracle'] as const;
export type CurveMeasure = (typeof CURVE_MEASURES)[number];

/** A point's value of `measure` (NaN when the oracle did not run). */
export function measureOf(point: CurvePoint, measure: CurveMeasure): number {
  if (measure === 'clip_i') return point.clipI;
  if (measure === 'clip_t') return point.clipT;
  return point.oracle ?? Number.NaN;
}

/** The point with the highest `measure` (the earliest step on ties). */
export function bestPoint(points: readonly CurvePoint[], measure: CurveMeasure): CurvePoint {
  let best: CurvePoint | undefined;
  for (const point of points) {
    const value = measureOf(point, measure);
    if (Number.isFinite(value) && (best === undefined || value > measureOf(best, measure))) best = point;
  }
  if (!best)
    throw new Error(
      `no step has a ${measure} score${measure === 'oracle' ? '; set oracle_shape to the shape the token should draw' : ''}`,
    );
  return best;
}

/** Columns of the curve's table: step, CLIP-I, CLIP-T and, when judged, the oracle rate. */
export function curveColumns(points: readonly CurvePoint[]): CurveMeasure[] {
  return points.some((p) => p.oracle !== undefined) ? ['clip_i', 'clip_t', 'oracle'] : ['clip_i', 'clip_t'];
}

/** The table as CSV: a header, then one row per step, values at full precision. */
export function curveCsv(points: readonly CurvePoint[]): string {
  const columns = curveColumns(points);
  const rows = points.map((p) => [p.step, ...columns.map((c) => measureOf(p, c))].join(','));
  return `${['step', ...columns].join(',')}\n${rows.map((r) => `${r}\n`).join('')}`;
}

/** A point's scores as the wire names them (`clip_i`, `clip_t`, `oracle` when judged). */
function scoresOf(s: { clipI: number; clipT: number; oracle?: number }): Record<string, number> {
  return { clip_i: s.clipI, clip_t: s.clipT, ...(s.oracle !== undefined ? { oracle: s.oracle } : {}) };
}

/** The curve in the node's UI output (`curve`), for the training dashboard: step and scores per point. */
export function curveUiPoints(points: readonly CurvePoint[]): Record<string, number>[] {
  return points.map((p) => ({ step: p.step, ...scoresOf(p) }));
}

/** The JSON record of a curve: settings, the best step and every point (file name, per-prompt scores). */
export function curveRecord(
  points: readonly CurvePoint[],
  best: CurvePoint,
  settings: { readonly best_by: CurveMeasure } & Record<string, unknown>,
): Record<string, unknown> {
  return {
    ...settings,
    best_step: best.step,
    best_value: measureOf(best, settings.best_by),
    steps: points.map((p) => ({
      step: p.step,
      file: path.basename(p.file),
      token: p.token,
      ...scoresOf(p),
      prompts: p.prompts.map((q) => ({ prompt: q.prompt, ...scoresOf(q) })),
    })),
  };
}
