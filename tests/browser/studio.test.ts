/**
 * The studio page end to end in headless Chromium against the real server: it opens on the shipped default
 * workflow (train-sample-score) with its widget values; a quick image graph (the image-invert fixture) runs
 * and shows its SaveImage output; validation errors land on nodes; search, undo/redo, reload persistence and
 * the workflow library work as a person uses them.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  historySchema,
  uiWorkflowSchema,
  workflowListSchema,
  type UiWorkflow,
} from '../../protocol/wireSchemas';
import { DEFAULT_WORKFLOW_NAME } from '../../protocol/workflowNames';
import {
  addNodeBySearch,
  clickCanvasUntil,
  repoRoot,
  screenshot,
  openStudioPage,
  widgetRect,
  type BrowserStudio,
} from './browserHarness';
import { imageInvertWorkflow, openWorkflowFile } from './workflowFixtures';

let h: BrowserStudio;
let shipped: UiWorkflow;
const invert = imageInvertWorkflow();
const nodeOfType = (wf: UiWorkflow, type: string) => {
  const node = wf.nodes.find((n) => n.type === type);
  if (!node) throw new Error(`the workflow has no ${type} node`);
  return node;
};

async function graphTypes(): Promise<string[]> {
  return h.page.evaluate(() => window.studio!.graph.nodes.map((n) => n.type));
}

beforeAll(async () => {
  shipped = uiWorkflowSchema.parse(
    JSON.parse(await readFile(path.join(repoRoot, 'workflows', `${DEFAULT_WORKFLOW_NAME}.json`), 'utf8')),
  );
  h = await openStudioPage();
});

afterAll(async () => {
  await h?.close();
});

describe('studio page', () => {
  it('opens on the shipped train-sample-score workflow with its widget values', async () => {
    expect(DEFAULT_WORKFLOW_NAME).toBe('train-sample-score');
    expect((await graphTypes()).sort()).toEqual(shipped.nodes.map((n) => n.type).sort());
    await expect(h.page.getByTestId('workflow-title').textContent()).resolves.toContain(
      DEFAULT_WORKFLOW_NAME,
    );
    const onCanvas = await h.page.evaluate(() =>
      window.studio!.graph.nodes.map((n) => [
        String(n.id),
        (n.widgets ?? []).filter((w) => w.serialize !== false).map((w) => w.value),
      ]),
    );
    const expected = shipped.nodes.map((n) => [String(n.id), n.widgets_values ?? []]);
    expect(Object.fromEntries(onCanvas)).toEqual(Object.fromEntries(expected));
  });

  it('downloads the open workflow as JSON under its name', async () => {
    const download = h.page.waitForEvent('download');
    await h.page.getByTitle('Download as JSON').click();
    const file = await (await download).path();
    const saved = uiWorkflowSchema.parse(JSON.parse(await readFile(file, 'utf8')));
    const onCanvas = await h.page.evaluate(() => window.studio!.graph.nodes.map((n) => [n.id, n.type]));
    expect(saved.nodes.map((n) => [n.id, n.type])).toEqual(onCanvas);
    expect((await download).suggestedFilename()).toBe(`${DEFAULT_WORKFLOW_NAME}.json`);
  });

  it('queues an image graph opened from a file and shows the output image on the SaveImage node', async () => {
    await openWorkflowFile(h.page, invert, 'image-invert.json');
    const save = String(nodeOfType(invert, 'SaveImage').id);
    const scale = nodeOfType(invert, 'ImageScale');
    const [, width, height] = scale.widgets_values as [string, number, number];
    await h.page.getByTestId('queue-button').click();
    await h.page.waitForFunction((id) => window.studio!.nodeImages(id).some((img) => img.loaded), save, {
      timeout: 60_000,
    });
    const [shown] = await h.page.evaluate((id) => window.studio!.nodeImages(id), save);
    expect(shown).toMatchObject({ loaded: true, width, height });

    const history = historySchema.parse(await (await fetch(`${h.studio.url}/api/history`)).json());
    const entry = Object.values(history).find((e) => e.outputs[save]);
    expect(entry?.status.status_str).toBe('success');
    const file = entry?.outputs[save]?.images?.[0] as { filename: string } | undefined;
    expect(file && shown?.src).toContain(`filename=${encodeURIComponent(file!.filename)}`);
    const png = Buffer.from(await (await fetch(new URL(shown!.src, h.studio.url))).arrayBuffer());
    await expect(sharp(png).metadata()).resolves.toMatchObject({ format: 'png', width, height });

    await h.page.waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>('[data-testid=queue-panel] .history-image');
      return !!img && img.complete && img.naturalWidth > 0;
    });
    await expect(h.page.getByTestId('run-status').textContent()).resolves.toContain('Idle');
    await screenshot(h.page, 'image-invert-run');
  });

  it('shows validation errors on the offending node and undoes the edit with Ctrl+Z', async () => {
    const save = String(nodeOfType(invert, 'SaveImage').id);
    await h.page.evaluate((id) => {
      window.studio!.graph.getNodeById(id)!.disconnectInput(0);
      window.dispatchEvent(new PointerEvent('pointerup'));
    }, save);
    await h.page.getByTestId('graph-canvas').focus();
    await h.page.keyboard.press('Control+Enter');
    const toast = h.page.getByText('Prompt rejected', { exact: true });
    await toast.waitFor({ state: 'visible' });
    await expect(toast.isVisible()).resolves.toBe(true);
    await h.page.waitForFunction((id) => window.studio!.nodeState(id).errors.length > 0, save);
    const state = await h.page.evaluate((id) => window.studio!.nodeState(id), save);
    expect(state.errors.join(' ')).toMatch(/Required input is missing/);
    await screenshot(h.page, 'validation-error');

    await h.page.keyboard.press('Control+z');
    const linked = await h.page.evaluate(
      (id) => window.studio!.graph.getNodeById(id)!.inputs[0]!.link != null,
      save,
    );
    expect(linked).toBe(true);
  });

  it('adds a node from the search box and undoes/redoes it', async () => {
    const before = await graphTypes();
    const spot = await h.page.evaluate(() => {
      const nodes = window.studio!.graph.nodes;
      const bottom = Math.max(...nodes.map((n) => n.pos[1] + n.size[1]));
      return window.studio!.graphToPage(nodes[0]!.pos[0] + 20, bottom + 80);
    });
    await addNodeBySearch(h.page, spot.x, spot.y, 'invert', 'ImageInvert');
    await expect.poll(graphTypes).toEqual([...before, 'ImageInvert']);
    await h.page.keyboard.press('Control+z');
    await expect.poll(graphTypes).toEqual(before);
    await h.page.keyboard.press('Control+y');
    await expect.poll(graphTypes).toEqual([...before, 'ImageInvert']);
    await h.page.keyboard.press('Control+z');
    await expect.poll(graphTypes).toEqual(before);
  });

  it('restores the edited graph after a page reload', async () => {
    const empty = String(nodeOfType(invert, 'EmptyImage').id);
    const rect = await widgetRect(h.page, empty, 'width');
    const width = () =>
      h.page.evaluate((id) => window.studio!.graph.getNodeById(id)!.widgets![0]!.value, empty);
    const widthBefore = await width();
    // the right arrow of a number widget adds one step
    await clickCanvasUntil(
      h.page,
      // 15 graph units from the right edge: inside the arrow zone at any zoom (widgets are 20 units high)
      rect.left + rect.width - 15 * (rect.height / 20),
      rect.top + rect.height / 2,
      'change the width',
      async () => (await width()) !== widthBefore,
    );
    const widthAfter = await width();
    expect(widthAfter).toBe(Number(widthBefore) + 1);
    // pan the view by dragging empty canvas; the view comes back after the reload too
    const view = () =>
      h.page.evaluate(() => {
        const ds = window.studio!.graph.list_of_graphcanvas![0]!.ds;
        return [ds.scale, Math.round(ds.offset[0]), Math.round(ds.offset[1])];
      });
    const viewBefore = await view();
    await h.page.mouse.move(rect.left + 10, rect.top - 150);
    await h.page.mouse.down();
    await h.page.mouse.move(rect.left + 70, rect.top - 110, { steps: 5 });
    await h.page.mouse.up();
    const panned = await view();
    expect(panned).not.toEqual(viewBefore);
    await h.page.reload();
    await h.page.waitForFunction(() => (window.studio?.graph.nodes.length ?? 0) > 0);
    const restored = await h.page.evaluate(
      (id) => window.studio!.graph.getNodeById(id)!.widgets![0]!.value,
      empty,
    );
    expect(restored).toBe(widthAfter);
    expect(await view()).toEqual(panned);
  });

  it('saves to the library, reopens and deletes it', async () => {
    await h.page.getByText('Save as…').click();
    await h.page.getByTestId('name-dialog').locator('input').fill('browser test flow');
    await h.page.getByTestId('name-dialog').locator('button[type=submit]').click();
    await h.page.getByText('Saved browser test flow').waitFor();
    const list = workflowListSchema.parse(await (await fetch(`${h.studio.url}/api/workflows`)).json());
    expect(list.find((w) => w.name === 'browser test flow')).toMatchObject({
      source: 'user',
      readOnly: false,
    });

    await h.page.getByTestId('library-toggle').click();
    const panel = h.page.getByTestId('library-panel');
    await panel.getByText('txt2img', { exact: true }).click();
    await expect.poll(() => h.page.getByTestId('workflow-title').textContent()).toContain('txt2img');
    await panel.getByText('browser test flow').click();
    await expect
      .poll(() => h.page.getByTestId('workflow-title').textContent())
      .toContain('browser test flow');

    h.page.once('dialog', (d) => void d.accept());
    await panel.getByText('browser test flow').hover();
    await panel.locator('.row', { hasText: 'browser test flow' }).getByTitle('Delete').click();
    await expect
      .poll(async () =>
        workflowListSchema
          .parse(await (await fetch(`${h.studio.url}/api/workflows`)).json())
          .map((w) => w.name),
      )
      .not.toContain('browser test flow');
    await screenshot(h.page, 'library');
    expect(h.pageErrors).toEqual([]);
  });
});
