/**
 * Round trips between the editor and the server in the browser: widget values reach the server and
 * control_after_generate steps the seed, a node's execution error comes back onto it, a workflow is
 * restored from a dropped SaveImage PNG, and an image uploaded through a LoadImage node is previewed on it.
 * (Progress, the loss chart and interrupt are driven by the real trainer in trainerProgress.test.ts.)
 */
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { historySchema, type HistoryEntry } from '../../protocol/wireSchemas';
import { countPixels, nodeBodyRect } from './pageProbes';
import {
  addNodeBySearch,
  clickCanvasUntil,
  clickForFileChooser,
  screenshot,
  openStudioPage,
  waitInPage,
  widgetRect,
  type BrowserStudio,
} from './browserHarness';
import { FAILING_NODE, FAILURE_MESSAGE, testNodes } from './testNodes';
import { dropFileOnCanvas, widgetsWorkflow } from './workflowFixtures';

let h: BrowserStudio;

async function history(): Promise<[string, HistoryEntry][]> {
  const all = historySchema.parse(await (await fetch(`${h.studio.url}/api/history`)).json());
  return Object.entries(all).sort((a, b) => a[1].prompt[0] - b[1].prompt[0]);
}

/** Opens `workflow` through the file dialog (in a new tab when the canvas is not empty). */
async function openWorkflowFile(workflow: unknown, name = 'widgets.json'): Promise<void> {
  await h.page.locator('input[type=file][accept*=json]').setInputFiles({
    name,
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify(workflow)),
  });
  await h.page.waitForFunction(
    (n) => window.studio!.graph.nodes.length === n,
    (workflow as { nodes: unknown[] }).nodes.length,
  );
}

beforeAll(async () => {
  h = await openStudioPage({ extraNodes: testNodes });
});

afterAll(async () => {
  await h?.close();
});

