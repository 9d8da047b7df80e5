/**
 * The minimap (turned on in the settings, kept across reloads): it draws every node of the default
 * canvas and the visible area, and a click on it centres the view on that part of the graph.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshot, openStudioPage, type BrowserStudio } from './browserHarness';

let h: BrowserStudio;

/** The graph point at the middle of the canvas view. */
const viewCentre = () =>
  h.page.evaluate(() => {
    const c = window.studio!.graph.list_of_graphcanvas![0]!;
    const [x, y] = c.ds.convertCanvasToOffset([c.canvas.clientWidth / 2, c.canvas.clientHeight / 2]);
    return { x, y };
  });

beforeAll(async () => {
  h = await openStudioPage();
});

afterAll(async () => {
  await h?.close();
});

describe('the minimap', () => {
  it('is turned on in the settings, draws the graph, and a click moves the view there', async () => {
    await expect(h.page.getByTestId('minimap').count()).resolves.toBe(0);
    await h.page.getByTestId('settings-button').click();
    await h.page.getByTestId('minimap-setting').check();
    await h.page.keyboard.press('Escape');
    const minimap = h.page.getByTestId('minimap');
    const nodes = await h.page.evaluate(() => window.studio!.graph.nodes.length);
    await expect.poll(() => minimap.getAttribute('data-nodes')).toBe(String(nodes));

    // the node in the top-left corner of the graph: click where the minimap draws it
    const target = await h.page.evaluate(() => {
      const nodes = window.studio!.graph.nodes;
      const n = nodes.reduce((a, b) => (a.pos[0] + a.pos[1] <= b.pos[0] + b.pos[1] ? a : b));
      return { x: n.pos[0] + n.size[0] / 2, y: n.pos[1] + n.size[1] / 2 };
    });
    const bounds = await h.page.evaluate(() => {
      const c = window.studio!.graph.list_of_graphcanvas![0]!;
      const [vx, vy] = c.ds.convertCanvasToOffset([0, 0]);
      const vw = c.canvas.clientWidth / c.ds.scale;
      const vh = c.canvas.clientHeight / c.ds.scale;
      let [x0, y0, x1, y1] = [vx, vy, vx + vw, vy + vh];
      for (const n of window.studio!.graph.nodes) {
        x0 = Math.min(x0, n.pos[0]);
        y0 = Math.min(y0, n.pos[1] - 30);
        x1 = Math.max(x1, n.pos[0] + n.size[0]);
        y1 = Math.max(y1, n.pos[1] + n.size[1]);
      }
      return { x0, y0, x1, y1 };
    });
    const box = (await minimap.boundingBox())!;
    const scale = Math.min(
      (box.width - 12) / (bounds.x1 - bounds.x0),
      (box.height - 12) / (bounds.y1 - bounds.y0),
    );
    const px = box.x + 6 + (target.x - bounds.x0) * scale;
    const py = box.y + 6 + (target.y - bounds.y0) * scale;
    await h.page.mouse.click(px, py);
    const centre = await viewCentre();
    // one minimap pixel is 1/scale graph units
    expect(Math.abs(centre.x - target.x)).toBeLessThanOrEqual(2 / scale);
    expect(Math.abs(centre.y - target.y)).toBeLessThanOrEqual(2 / scale);
    await screenshot(h.page, 'minimap');

    await h.page.reload();
    await h.page.waitForFunction(() => (window.studio?.graph.nodes.length ?? 0) > 0);
    await expect(h.page.getByTestId('minimap').isVisible()).resolves.toBe(true);
    expect(h.pageErrors).toEqual([]);
  });
});
