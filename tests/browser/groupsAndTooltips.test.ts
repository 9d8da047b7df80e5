/**
 * Two ComfyUI habits on the default canvas (train-sample-score): Ctrl+G puts a group around the selected
 * nodes (undone by Ctrl+Z), and resting the pointer on a node's title, input slot or widget shows what its
 * definition in `/object_info` says (description, tooltip), on a link's centre what it carries.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clickCanvasUntil,
  screenshot,
  startBrowserStudio,
  widgetRect,
  type BrowserStudio,
} from './browserHarness';

const TRAINER = 3;
let h: BrowserStudio;
let trainerDef: {
  description: string;
  input: { required: Record<string, [unknown, { tooltip?: string }?]> };
};

const groups = () =>
  h.page.evaluate(() =>
    window.studio!.graph._groups.map((g) => ({
      title: g.title,
      rect: [g.pos[0], g.pos[1], g.size[0], g.size[1]],
    })),
  );

/** The tooltip shown after resting the pointer at page point (x, y). */
async function tooltipAt(x: number, y: number): Promise<string | null> {
  await h.page.mouse.move(x - 3, y - 3);
  await h.page.mouse.move(x, y);
  const tip = h.page.getByTestId('canvas-tooltip');
  await tip.waitFor({ timeout: 5000 });
  return tip.textContent();
}

beforeAll(async () => {
  h = await startBrowserStudio();
  await h.page.goto(h.studio.url);
  await h.page.waitForFunction((id) => !!window.studio?.graph.getNodeById(id), TRAINER);
  const info = (await (
    await fetch(`${h.studio.url}/api/object_info/TextualInversionTrainer`)
  ).json()) as Record<string, typeof trainerDef>;
  trainerDef = info.TextualInversionTrainer!;
});

afterAll(async () => {
  await h?.close();
});

describe('canvas habits', () => {
  it('shows the definition tooltips of a title, an input slot and a widget', async () => {
    const steps = await widgetRect(h.page, TRAINER, 'steps');
    await expect(tooltipAt(steps.left + steps.width / 2, steps.top + steps.height / 2)).resolves.toBe(
      trainerDef.input.required.steps![1]!.tooltip,
    );
    const [slot, title] = await h.page.evaluate((id) => {
      const node = window.studio!.graph.getNodeById(id)!;
      const [sx, sy] = node.getConnectionPos(true, 0);
      return [
        window.studio!.graphToPage(sx, sy),
        window.studio!.graphToPage(node.pos[0] + 60, node.pos[1] - 15),
      ];
    }, TRAINER);
    await expect(tooltipAt(slot.x, slot.y)).resolves.toBe(trainerDef.input.required.model![1]!.tooltip);
    await screenshot(h.page, 'slot-tooltip');
    await expect(tooltipAt(title.x, title.y)).resolves.toBe(trainerDef.description);
    await h.page.mouse.down();
    await expect(h.page.getByTestId('canvas-tooltip').count()).resolves.toBe(0);
    await h.page.mouse.up();
  });

  it("names a link's type, source and target on its centre", async () => {
    // a link whose centre marker lies on empty canvas (litegraph looks for links only off nodes)
    const found = await h.page.evaluate(() => {
      const graph = window.studio!.graph;
      for (const link of graph.links.values()) {
        const [x, y] = link._pos;
        if (!Number.isFinite(x) || graph.getNodeOnPos(x, y)) continue;
        const from = graph.getNodeById(link.origin_id)!;
        const to = graph.getNodeById(link.target_id)!;
        return {
          page: window.studio!.graphToPage(x, y),
          expected: `${String(link.type)}: ${from.title}.${from.outputs[link.origin_slot]!.name} → ${to.title}.${to.inputs[link.target_slot]!.name}`,
        };
      }
      return undefined;
    });
    expect(found, 'a link centre off the nodes').toBeDefined();
    await expect(tooltipAt(found!.page.x, found!.page.y)).resolves.toBe(found!.expected);
    await screenshot(h.page, 'link-tooltip');
  });

  it('groups the selected node with Ctrl+G, and Ctrl+Z removes the group', async () => {
    const before = (await groups()).length;
    const [x, y, w, hgt] = await h.page.evaluate((id) => {
      const n = window.studio!.graph.getNodeById(id)!;
      return [n.pos[0], n.pos[1], n.size[0], n.size[1]];
    }, TRAINER);
    const title = await h.page.evaluate(([gx, gy]) => window.studio!.graphToPage(gx, gy), [
      x + 100,
      y - 15,
    ] as const);
    await clickCanvasUntil(h.page, title.x, title.y, 'select the trainer', () =>
      h.page.evaluate((id) => window.studio!.graph.getNodeById(id)!.selected === true, TRAINER),
    );
    await h.page.keyboard.press('Control+g');
    await expect.poll(async () => (await groups()).length).toBe(before + 1);
    const group = (await groups()).at(-1)!;
    expect(group.title).toBe('Group');
    // the group holds the node and its title bar
    const [gx, gy, gw, gh] = group.rect;
    expect(gx).toBeLessThan(x);
    expect(gy).toBeLessThan(y - 30);
    expect(gx + gw).toBeGreaterThan(x + w);
    expect(gy + gh).toBeGreaterThan(y + hgt);
    await screenshot(h.page, 'group-selected');
    await h.page.keyboard.press('Control+z');
    await expect.poll(async () => (await groups()).length).toBe(before);
    expect(h.pageErrors).toEqual([]);
  });
});
