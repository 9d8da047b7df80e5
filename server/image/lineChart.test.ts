import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { lineChartPng, lineChartSvg } from './lineChart';

const chart = {
  title: 'CLIP-I by step',
  xLabel: 'step',
  x: [0, 100, 200],
  series: [
    { name: 'CLIP-I', values: [0.2, 0.6, 0.5] },
    { name: 'oracle', values: [0.1, Number.NaN, 0.9] },
  ],
  marker: { x: 100, label: 'best: 100' },
  width: 400,
  height: 300,
};

describe('line chart', () => {
  it('plots one polyline per series through its finite points, on a 0–1 axis, with the marker', () => {
    const svg = lineChartSvg(chart);
    const lines = [...svg.matchAll(/<polyline[^>]* points="([^"]+)"/g)].map((m) => m[1]!.split(' '));
    // plot area x 52…384, y 34…236 (pad left 52, right 16, top 34, bottom 64)
    expect(lines).toEqual([
      ['52,195.6', '218,114.8', '384,135'],
      ['52,215.8', '384,54.2'],
    ]);
    expect(svg).toContain('<line x1="218" x2="218"');
    expect(svg).toContain('best: 100');
  });

  it('draws the marker label leftwards when the marker is right of the middle', () => {
    const right = lineChartSvg({ ...chart, marker: { x: 200, label: 'best: 200' } });
    expect(right).toContain('<line x1="384" x2="384"');
    expect(right).toContain(
      '<text x="380" text-anchor="end" y="46" font-size="11" fill="#111827">best: 200</text>',
    );
    expect(lineChartSvg(chart)).toContain(
      '<text x="222" y="46" font-size="11" fill="#111827">best: 100</text>',
    );
  });

  it('renders a PNG of the requested size', async () => {
    const meta = await sharp(Buffer.from(await lineChartPng(chart))).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 400, 300]);
  });

  it('refuses an empty x axis', () => {
    expect(() => lineChartSvg({ ...chart, x: [] })).toThrow('a chart needs at least one x value');
  });
});
