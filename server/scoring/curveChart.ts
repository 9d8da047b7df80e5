/** The chart of a checkpoint curve: one line per measure against the step, the best step marked. */
import { lineChartPng, type LineChartOptions } from '../image/lineChart';
import type { CurvePoint } from './checkpointCurve';
import { curveColumns, measureOf, type CurveMeasure } from './curveTable';

const SERIES_NAMES: Readonly<Record<CurveMeasure, string>> = {
  clip_i: 'CLIP-I',
  clip_t: 'CLIP-T',
  oracle: 'oracle rate',
};

/** Chart options of `points` with `best` marked (by `bestBy`). */
export function curveChartOptions(
  points: readonly CurvePoint[],
  best: CurvePoint,
  bestBy: CurveMeasure,
  title: string,
): LineChartOptions {
  return {
    title,
    xLabel: 'training step',
    x: points.map((p) => p.step),
    series: curveColumns(points).map((measure) => ({
      name: SERIES_NAMES[measure],
      values: points.map((p) => measureOf(p, measure)),
    })),
    marker: {
      x: best.step,
      label: `best ${SERIES_NAMES[bestBy]}: step ${best.step} (${measureOf(best, bestBy).toFixed(3)})`,
    },
  };
}

/** The chart as PNG bytes. */
export function curveChartPng(
  points: readonly CurvePoint[],
  best: CurvePoint,
  bestBy: CurveMeasure,
  title: string,
): Promise<Uint8Array> {
  return lineChartPng(curveChartOptions(points, best, bestBy, title));
}
