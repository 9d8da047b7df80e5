/**
 * A small line chart as PNG (SVG rasterised by sharp): score against training step, one line per measure,
 * each measure on its own 0–1 band when its values are not already there, the best step marked. Used by the
 * checkpoint-curve node and the docs images.
 */
import sharp from 'sharp';

/** One line: a name, its colour and a value per x (NaN = no point). */
export interface ChartSeries {
  readonly name: string;
  readonly values: readonly number[];
  readonly colour?: string;
}

export interface LineChartOptions {
  readonly title: string;
  readonly xLabel: string;
  readonly x: readonly number[];
  readonly series: readonly ChartSeries[];
  /** An x to mark with a vertical line (e.g. the best step) and its label. */
  readonly marker?: { readonly x: number; readonly label: string };
  readonly width?: number;
  readonly height?: number;
}

const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2'];
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The chart as an SVG string (exposed for tests and for embedding in pages). */
export function lineChartSvg(options: LineChartOptions): string {
  const width = options.width ?? 640;
  const height = options.height ?? 360;
  const pad = { left: 52, right: 16, top: 34, bottom: 64 };
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const xs = options.x;
  if (xs.length === 0) throw new Error('a chart needs at least one x value');
  const all = options.series.flatMap((s) => s.values.filter(Number.isFinite));
  const lo = Math.min(0, ...all);
  const hi = Math.max(1, ...all);
  const xMin = Math.min(...xs);
  const xMax = Math.max(...xs);
  const round = (v: number) => Math.round(v * 100) / 100;
  const px = (x: number) =>
    round(pad.left + (xMax === xMin ? plotW / 2 : ((x - xMin) / (xMax - xMin)) * plotW));
  const py = (y: number) => round(pad.top + plotH - ((y - lo) / (hi - lo || 1)) * plotH);
  const parts: string[] = [
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${esc(options.title)}</text>`,
  ];
  for (let k = 0; k <= 4; k++) {
    const v = lo + ((hi - lo) * k) / 4;
    parts.push(
      `<line x1="${pad.left}" x2="${pad.left + plotW}" y1="${py(v)}" y2="${py(v)}" stroke="#e5e7eb"/>`,
      `<text x="${pad.left - 6}" y="${py(v) + 4}" text-anchor="end" font-size="11" fill="#374151">${v.toFixed(2)}</text>`,
    );
  }
  for (const x of xs) {
    parts.push(
      `<text x="${px(x)}" y="${pad.top + plotH + 16}" text-anchor="middle" font-size="11" fill="#374151">${x}</text>`,
    );
  }
  parts.push(
    `<text x="${pad.left + plotW / 2}" y="${pad.top + plotH + 32}" text-anchor="middle" font-size="12">${esc(options.xLabel)}</text>`,
  );
  if (options.marker) {
    const mx = px(options.marker.x);
    // a label right of the middle is drawn leftwards, so it stays inside the chart
    const leftwards = mx > pad.left + plotW / 2;
    const label = leftwards ? `x="${mx - 4}" text-anchor="end"` : `x="${mx + 4}"`;
    parts.push(
      `<line x1="${mx}" x2="${mx}" y1="${pad.top}" y2="${pad.top + plotH}" stroke="#111827" stroke-dasharray="4 3"/>`,
      `<text ${label} y="${pad.top + 12}" font-size="11" fill="#111827">${esc(options.marker.label)}</text>`,
    );
  }
  options.series.forEach((s, i) => {
    const colour = s.colour ?? PALETTE[i % PALETTE.length]!;
    const points = xs.map((x, k) => [x, s.values[k]!] as const).filter(([, y]) => Number.isFinite(y));
    if (points.length > 1)
      parts.push(
        `<polyline fill="none" stroke="${colour}" stroke-width="2" points="${points.map(([x, y]) => `${px(x)},${py(y)}`).join(' ')}"/>`,
      );
    for (const [x, y] of points) parts.push(`<circle cx="${px(x)}" cy="${py(y)}" r="3" fill="${colour}"/>`);
    const lx = pad.left + (i % 3) * (plotW / 3);
    const ly = height - 14 - Math.floor(i / 3) * 0;
    parts.push(
      `<rect x="${lx}" y="${ly - 9}" width="10" height="10" fill="${colour}"/>`,
      `<text x="${lx + 14}" y="${ly}" font-size="11">${esc(s.name)}</text>`,
    );
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="DejaVu Sans, sans-serif">${parts.join('')}</svg>`;
}

/** The chart as PNG bytes. */
export async function lineChartPng(options: LineChartOptions): Promise<Uint8Array> {
  return new Uint8Array(
    await sharp(Buffer.from(lineChartSvg(options)))
      .png()
      .toBuffer(),
  );
}
