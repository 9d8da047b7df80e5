/**
 * Draws a node's live series (e.g. training loss per step) as a small line chart inside the node: the raw
 * values faint, their moving average bold, the latest value in the corner. The maths is pure and tested.
 */
import type { NodeSeries } from '../stores/nodeSeriesStore';

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Exponential moving average, bias-corrected so early points are not pulled towards 0; NaN is skipped. */
export function movingAverage(values: readonly number[], smoothing: number): number[] {
  let avg = 0;
  let weight = 0;
  return values.map((v) => {
    if (Number.isFinite(v)) {
      avg = smoothing * avg + (1 - smoothing) * v;
      weight = smoothing * weight + (1 - smoothing);
    }
    return weight > 0 ? avg / weight : Number.NaN;
  });
}

/** Data → pixel mapping for the finite points; a flat or single-point range is widened so it stays visible. */
export function chartScale(xs: readonly number[], ys: readonly number[], plot: Rect) {
  const fx = xs.filter(Number.isFinite);
  const fy = ys.filter(Number.isFinite);
  let [x0, x1] = [Math.min(...fx), Math.max(...fx)];
  let [y0, y1] = [Math.min(...fy), Math.max(...fy)];
  if (!(x1 > x0)) [x0, x1] = [x0 - 1, x0 + 1];
  if (!(y1 > y0)) {
    const pad = Math.abs(y0) * 0.1 || 1;
    [y0, y1] = [y0 - pad, y0 + pad];
  }
  return {
    xMin: x0,
    xMax: x1,
    yMin: y0,
    yMax: y1,
    toX: (x: number) => plot.x + ((x - x0) / (x1 - x0)) * plot.w,
    toY: (y: number) => plot.y + plot.h - ((y - y0) / (y1 - y0)) * plot.h,
  };
}

/** Compact number for axis labels: 0.0123 → "0.0123", 12345 → "1.23e+4". */
export function formatValue(v: number): string {
  if (!Number.isFinite(v)) return '–';
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e4)) return v.toExponential(2);
  return Number(v.toPrecision(3)).toString();
}

function polyline(
  ctx: CanvasRenderingContext2D,
  xs: readonly number[],
  ys: readonly number[],
  scale: ReturnType<typeof chartScale>,
): void {
  ctx.beginPath();
  let pen = false;
  for (let i = 0; i < xs.length; i++) {
    const y = ys[i]!;
    if (!Number.isFinite(y)) {
      pen = false;
      continue;
    }
    const px = scale.toX(xs[i]!);
    const py = scale.toY(y);
    if (pen) ctx.lineTo(px, py);
    else ctx.moveTo(px, py);
    pen = true;
  }
  ctx.stroke();
}

/** Draws `series` into `rect` (node-local coordinates). */
export function drawSeriesChart(ctx: CanvasRenderingContext2D, rect: Rect, series: NodeSeries): void {
  ctx.save();
  ctx.fillStyle = '#161616';
  ctx.strokeStyle = '#3a3a3a';
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.roundRect(rect.x, rect.y, rect.w, rect.h, 6);
  ctx.fill();
  ctx.stroke();
  const plot: Rect = { x: rect.x + 42, y: rect.y + 22, w: rect.w - 52, h: rect.h - 36 };
  const first = series.spec.series[0];
  const ys = first ? (series.ys[first.key] ?? []) : [];
  const last = [...ys].reverse().find(Number.isFinite);
  ctx.font = '11px Inter, system-ui, sans-serif';
  ctx.textBaseline = 'middle';
  ctx.fillStyle = '#aaa';
  ctx.textAlign = 'left';
  ctx.fillText(series.spec.title, rect.x + 8, rect.y + 11);
  ctx.textAlign = 'right';
  ctx.fillStyle = first?.color ?? '#ddd';
  const lastX = series.xs[series.xs.length - 1];
  if (last !== undefined)
    ctx.fillText(`${formatValue(last)}  @ ${series.spec.x} ${lastX}`, rect.x + rect.w - 8, rect.y + 11);
  const allY = series.spec.series.flatMap((s) => series.ys[s.key] ?? []);
  if (series.xs.length < 2 || plot.w < 20 || plot.h < 10 || !allY.some(Number.isFinite)) {
    ctx.fillStyle = '#777';
    ctx.textAlign = 'center';
    ctx.fillText('waiting for data…', rect.x + rect.w / 2, plot.y + plot.h / 2);
    ctx.restore();
    return;
  }
  const scale = chartScale(series.xs, allY, plot);
  ctx.strokeStyle = '#2a2a2a';
  ctx.beginPath();
  for (const t of [0, 0.5, 1]) {
    const y = plot.y + plot.h * t;
    ctx.moveTo(plot.x, y);
    ctx.lineTo(plot.x + plot.w, y);
  }
  ctx.stroke();
  ctx.fillStyle = '#888';
  ctx.textAlign = 'right';
  ctx.fillText(formatValue(scale.yMax), plot.x - 5, plot.y);
  ctx.fillText(formatValue(scale.yMin), plot.x - 5, plot.y + plot.h);
  ctx.textAlign = 'left';
  ctx.fillText(String(scale.xMin), plot.x, plot.y + plot.h + 9);
  ctx.textAlign = 'right';
  ctx.fillText(String(scale.xMax), plot.x + plot.w, plot.y + plot.h + 9);
  for (const s of series.spec.series) {
    const values = series.ys[s.key] ?? [];
    ctx.strokeStyle = s.color;
    ctx.lineWidth = 1;
    ctx.globalAlpha = s.smoothing ? 0.35 : 1;
    polyline(ctx, series.xs, values, scale);
    if (s.smoothing) {
      ctx.globalAlpha = 1;
      ctx.lineWidth = 2;
      polyline(ctx, series.xs, movingAverage(values, s.smoothing), scale);
    }
  }
  ctx.restore();
}
