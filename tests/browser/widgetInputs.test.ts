/**
 * "Convert widget to input" and back, from the node menu as in ComfyUI: the widget gets a socket on its
 * row, a link into it supplies the value the server runs with, and converting back drops the link and
 * the socket so the widget's own value runs again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshot, openStudioPage, waitInPage, type BrowserStudio } from './browserHarness';
import { NUMBER_NODE, WIDGET_KINDS_NODE, testNodes } from './testNodes';
import { openWorkflowFile, widgetsWorkflow } from './workflowFixtures';

const KINDS = 3;
const NUMBER = 4;
const LINKED_SEED = 1234;

let h: BrowserStudio;

/** Opens node `id`'s menu on its title and picks `entry` of the "Convert widget to input" submenu. */
async function convertFromMenu(id: number, entry: string): Promise<void> {
  const title = await h.page.evaluate((nodeId) => {
    const n = window.studio!.graph.getNodeById(nodeId)!;
    return window.studio!.graphToPage(n.pos[0] + 60, n.pos[1] - 15);
  }, id);
  await h.page.mouse.click(title.x, title.y, { button: 'right' });
  await h.page.locator('.litecontextmenu .litemenu-entry', { hasText: 'Convert widget to input' }).click();
  await h.page.locator('.litecontextmenu .litemenu-entry', { hasText: entry }).click();
}

const seedSlot = () =>
  h.page.evaluate((id) => {
    const node = window.studio!.graph.getNodeById(id)!;
    const index = node.inputs.findIndex((s) => s.widget?.name === 'seed');
    return index < 0
      ? undefined
      : { index, type: String(node.inputs[index]!.type), link: node.inputs[index]!.link };
  }, KINDS);

/** Queues and returns the Widget Kinds node's echo of what it ran with. */
async function runAndEcho(): Promise<string> {
  const runs = await h.page.locator('[data-testid=queue-panel] article.entry').count();
  await h.page.getByTestId('queue-button').click();
  await waitInPage(
    h.page,
    'the prompt finishes',
    (n) =>
      document.querySelectorAll('[data-testid=queue-panel] article.entry[data-outcome=success]').length === n,
    runs + 1,
    30_000,
  );
  return h.page.evaluate((id) => window.studio!.nodeState(id).text.join(' '), KINDS);
}

beforeAll(async () => {
  h = await openStudioPage({ extraNodes: testNodes });
  const workflow = widgetsWorkflow();
  workflow.nodes.push({
    id: NUMBER,
    type: NUMBER_NODE,
    pos: [40, 700],
    size: [260, 60],
    flags: {},
    order: 3,
    mode: 0,
    outputs: [{ name: 'INT', type: 'INT', links: [] }],
    properties: {},
    widgets_values: [LINKED_SEED],
  });
  workflow.last_node_id = NUMBER;
  await openWorkflowFile(h.page, workflow, 'widget-inputs.json');
  await h.page.getByTitle('Fit the graph in view').click();
});

afterAll(async () => {
  await h?.close();
});

describe('converting a widget to an input', () => {
  it('adds a socket on the widget, and a linked number is what runs', async () => {
    expect(WIDGET_KINDS_NODE).toBe('TestWidgetKinds');
    await convertFromMenu(KINDS, 'Convert seed to input');
    await expect.poll(seedSlot).toEqual({ index: 0, type: 'INT', link: null });
    // drag from the number's output onto the new socket, as a person connects
    const [from, to] = await h.page.evaluate(
      ([source, target]) => {
        const a = window.studio!.graph.getNodeById(source)!.getConnectionPos(false, 0);
        const b = window.studio!.graph.getNodeById(target)!.getConnectionPos(true, 0);
        return [window.studio!.graphToPage(a[0], a[1]), window.studio!.graphToPage(b[0], b[1])];
      },
      [NUMBER, KINDS] as const,
    );
    await h.page.mouse.move(from.x, from.y);
    await h.page.mouse.down();
    await h.page.mouse.move(to.x, to.y, { steps: 8 });
    await h.page.mouse.up();
    await expect.poll(async () => (await seedSlot())?.link).toBeTypeOf('number');
    await screenshot(h.page, 'widget-input-linked');
    await expect(runAndEcho()).resolves.toContain(`seed ${LINKED_SEED} `);
  });

  it('converts back: the link and socket go, the widget value runs again', async () => {
    await convertFromMenu(KINDS, 'Convert seed back to widget');
    await expect.poll(seedSlot).toBeUndefined();
    const links = await h.page.evaluate(
      (id) => window.studio!.graph.getNodeById(id)!.outputs[0]!.links?.length ?? 0,
      NUMBER,
    );
    expect(links).toBe(0);
    const seed = await h.page.evaluate(
      (id) => window.studio!.graph.getNodeById(id)!.widgets!.find((w) => w.name === 'seed')!.value,
      KINDS,
    );
    expect(seed).not.toBe(LINKED_SEED);
    await expect(runAndEcho()).resolves.toContain(`seed ${String(seed)} `);
    expect(h.pageErrors).toEqual([]);
  });
});
