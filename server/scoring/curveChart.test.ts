import { describe, expect, it } from 'vitest';
import { lineChartSvg } from '../image/lineChart';
import type { CurvePoint } from './checkpointCurve';
import { curveChartOptions } from './curveChart';
import { bestPoint } from './curveTable';

const point = (step: number, clipI: number, clipT: number, oracle?: number): CurvePoint => ({
  step,
  file: '',
  token: '<t>',
  clipI,
  clipT,
  ...(oracle !== undefined ? { oracle } : {}),
  prompts: [],
});

/** Each polyline's points as [x, y] pairs. */
function polylines(svg: string): number[][][] {
  return [...svg.matchAll(/<polyline[^>]* points="([^"]+)"/g)].map((m) =>
    m[1]!.split(' ').map((xy) => xy.split(',').map(Number)),
  );
}

describe('checkpoint curve chart', () => {
  const points = [point(5, 0.25, 0.2, 0), point(10, 0.75, 0.3, 1), point(15, 0.5, 0.35, 0.5)];

  it('draws one polyline per measure, named in the legend, with the best step marked at its maximum', () => {
    const options = curveChartOptions(points, bestPoint(points, 'clip_i'), 'clip_i', 'curve');
    expect(options.series.map((s) => s.name)).toEqual(['CLIP-I', 'CLIP-T', 'oracle rate']);
    expect(options.marker).toEqual({ x: 10, label: 'best CLIP-I: step 10 (0.750)' });
    const svg = lineChartSvg(options);
    const lines = polylines(svg);
    expect(lines.map((l) => l.length)).toEqual([3, 3, 3]);
    // the marker line stands at the x of CLIP-I's highest point (SVG y grows downwards)
    const clipI = lines[0]!;
    const top = clipI.reduce((a, b) => (b[1]! < a[1]! ? b : a));
    expect(svg).toContain(`<line x1="${top[0]}" x2="${top[0]}"`);
    expect(top[0]).toBe(clipI[1]![0]);
  });

  it('leaves the oracle line out when it did not run', () => {
    const plain = points.map((p) => point(p.step, p.clipI, p.clipT));
    const options = curveChartOptions(plain, bestPoint(plain, 'clip_t'), 'clip_t', 'curve');
    expect(options.series.map((s) => s.name)).toEqual(['CLIP-I', 'CLIP-T']);
    expect(polylines(lineChartSvg(options)).length).toBe(2);
    expect(options.marker?.x).toBe(15);
  });
});
