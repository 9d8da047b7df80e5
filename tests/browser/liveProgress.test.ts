/**
 * Live execution feedback in the browser: a node's progress bar and loss chart while it runs (the
 * mechanism issue 5's trainer uses), widget values reaching the server, control_after_generate,
 * interrupt, restoring a workflow from a dropped SaveImage PNG, and image upload on a LoadImage node.
 */
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { historySchema, type HistoryEntry } from '../../server/http/wireSchemas';
import {
  addNodeBySearch,
  clickCanvasUntil,
  clickForFileChooser,
  screenshot,
  startBrowserStudio,
  waitUntil,
  widgetRect,
  type BrowserStudio,
} from './studioHarness';
import { FAILING_NODE, FAILURE_MESSAGE, FAKE_TRAINER_NODE, testNodes } from './testNodes';
import { TRAINER_STEPS, trainerWorkflow } from './workflowFixtures';

let h: BrowserStudio;

async function history(): Promise<[string, HistoryEntry][]> {
  const all = historySchema.parse(await (await fetch(`${h.studio.url}/api/history`)).json());
  return Object.entries(all).sort((a, b) => a[1].prompt[0] - b[1].prompt[0]);
}

async function openWorkflowFile(workflow: unknown, name = 'trainer.json'): Promise<void> {
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

/** Pixels of `rgb` (±24 per channel) inside node `id`'s on-screen rectangle. */
async function countPixels(id: number, rgb: [number, number, number]): Promise<number> {
  return h.page.evaluate(
    ([nodeId, [r, g, b]]) => {
      const node = window.studio!.graph.getNodeById(nodeId)!;
      const a = window.studio!.graphToPage(node.pos[0], node.pos[1]);
      const z = window.studio!.graphToPage(node.pos[0] + node.size[0], node.pos[1] + node.size[1]);
      const canvas = document.querySelector<HTMLCanvasElement>('[data-testid=graph-canvas]')!;
      const box = canvas.getBoundingClientRect();
      const ratio = canvas.width / box.width;
      const x = Math.round((a.x - box.left) * ratio);
      const y = Math.round((a.y - box.top) * ratio);
      const data = canvas
        .getContext('2d')!
        .getImageData(x, y, Math.round((z.x - a.x) * ratio), Math.round((z.y - a.y) * ratio)).data;
      let count = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (Math.abs(data[i]! - r) < 24 && Math.abs(data[i + 1]! - g) < 24 && Math.abs(data[i + 2]! - b) < 24)
          count++;
      }
      return count;
    },
    [id, rgb] as const,
  );
}

beforeAll(async () => {
  h = await startBrowserStudio({ extraNodes: testNodes });
  await h.page.goto(h.studio.url);
  await h.page.waitForFunction(() => (window.studio?.graph.nodes.length ?? 0) > 0);
});

afterAll(async () => {
  await h?.close();
});