describe('editor ↔ server round trips', () => {
  it('runs the graph, sends every widget value to the server and steps the seed after queueing', async () => {
    await openWorkflowFile(widgetsWorkflow());
    await h.page.getByTestId('queue-button').click();
    await waitInPage(
      h.page,
      'the SaveImage node shows its output',
      () => window.studio!.nodeImages(2).some((i) => i.loaded),
      null,
      30_000,
    );
    const [shown] = await h.page.evaluate(() => window.studio!.nodeImages(2));
    const empty = widgetsWorkflow().nodes[0]!.widgets_values as number[];
    expect(shown).toMatchObject({ width: empty[0], height: empty[1] });
    const [[, first]] = await history();
    const values = widgetsWorkflow().nodes[2]!.widgets_values as unknown[];
    expect(first!.prompt[2]['3']).toMatchObject({
      inputs: { text: values[0], seed: values[1], cfg: values[3], enabled: values[4], sampler: values[5] },
    });
    const seedNow = await h.page.evaluate(
      () => window.studio!.graph.getNodeById(3)!.widgets!.find((w) => w.name === 'seed')!.value,
    );
    expect(seedNow).toBe(Number(values[1]) + 1);

    const textarea = h.page.locator('textarea[data-widget=text]');
    await expect(textarea.isVisible()).resolves.toBe(true);
    await expect(textarea.inputValue()).resolves.toBe(values[0]);
    await textarea.fill('a painting of <cat-toy>');
    const combo = await widgetRect(h.page, 3, 'sampler');
    await clickCanvasUntil(
      h.page,
      combo.left + combo.width / 2,
      combo.top + combo.height / 2,
      'open the sampler menu',
      () => h.page.locator('.litecontextmenu').isVisible(),
    );
    await h.page.locator('.litecontextmenu .litemenu-entry', { hasText: 'euler' }).click();
    await textarea.focus();
    await h.page.keyboard.press('Control+Enter');
    await expect.poll(async () => (await history()).length).toBe(2);
    const [, second] = (await history())[1]!;
    expect(second.prompt[2]['3']).toMatchObject({
      inputs: { text: 'a painting of <cat-toy>', seed: Number(values[1]) + 1, sampler: 'euler' },
    });
  });

  it('shows an execution error on the node that failed', async () => {
    const wf = widgetsWorkflow();
    const failing = {
      ...wf.nodes[1]!,
      id: 5,
      type: FAILING_NODE,
      pos: [420, 420],
      inputs: [{ name: 'images', type: 'IMAGE', link: 2 }],
      widgets_values: [],
    };
    wf.nodes[0]!.outputs![0]!.links!.push(2);
    await openWorkflowFile({
      ...wf,
      last_node_id: 5,
      last_link_id: 2,
      nodes: [...wf.nodes, failing],
      links: [...wf.links, [2, 1, 0, 5, 0, 'IMAGE']],
    });
    await h.page.getByTestId('queue-button').click();
    await waitInPage(
      h.page,
      'node 5 shows its error',
      () => window.studio!.nodeState(5).errors.length > 0,
      null,
      30_000,
    );
    const state = await h.page.evaluate(() => window.studio!.nodeState(5));
    expect(state.errors.join(' ')).toContain(FAILURE_MESSAGE);
    await expect(h.page.getByText(`Failing (test) (#5) failed`).isVisible()).resolves.toBe(true);
    await screenshot(h.page, 'execution-error');
  });

  it('restores the workflow embedded in a SaveImage PNG dropped on the canvas', async () => {
    const [, first] = (await history())[0]!;
    const file = first.outputs['2']?.images?.[0] as { filename: string; subfolder: string; type: string };
    const png = await (
      await fetch(`${h.studio.url}/api/view?${new URLSearchParams(file).toString()}`)
    ).arrayBuffer();
    await h.page.getByTitle('New workflow').click();
    await h.page.waitForFunction(() => window.studio!.graph.nodes.length === 0);
    await dropFileOnCanvas(h.page, new Uint8Array(png), file.filename, 'image/png');
    await h.page.waitForFunction(() => window.studio!.graph.nodes.length === 3);
    const restored = await h.page.evaluate(() =>
      window.studio!.graph.nodes.map((n) => [
        n.type,
        (n.widgets ?? []).filter((w) => w.serialize !== false).map((w) => w.value),
      ]),
    );
    const queued = widgetsWorkflow().nodes.map((n) => [n.type, n.widgets_values]);
    expect(restored).toEqual(queued);
  });

  it('uploads an image through the LoadImage node and previews it', async () => {
    await h.page.getByTitle('New workflow').click();
    const spot = await h.page.evaluate(() => window.studio!.graphToPage(100, 100));
    await addNodeBySearch(h.page, spot.x, spot.y, 'load image', 'LoadImage');
    await waitInPage(
      h.page,
      'a LoadImage node is on the canvas',
      () => window.studio!.graph.nodes.some((n) => n.type === 'LoadImage'),
      null,
    );
    const id = await h.page.evaluate(
      () => window.studio!.graph.nodes.find((n) => n.type === 'LoadImage')!.id,
    );
    const button = await widgetRect(h.page, id, 'upload');
    const png = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#e76f51' } })
      .png()
      .toBuffer();
    const chooser = await clickForFileChooser(
      h.page,
      button.left + button.width / 2,
      button.top + button.height / 2,
    );
    await chooser.setFiles({ name: 'swatch.png', mimeType: 'image/png', buffer: png });
    await waitInPage(
      h.page,
      'the upload is selected in the image combo and loaded for the node',
      (nodeId) =>
        window.studio!.graph.getNodeById(nodeId!)!.widgets![0]!.value === 'swatch.png' &&
        window.studio!.nodeImages(nodeId!).some((i) => i.loaded && i.src.includes('swatch.png')),
      id,
    );
    await expect(h.page.evaluate((nodeId) => window.studio!.nodeImages(nodeId), id)).resolves.toMatchObject([
      { loaded: true, width: 40, height: 30 },
    ]);
    // the preview is really drawn on the node (on the next frame), not just loaded
    await expect
      .poll(async () => countPixels(h.page, await nodeBodyRect(h.page, id), [0xe7, 0x6f, 0x51]))
      .toBeGreaterThan(400);
    await screenshot(h.page, 'load-image-upload');
    expect(h.pageErrors).toEqual([]);
  });
});
