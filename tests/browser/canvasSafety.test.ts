/**
 * Work on the canvas is never lost by accident: a prompt reopened from the history comes back with its
 * outputs, litegraph's "Convert to Subgraph" (which the studio cannot run, and which deleted the nodes) is
 * not offered, opening a library workflow or dropping a file puts it in a new tab beside unsaved edits, and
 * closing a tab with unsaved changes asks first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clickCanvasUntil,
  screenshot,
  openStudioPage,
  typeIntoNumberWidget,
  waitInPage,
  type BrowserStudio,
  openLibraryWorkflow,
  workflowTab,
  canvasNodeTypes,
} from './browserHarness';
import { testNodes } from './testNodes';
import { dropFileOnCanvas, widgetsWorkflow } from './workflowFixtures';

let h: BrowserStudio;

const widthOfNode1 = () =>
  h.page.evaluate(() => window.studio!.graph.getNodeById(1)?.widgets?.find((w) => w.name === 'width')?.value);
/** The tab of the open workflow named `title` (an opened file's tab is named after the file). */
const tab = (name: string) => workflowTab(h.page, name);
const nodeTypes = () => canvasNodeTypes(h.page);

function dropJson(workflow: unknown, name: string): Promise<void> {
  return dropFileOnCanvas(h.page, JSON.stringify(workflow), name);
}

/** Drops the widgets workflow (EmptyImage #1 → SaveImage #2, widget node #3) as file `name`. */
async function openWidgetsWorkflow(name = 'widgets.json'): Promise<void> {
  await dropJson(widgetsWorkflow(), name);
  await waitInPage(
    h.page,
    'the widgets workflow is open',
    () => window.studio!.graph.nodes.length === 3,
    null,
  );
}

beforeAll(async () => {
  h = await openStudioPage({ extraNodes: testNodes });
});

afterAll(async () => {
  await h?.close();
});

describe('canvas safety', () => {
  it('reopens a finished prompt from the history with its outputs', async () => {
    await openWidgetsWorkflow();
    await h.page.getByTestId('queue-button').click();
    const entry = h.page.locator('[data-testid=queue-panel] article.entry[data-outcome=success]');
    await entry.first().waitFor({ timeout: 30_000 });
    await h.page.getByTitle('New workflow').click();
    await waitInPage(h.page, 'the canvas is empty', () => window.studio!.graph.nodes.length === 0, null);

    await entry.first().getByTitle("Open this prompt's workflow and outputs").click();
    await waitInPage(h.page, 'the prompt is back', () => window.studio!.graph.nodes.length === 3, null);
    await waitInPage(
      h.page,
      'the SaveImage node shows the output of that prompt',
      () => window.studio!.nodeImages(2).some((i) => i.loaded),
      null,
    );
    expect(await nodeTypes()).toEqual(
      widgetsWorkflow()
        .nodes.map((n) => n.type)
        .sort(),
    );
    await expect(h.page.getByText(/Could not open prompt/).count()).resolves.toBe(0);

    // its tab shows the outputs again after another tab was in front
    await tab('widgets.json').getByTestId('workflow-tab-show').click();
    await h.page
      .locator('[data-testid=workflow-tab][data-tab-name^="prompt #"] [data-testid=workflow-tab-show]')
      .click();
    await waitInPage(
      h.page,
      "the reopened prompt's tab shows its output again",
      () => window.studio!.nodeImages(2).some((i) => i.loaded),
      null,
    );
    expect(h.pageErrors).toEqual([]);
  });

  it('offers no "Convert to Subgraph", on a node or on a selection', async () => {
    await openWidgetsWorkflow();
    const title = await h.page.evaluate(() => {
      const node = window.studio!.graph.getNodeById(1)!;
      return window.studio!.graphToPage(node.pos[0] + 40, node.pos[1] - 15);
    });
    await clickCanvasUntil(h.page, title.x, title.y, 'select node 1', () =>
      h.page.evaluate(() => window.studio!.graph.getNodeById(1)!.selected === true),
    );
    await h.page.mouse.click(title.x, title.y, { button: 'right' });
    const menu = h.page.locator('.litecontextmenu');
    await menu.first().waitFor();
    await expect(menu.getByText('Remove').count()).resolves.toBeGreaterThan(0);
    await expect(menu.getByText(/Convert to Subgraph/).count()).resolves.toBe(0);
    await h.page.keyboard.press('Escape');
    await h.page.mouse.click(5, 880);

    await h.page.locator('[data-testid=graph-canvas]').focus();
    await h.page.keyboard.press('Control+A');
    const empty = await h.page.evaluate(() => window.studio!.graphToPage(780, 60));
    await h.page.mouse.click(empty.x, empty.y, { button: 'right' });
    await menu.first().waitFor();
    await expect(menu.getByText('Add Node').count()).resolves.toBeGreaterThan(0);
    await expect(menu.getByText(/Convert to Subgraph/).count()).resolves.toBe(0);
    await h.page.keyboard.press('Escape');
    expect(await nodeTypes()).toEqual(
      widgetsWorkflow()
        .nodes.map((n) => n.type)
        .sort(),
    );
  });

  it('opens a library workflow in a new tab, leaving unsaved edits in theirs (undo included)', async () => {
    await openWidgetsWorkflow('edited.json');
    await typeIntoNumberWidget(h.page, 1, 'width', 200);
    await openLibraryWorkflow(h.page, 'txt2img');
    await expect(h.page.getByTestId('confirm-dialog').count()).resolves.toBe(0);
    expect(await nodeTypes()).not.toContain('EmptyImage');

    await tab('edited.json').getByTestId('workflow-tab-show').click();
    await expect.poll(nodeTypes).toEqual(
      widgetsWorkflow()
        .nodes.map((n) => n.type)
        .sort(),
    );
    expect(await widthOfNode1()).toBe(200);
    await h.page.getByTestId('undo').click();
    await expect.poll(widthOfNode1).toBe((widgetsWorkflow().nodes[0]!.widgets_values as number[])[0]);
  });

  it('asks before closing a tab with unsaved changes', async () => {
    await typeIntoNumberWidget(h.page, 1, 'width', 240);
    const other = widgetsWorkflow();
    other.nodes = other.nodes.slice(0, 2);
    await dropJson(other, 'two-nodes.json');
    await waitInPage(h.page, 'the dropped file is open', () => window.studio!.graph.nodes.length === 2, null);
    await expect(tab('two-nodes.json').getAttribute('data-modified')).resolves.toBe('true');

    const dialog = h.page.getByTestId('confirm-dialog');
    await tab('edited.json').getByTestId('workflow-tab-close').click();
    await expect(dialog.textContent()).resolves.toContain('Close without saving?');
    await screenshot(h.page, 'confirm-close-tab');
    await dialog.getByText('Cancel').click();
    await dialog.waitFor({ state: 'detached' });
    await expect(tab('edited.json').count()).resolves.toBe(1);

    await tab('edited.json').getByTestId('workflow-tab-close').click();
    await dialog.getByTestId('confirm-yes').click();
    await expect.poll(() => tab('edited.json').count()).toBe(0);
    expect(await nodeTypes()).toEqual(['EmptyImage', 'SaveImage']);
    expect(h.pageErrors).toEqual([]);
  });
});