describe('live execution feedback', () => {
  it('draws progress and a live loss chart on a training node while it runs', async () => {
    await openWorkflowFile(trainerWorkflow());
    const chartColorPixelsBefore = await countPixels(2, [255, 169, 49]);
    await h.page.getByTestId('queue-button').click();
    await h.page.waitForFunction(() => {
      const s = window.studio!.nodeState(2);
      return s.running && (s.progress?.value ?? 0) >= 4 && s.chartPoints >= 4;
    });
    await expect(h.page.getByTestId('run-status').textContent()).resolves.toMatch(
      new RegExp(`Fake Trainer \\(test\\) · \\d+/${TRAINER_STEPS}`),
    );
    // the loss line and its latest value are drawn in the series colour (#FFA931)
    expect(chartColorPixelsBefore).toBe(0);
    expect(await countPixels(2, [255, 169, 49])).toBeGreaterThan(40);
    await screenshot(h.page, 'trainer-running');

    await h.page.waitForFunction(() => window.studio!.nodeImages(3).some((i) => i.loaded), undefined, {
      timeout: 30_000,
    });
    const done = await h.page.evaluate(() => window.studio!.nodeState(2));
    expect(done).toEqual({ running: false, progress: undefined, errors: [], chartPoints: TRAINER_STEPS });
    const [shown] = await h.page.evaluate(() => window.studio!.nodeImages(3));
    const empty = trainerWorkflow().nodes[0]!.widgets_values as number[];
    expect(shown).toMatchObject({ width: empty[0], height: empty[1] });
    await h.page.locator('[data-testid=queue-panel] .history-image').first().waitFor();
    await screenshot(h.page, 'trainer-finished');
  });

  it('sends every widget value to the server and steps the seed after queueing', async () => {
    const [[, first]] = (await history()).slice(-1);
    const values = trainerWorkflow().nodes[3]!.widgets_values as unknown[];
    expect(first!.prompt[2]['4']).toMatchObject({
      inputs: { text: values[0], seed: values[1], cfg: values[3], enabled: values[4], sampler: values[5] },
    });
    const seedNow = await h.page.evaluate(
      () => window.studio!.graph.getNodeById(4)!.widgets!.find((w) => w.name === 'seed')!.value,
    );
    expect(seedNow).toBe(Number(values[1]) + 1);

    const textarea = h.page.locator('textarea[data-widget=text]');
    await expect(textarea.isVisible()).resolves.toBe(true);
    await expect(textarea.inputValue()).resolves.toBe(values[0]);
    await textarea.fill('a painting of <cat-toy>');
    const combo = await widgetRect(h.page, 4, 'sampler');
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
    expect(second.prompt[2]['4']).toMatchObject({
      inputs: { text: 'a painting of <cat-toy>', seed: Number(values[1]) + 1, sampler: 'euler' },
    });
  });

  it('shows an execution error on the node that failed', async () => {
    const wf = trainerWorkflow();
    const failing = {
      ...wf.nodes[2]!,
      id: 5,
      type: FAILING_NODE,
      pos: [820, 420],
      inputs: [{ name: 'images', type: 'IMAGE', link: 3 }],
      widgets_values: [],
    };
    await openWorkflowFile({
      ...wf,
      last_node_id: 5,
      last_link_id: 3,
      nodes: [...wf.nodes, failing],
      links: [...wf.links, [3, 2, 0, 5, 0, 'IMAGE']],
    });
    await h.page.getByTestId('queue-button').click();
    await waitUntil(
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
    // the workflow for the next tests: the same graph without the failing node
    await openWorkflowFile(trainerWorkflow());
  });

  it('interrupts a running prompt from the toolbar', async () => {
    await h.page.evaluate(() => {
      const w = window.studio!.graph.getNodeById(2)!.widgets!;
      w.find((x) => x.name === 'steps')!.value = 400;
    });
    await h.page.getByTestId('queue-button').click();
    await h.page.waitForFunction(() => (window.studio!.nodeState(2).progress?.value ?? 0) >= 2);
    await h.page.getByTestId('interrupt').click();
    await expect.poll(() => h.page.getByTestId('run-status').textContent()).toContain('Idle');
    const [, last] = (await history()).at(-1)!;
    expect(last.status.status_str).toBe('error');
    expect(last.status.messages.map(([type]) => type)).toContain('execution_interrupted');
    expect(await h.page.evaluate(() => window.studio!.nodeState(2).chartPoints)).toBeLessThan(400);
  });

  it('restores the workflow embedded in a SaveImage PNG dropped on the canvas', async () => {
    const [, first] = (await history())[0]!;
    const file = first.outputs['3']?.images?.[0] as { filename: string; subfolder: string; type: string };
    const png = await (
      await fetch(`${h.studio.url}/api/view?${new URLSearchParams(file).toString()}`)
    ).arrayBuffer();
    await h.page.getByTitle('New workflow').click();
    await h.page.waitForFunction(() => window.studio!.graph.nodes.length === 0);
    await h.page.evaluate(
      ([bytes, name]) => {
        const transfer = new DataTransfer();
        transfer.items.add(new File([new Uint8Array(bytes)], name, { type: 'image/png' }));
        const target = document.querySelector('[data-testid=graph-canvas]')!.parentElement!;
        const box = target.getBoundingClientRect();
        target.dispatchEvent(
          new DragEvent('drop', {
            dataTransfer: transfer,
            bubbles: true,
            cancelable: true,
            clientX: box.left + 5,
            clientY: box.top + 5,
          }),
        );
      },
      [[...new Uint8Array(png)], file.filename] as const,
    );
    await h.page.waitForFunction(() => window.studio!.graph.nodes.length === 4);
    const restored = await h.page.evaluate(() =>
      window.studio!.graph.nodes.map((n) => [
        n.type,
        (n.widgets ?? []).filter((w) => w.serialize !== false).map((w) => w.value),
      ]),
    );
    const queued = trainerWorkflow().nodes.map((n) => [n.type, n.widgets_values]);
    expect(restored).toEqual(queued);
    expect(restored.map(([t]) => t)).toContain(FAKE_TRAINER_NODE);
  });

  it('uploads an image through the LoadImage node and previews it', async () => {
    await h.page.getByTitle('New workflow').click();
    const spot = await h.page.evaluate(() => window.studio!.graphToPage(100, 100));
    await addNodeBySearch(h.page, spot.x, spot.y, 'load image', 'LoadImage');
    await waitUntil(
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
    await waitUntil(
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
    await expect.poll(() => countPixels(Number(id), [0xe7, 0x6f, 0x51])).toBeGreaterThan(400);
    await screenshot(h.page, 'load-image-upload');
    expect(h.pageErrors).toEqual([]);
  });
});
