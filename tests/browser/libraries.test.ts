/**
 * The node library (key n) and the model library (key m) sidebars, as in ComfyUI's frontend: node types
 * by category and by search, added by a click or dropped where dragged; the studio's checkpoints,
 * embeddings and scoring CLIP models with the metadata their safetensors headers hold, added as loaders.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshot, openStudioPage, waitInPage, type BrowserStudio } from './browserHarness';

let h: BrowserStudio;

const nodeTypes = () => h.page.evaluate(() => window.studio!.graph.nodes.map((n) => n.type));
/** The newest node on the canvas: type, widget values and position. */
const newest = () =>
  h.page.evaluate(() => {
    const n = window.studio!.graph.nodes.at(-1)!;
    return { type: n.type, values: n.widgets?.map((w) => w.value) ?? [], pos: [n.pos[0], n.pos[1]] };
  });

beforeAll(async () => {
  h = await openStudioPage({ runStartupTasks: true });
  await h.page.getByTestId('graph-canvas').focus();
});

afterAll(async () => {
  await h?.close();
});

describe('the node library', () => {
  it('lists node types by category and adds one by a click', async () => {
    await h.page.keyboard.press('n');
    const library = h.page.getByTestId('node-library');
    await expect(library.isVisible()).resolves.toBe(true);
    const info = (await (await fetch(`${h.studio.url}/api/object_info`)).json()) as Record<
      string,
      { category: string; display_name: string }
    >;
    const categories = [...new Set(Object.values(info).map((d) => d.category))].sort();
    await expect(
      library.locator('section').evaluateAll((s) => s.map((e) => e.getAttribute('data-category'))),
    ).resolves.toEqual(categories);
    const training = library.locator('section[data-category="training"] .node');
    const trainingTypes = Object.entries(info)
      .filter(([, d]) => d.category === 'training')
      .map(([type]) => type);
    await expect(
      training.evaluateAll((b) => b.map((e) => e.getAttribute('data-type')).sort()),
    ).resolves.toEqual(trainingTypes.sort());
    const before = (await nodeTypes()).length;
    await library.locator('.node[data-type="LoadEmbedding"]').click();
    await expect.poll(async () => (await nodeTypes()).length).toBe(before + 1);
    expect((await newest()).type).toBe('LoadEmbedding');
    await screenshot(h.page, 'node-library');
  });

  it('searches, and drops a dragged node where it is let go', async () => {
    const library = h.page.getByTestId('node-library');
    await library.getByLabel('Search nodes').fill('trainer');
    const first = library.locator('.node').first();
    await expect(first.getAttribute('data-type')).resolves.toBe('TextualInversionTrainer');
    const target = { x: 300, y: 200 };
    await first.dragTo(h.page.getByTestId('graph-canvas'), { targetPosition: target });
    await expect.poll(async () => (await newest()).type).toBe('TextualInversionTrainer');
    // the node's title bar (litegraph's NODE_TITLE_HEIGHT, 30) starts where it was dropped
    const { pos } = await newest();
    const canvas = (await h.page.getByTestId('graph-canvas').boundingBox())!;
    const [page, titleHeight] = await h.page.evaluate(
      ([x, y]) => {
        const ds = window.studio!.graph.list_of_graphcanvas![0]!.ds;
        return [window.studio!.graphToPage(x, y), 30 * ds.scale] as const;
      },
      pos as [number, number],
    );
    expect(page.x).toBeCloseTo(canvas.x + target.x, 0);
    expect(page.y - titleHeight).toBeCloseTo(canvas.y + target.y, 0);
    await h.page.getByTestId('graph-canvas').focus();
    await h.page.keyboard.press('n');
    await expect(library.count()).resolves.toBe(0);
  });
});

describe('the model library', () => {
  it("lists the studio's models with their metadata and adds a loader", async () => {
    await h.page.keyboard.press('m');
    const library = h.page.getByTestId('model-library');
    await expect(library.isVisible()).resolves.toBe(true);
    const listed = (folder: string) =>
      library
        .locator(`section[data-folder="${folder}"] .model`)
        .evaluateAll((m) => m.map((e) => e.getAttribute('data-model')));
    const files = async (folder: string) =>
      (await (await fetch(`${h.studio.url}/api/models/${folder}`)).json()) as string[];
    await expect.poll(() => listed('checkpoints')).toEqual(await files('checkpoints'));
    await expect(listed('embeddings')).resolves.toEqual(await files('embeddings'));
    await expect(listed('clip')).resolves.toEqual(['toy-shapes-clip']);

    const ring = library.locator('.model[data-model="toy-ring.safetensors"]');
    await ring.locator('.name').click();
    const expected = (await (
      await fetch(`${h.studio.url}/api/view_metadata/embeddings?filename=toy-ring.safetensors`)
    ).json()) as Record<string, string>;
    const metadata = ring.getByTestId('model-metadata');
    await expect.poll(() => metadata.locator('dt').allTextContents()).toEqual(Object.keys(expected));
    // each value is shown whole in its tooltip; long ones are shortened on screen to a prefix and "…"
    const cells = metadata.locator('dd');
    await expect(cells.evaluateAll((ds) => ds.map((d) => d.getAttribute('title')))).resolves.toEqual(
      Object.values(expected),
    );
    const shown = await cells.allTextContents();
    Object.values(expected).forEach((value, i) => {
      const text = shown[i]!;
      expect(text === value || (text.endsWith('…') && value.startsWith(text.slice(0, -1)))).toBe(true);
    });
    expect(expected.format).toBe('pt');
    await screenshot(h.page, 'model-library');

    await library
      .locator('.model[data-model="toy-shapes.safetensors"]')
      .getByRole('button', { name: 'Add' })
      .click();
    await expect
      .poll(newest)
      .toMatchObject({ type: 'CheckpointLoaderSimple', values: ['toy-shapes.safetensors'] });
    await library
      .locator('.model[data-model="toy-shapes-clip"]')
      .getByRole('button', { name: 'Add' })
      .click();
    await expect.poll(newest).toMatchObject({ type: 'CLIPScoreModelLoader', values: ['toy-shapes-clip'] });
    await waitInPage(
      h.page,
      'the added loader is selected',
      () => window.studio!.graph.nodes.at(-1)!.selected === true,
      null,
    );
    expect(h.pageErrors).toEqual([]);
  });
});
