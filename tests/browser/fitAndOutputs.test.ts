/**
 * The largest shipped workflow (train-sample-score) on a 1440 × 900 page with the queue panel open: "Fit"
 * shows every node in the part of the canvas no panel covers, and Save Embedding's output (file and
 * tokens) is short readable text that its node grows to hold without running into the node below.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshot, startBrowserStudio, waitInPage, type BrowserStudio } from './browserHarness';

const TRAINER = 3;
const SAVE_EMBEDDING = 4;
const TRAIN_SAMPLE_SCORE_NODES = 25;

let h: BrowserStudio;

interface Box {
  id: number;
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/** Page rectangles of all nodes, title bar included. */
async function nodeBoxes(): Promise<Box[]> {
  return h.page.evaluate(() => {
    const title = 30;
    return window.studio!.graph.nodes.map((n) => {
      const a = window.studio!.graphToPage(n.pos[0], n.pos[1] - title);
      const z = window.studio!.graphToPage(n.pos[0] + n.size[0], n.pos[1] + n.size[1]);
      return { id: Number(n.id), left: a.x, top: a.y, right: z.x, bottom: z.y };
    });
  });
}

const overlaps = (a: Box, b: Box) =>
  a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;

beforeAll(async () => {
  h = await startBrowserStudio();
  await h.page.goto(h.studio.url);
  // train-sample-score is the canvas the studio opens on
  await waitInPage(
    h.page,
    'train-sample-score is open',
    (count) => window.studio?.graph.nodes.length === count,
    TRAIN_SAMPLE_SCORE_NODES,
  );
  await expect(h.page.getByTestId('workflow-title').textContent()).resolves.toContain('train-sample-score');
});

afterAll(async () => {
  await h?.close();
});

describe('a large workflow beside the queue panel', () => {
  it('"Fit" shows every node in the canvas area the queue panel leaves free', async () => {
    await h.page.getByTitle('Fit the graph in view').click();
    const canvas = (await h.page.getByTestId('graph-canvas').boundingBox())!;
    const panel = (await h.page.getByTestId('queue-panel').boundingBox())!;
    expect(canvas.x + canvas.width).toBeLessThanOrEqual(panel.x + 1);
    for (const box of await nodeBoxes()) {
      expect(box.left, `node ${box.id}`).toBeGreaterThanOrEqual(canvas.x);
      expect(box.top, `node ${box.id}`).toBeGreaterThanOrEqual(canvas.y);
      expect(box.right, `node ${box.id}`).toBeLessThanOrEqual(canvas.x + canvas.width);
      expect(box.bottom, `node ${box.id}`).toBeLessThanOrEqual(canvas.y + canvas.height);
    }
    await screenshot(h.page, 'fit-train-sample-score');
  });

  it("shows Save Embedding's output as short lines inside the node, clear of its neighbours", async () => {
    await h.page.evaluate((id) => {
      const steps = window.studio!.graph.getNodeById(id)!.widgets!.find((w) => w.name === 'steps')!;
      steps.value = 2;
    }, TRAINER);
    await h.page.getByTestId('queue-button').click();
    await waitInPage(
      h.page,
      'Save Embedding shows what it saved',
      (id) => window.studio!.nodeState(id).text.length > 0,
      SAVE_EMBEDDING,
      120_000,
    );
    await h.page.getByTestId('interrupt').click();
    const text = await h.page.evaluate((id) => window.studio!.nodeState(id).text, SAVE_EMBEDDING);
    expect(text).toEqual([
      expect.stringMatching(/^embeddings: my-shape(_\d+)?\.safetensors$/),
      expect.stringMatching(/^tokens: <my-shape> \(num_vectors 2, dim \d+\)$/),
    ]);
    await h.page.waitForTimeout(300);
    const boxes = await nodeBoxes();
    const saver = boxes.find((b) => b.id === SAVE_EMBEDDING)!;
    const hit = boxes.filter((b) => b.id !== SAVE_EMBEDDING && overlaps(saver, b)).map((b) => b.id);
    expect(hit).toEqual([]);
    await screenshot(h.page, 'save-embedding-output');
  });
});
