/**
 * What the browser tests read back from the page besides `window.studio`: pixels drawn on the canvas, the
 * chart series the page holds for a node, and the JSON frames the page's own WebSocket received.
 */
import type { Page } from 'playwright-core';

/** An area in graph coordinates: x, y, width, height. */
export type GraphRect = readonly [x: number, y: number, w: number, h: number];

/** A node's body (below its title) in graph coordinates. */
export async function nodeBodyRect(page: Page, id: string | number): Promise<GraphRect> {
  return page.evaluate((nodeId) => {
    const node = window.studio!.graph.getNodeById(nodeId);
    if (!node) throw new Error(`no node ${nodeId} on the canvas`);
    return [node.pos[0], node.pos[1], node.size[0], node.size[1]] as const;
  }, id);
}

/** Canvas pixels of colour `rgb` (±24 per channel) inside `rect`, as last drawn. */
export async function countPixels(
  page: Page,
  rect: GraphRect,
  rgb: readonly [number, number, number],
): Promise<number> {
  return page.evaluate(
    ([[gx, gy, gw, gh], [r, g, b]]) => {
      const a = window.studio!.graphToPage(gx, gy);
      const z = window.studio!.graphToPage(gx + gw, gy + gh);
      const canvas = document.querySelector<HTMLCanvasElement>('[data-testid=graph-canvas]')!;
      const box = canvas.getBoundingClientRect();
      const ratio = canvas.width / box.width;
      const x = Math.round((a.x - box.left) * ratio);
      const y = Math.round((a.y - box.top) * ratio);
      const w = Math.max(1, Math.round((z.x - a.x) * ratio));
      const h = Math.max(1, Math.round((z.y - a.y) * ratio));
      const data = canvas.getContext('2d')!.getImageData(x, y, w, h).data;
      let count = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (Math.abs(data[i]! - r) < 24 && Math.abs(data[i + 1]! - g) < 24 && Math.abs(data[i + 2]! - b) < 24)
          count++;
      }
      return count;
    },
    [rect, rgb] as const,
  );
}

/** Mean brightness (0–255, mean of r, g, b) of the canvas pixels inside `rect`, as last drawn. */
export async function meanBrightness(page: Page, rect: GraphRect): Promise<number> {
  return page.evaluate(([gx, gy, gw, gh]) => {
    const a = window.studio!.graphToPage(gx, gy);
    const z = window.studio!.graphToPage(gx + gw, gy + gh);
    const canvas = document.querySelector<HTMLCanvasElement>('[data-testid=graph-canvas]')!;
    const box = canvas.getBoundingClientRect();
    const ratio = canvas.width / box.width;
    const data = canvas
      .getContext('2d')!
      .getImageData(
        Math.round((a.x - box.left) * ratio),
        Math.round((a.y - box.top) * ratio),
        Math.max(1, Math.round((z.x - a.x) * ratio)),
        Math.max(1, Math.round((z.y - a.y) * ratio)),
      ).data;
    let sum = 0;
    for (let i = 0; i < data.length; i += 4) sum += data[i]! + data[i + 1]! + data[i + 2]!;
    return sum / (3 * (data.length / 4));
  }, rect);
}

/** A node's chart as the page holds it: the x of each point and the values of one series. */
export interface ChartSeries {
  xs: number[];
  ys: number[];
}

/**
 * The points of series `key` charted on node `id`, read from the page's `nodeSeries` store (the data the
 * canvas chart is drawn from) through pinia's public `state`; undefined while the node has no chart.
 * `window.studio` only reports the number of points.
 */
export async function chartSeries(
  page: Page,
  id: string | number,
  key: string,
): Promise<ChartSeries | undefined> {
  return page.evaluate(
    ([nodeId, seriesKey]) => {
      interface SeriesState {
        byNode: Map<string, { xs: number[]; ys: Record<string, number[]> }>;
      }
      interface PiniaLike {
        state: { value: Record<string, unknown> };
      }
      const host = document.querySelector('#app') as
        (Element & { __vue_app__?: { config: { globalProperties: { $pinia?: PiniaLike } } } }) | null;
      const pinia = host?.__vue_app__?.config.globalProperties.$pinia;
      const store = pinia?.state.value.nodeSeries as SeriesState | undefined;
      if (!store)
        throw new Error('the page has no nodeSeries store (renamed? update tests/browser/pageProbes.ts)');
      const series = store.byNode.get(nodeId);
      const ys = series?.ys[seriesKey];
      return series && ys ? { xs: [...series.xs], ys: [...ys] } : undefined;
    },
    [String(id), key] as const,
  );
}

/** A JSON frame of the studio WebSocket protocol. */
export interface SocketFrame {
  type: string;
  data: Record<string, unknown>;
}

/**
 * Records every JSON frame the page's WebSockets receive (binary preview frames are skipped). Call it
 * before `page.goto`, so the first connection is seen too.
 */
export function recordSocketFrames(page: Page): SocketFrame[] {
  const frames: SocketFrame[] = [];
  page.on('websocket', (socket) => {
    socket.on('framereceived', ({ payload }) => {
      if (typeof payload === 'string') frames.push(JSON.parse(payload) as SocketFrame);
    });
  });
  return frames;
}
