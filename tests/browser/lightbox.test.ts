/**
 * Issue 13 item 8: output images open in an in-page viewer, not a bare PNG tab. A quick image graph saves a
 * batch of three 256² images; the history thumbnail, a double-click on the Save Image node's picture and
 * the gallery sidebar (key `a`) each open the viewer on that prompt's images, at their real size, with
 * ← / → through the set, a link to the file and Esc to close.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeBodyRect } from './pageProbes';
import {
  dblclickCanvasUntil,
  screenshot,
  openStudioPage,
  waitInPage,
  type BrowserStudio,
} from './browserHarness';
import { imageInvertWorkflow, openWorkflowFile } from './workflowFixtures';

const BATCH = 3;
const SAVE_NODE = 4;
/** ImageScale's size in the image-invert fixture. */
const SIZE = 256;

let h: BrowserStudio;
let promptId: string;

const viewer = () => h.page.getByTestId('lightbox');
const position = () => h.page.getByTestId('lightbox-position').textContent();

/** The viewer's image as loaded: its file name and natural size. */
async function shownImage(): Promise<{ filename: string | null; width: number; height: number }> {
  await waitInPage(
    h.page,
    'the viewer has loaded its image',
    () => {
      const img = document.querySelector<HTMLImageElement>('[data-testid=lightbox-image]');
      return !!img && img.complete && img.naturalWidth > 0;
    },
    null,
  );
  return h.page.getByTestId('lightbox-image').evaluate((img: HTMLImageElement) => ({
    filename: new URL(img.src).searchParams.get('filename'),
    width: img.naturalWidth,
    height: img.naturalHeight,
  }));
}

let savedFiles: string[];

beforeAll(async () => {
  h = await openStudioPage();
  const workflow = imageInvertWorkflow();
  const empty = workflow.nodes.find((n) => n.type === 'EmptyImage')!;
  empty.widgets_values = [64, 64, BATCH, 0x2a9d8f];
  await openWorkflowFile(h.page, workflow, 'batch-of-three.json');
  await h.page.getByTestId('queue-button').click();
  await waitInPage(
    h.page,
    'Save Image shows its three outputs',
    ([id, n]) => window.studio!.nodeImages(id).filter((i) => i.loaded).length === n,
    [SAVE_NODE, BATCH] as const,
    60_000,
  );
  const entry = h.page.locator('[data-testid=queue-panel] .entry').first();
  await waitInPage(
    h.page,
    'the history entry shows three thumbnails',
    (n) => document.querySelectorAll('[data-testid=queue-panel] .entry:first-child .thumb').length === n,
    BATCH,
  );
  promptId = (await entry.getAttribute('data-prompt-id'))!;
  const history = (await (await fetch(`${h.studio.url}/api/history/${promptId}`)).json()) as Record<
    string,
    { outputs: Record<string, { images: { filename: string }[] }> }
  >;
  savedFiles = history[promptId]!.outputs[SAVE_NODE]!.images.map((i) => i.filename);
  if (savedFiles.length !== BATCH) throw new Error(`expected ${BATCH} saved files, got ${savedFiles.length}`);
});

afterAll(async () => {
  await h?.close();
});

describe('the image viewer', () => {
  it('opens from a history thumbnail at full size and steps through the prompt with ← / →', async () => {
    await h.page.locator(`[data-prompt-id="${promptId}"] .thumb`).nth(1).click();
    await expect(viewer().isVisible()).resolves.toBe(true);
    await expect(shownImage()).resolves.toEqual({ filename: savedFiles[1], width: SIZE, height: SIZE });
    await expect(position()).resolves.toBe(`2 / ${BATCH}`);
    expect(await h.page.getByTestId('lightbox-size').textContent()).toBe(`${SIZE} × ${SIZE}`);
    // shown enlarged beyond its 256 px, within the window
    const box = (await h.page.getByTestId('lightbox-image').boundingBox())!;
    expect(box.height).toBeGreaterThan(SIZE);
    expect(box.height).toBeLessThanOrEqual(900);
    const link = h.page.getByTestId('lightbox-file');
    const href = new URL((await link.getAttribute('href'))!, h.studio.url);
    expect([href.pathname, href.searchParams.get('filename'), href.searchParams.get('type')]).toEqual([
      '/api/view',
      savedFiles[1],
      'output',
    ]);
    expect((await fetch(href)).headers.get('content-type')).toBe('image/png');
    await screenshot(h.page, 'lightbox');

    await h.page.keyboard.press('ArrowRight');
    await expect(shownImage()).resolves.toMatchObject({ filename: savedFiles[2] });
    await h.page.keyboard.press('ArrowRight');
    await expect(position()).resolves.toBe(`1 / ${BATCH}`);
    await h.page.keyboard.press('ArrowLeft');
    await expect(position()).resolves.toBe(`${BATCH} / ${BATCH}`);
    const nodes = await h.page.evaluate(() => window.studio!.graph.nodes.length);
    await h.page.keyboard.press('Escape');
    await expect(viewer().count()).resolves.toBe(0);
    // the keys went to the viewer only: nothing happened on the canvas behind it
    expect(await h.page.evaluate(() => window.studio!.graph.nodes.length)).toBe(nodes);
  });

  it("opens from a double-click on the Save Image node's picture", async () => {
    const [x, y, w, nodeHeight] = await nodeBodyRect(h.page, SAVE_NODE);
    const point = await h.page.evaluate(([gx, gy]) => window.studio!.graphToPage(gx, gy), [
      x + w / 2,
      y + nodeHeight - 50,
    ] as const);
    await dblclickCanvasUntil(h.page, point.x, point.y, 'open the viewer', () => viewer().isVisible());
    await expect(shownImage()).resolves.toEqual({ filename: savedFiles[0], width: SIZE, height: SIZE });
    await expect(position()).resolves.toBe(`1 / ${BATCH}`);
    await viewer().getByRole('button', { name: 'Close', exact: true }).click();
    await expect(viewer().count()).resolves.toBe(0);
  });

  it('lists past outputs in the gallery sidebar (key a), which opens the viewer', async () => {
    await h.page.getByTestId('graph-canvas').focus();
    await h.page.keyboard.press('a');
    const gallery = h.page.getByTestId('gallery-panel');
    await expect(gallery.isVisible()).resolves.toBe(true);
    const section = gallery.locator(`[data-prompt-id="${promptId}"]`);
    await expect(section.locator('h4').textContent()).resolves.toMatch(/^#\d+ · 3 images$/);
    await expect(
      section.locator('img').evaluateAll((imgs) => imgs.map((i) => (i as HTMLImageElement).alt)),
    ).resolves.toEqual(savedFiles);
    await section.locator('button').nth(2).click();
    await expect(shownImage()).resolves.toEqual({ filename: savedFiles[2], width: SIZE, height: SIZE });
    await screenshot(h.page, 'gallery-lightbox');
    await h.page.keyboard.press('Escape');
    await h.page.keyboard.press('a');
    await expect(gallery.count()).resolves.toBe(0);
    expect(h.pageErrors).toEqual([]);
  });
});
