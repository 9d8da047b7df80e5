/**
 * Bypass (Ctrl+B) and mute (Ctrl+M) as in ComfyUI, on the image-invert fixture (EmptyImage 512² →
 * ImageInvert → ImageScale 256² → SaveImage): a bypassed node is tinted purple and passes its image
 * through, a muted one is faded and left out, and the error it then causes names it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { historySchema } from '../../protocol/wireSchemas';
import {
  clickCanvasUntil,
  screenshot,
  openStudioPage,
  waitInPage,
  type BrowserStudio,
} from './browserHarness';
import { countPixels, meanBrightness, nodeBodyRect } from './pageProbes';
import { imageInvertWorkflow, openWorkflowFile } from './workflowFixtures';

const SCALE = 3;
const SAVE = 4;
/** BYPASS_BGCOLOR of client/src/canvas/nodeModes.ts. */
const BYPASS_PURPLE = [0x6a, 0x2a, 0x70] as const;

let h: BrowserStudio;

const modeOf = (id: number) => h.page.evaluate((n) => window.studio!.graph.getNodeById(n)!.mode, id);

async function selectOnly(id: number): Promise<void> {
  const title = await h.page.evaluate((n) => {
    const node = window.studio!.graph.getNodeById(n)!;
    return window.studio!.graphToPage(node.pos[0] + 60, node.pos[1] - 15);
  }, id);
  await clickCanvasUntil(h.page, title.x, title.y, `select node ${id}`, () =>
    h.page.evaluate((n) => {
      const selected = window.studio!.graph.nodes.filter((node) => node.selected).map((node) => node.id);
      return selected.length === 1 && selected[0] === n;
    }, id),
  );
}

async function lastPrompt(): Promise<Record<string, { inputs: Record<string, unknown> }>> {
  const all = historySchema.parse(await (await fetch(`${h.studio.url}/api/history`)).json());
  const newest = Object.values(all).sort((a, b) => b.prompt[0] - a.prompt[0])[0];
  if (!newest) throw new Error('the history is empty');
  return newest.prompt[2] as Record<string, { inputs: Record<string, unknown> }>;
}

beforeAll(async () => {
  h = await openStudioPage();
  await openWorkflowFile(h.page, imageInvertWorkflow(), 'image-invert.json');
});

afterAll(async () => {
  await h?.close();
});

describe('bypass and mute', () => {
  it('Ctrl+B bypasses the selected node: drawn purple, its input image passes through', async () => {
    await selectOnly(SCALE);
    await h.page.keyboard.press('Control+b');
    expect(await modeOf(SCALE)).toBe(4);
    await expect
      .poll(async () => countPixels(h.page, await nodeBodyRect(h.page, SCALE), BYPASS_PURPLE))
      .toBeGreaterThan(1000);
    await screenshot(h.page, 'bypassed-node');

    await h.page.getByTestId('queue-button').click();
    await waitInPage(
      h.page,
      'SaveImage shows the unscaled 512 × 512 image',
      (id) => window.studio!.nodeImages(id).some((i) => i.loaded && i.width === 512 && i.height === 512),
      SAVE,
      60_000,
    );
    const prompt = await lastPrompt();
    expect(Object.keys(prompt).sort()).toEqual(['1', '2', '4']);
    expect(prompt['4']!.inputs.images).toEqual(['2', 0]);

    await h.page.keyboard.press('Control+b');
    expect(await modeOf(SCALE)).toBe(0);
  });

  it('Ctrl+M mutes the selected node: drawn faded, and the node it fed names it in its error', async () => {
    await selectOnly(SCALE);
    const before = await meanBrightness(h.page, await nodeBodyRect(h.page, SCALE));
    await h.page.keyboard.press('Control+m');
    expect(await modeOf(SCALE)).toBe(2);
    await expect
      .poll(async () => meanBrightness(h.page, await nodeBodyRect(h.page, SCALE)))
      .toBeLessThan(before * 0.85);
    await screenshot(h.page, 'muted-node');

    await h.page.getByTestId('queue-button').click();
    await waitInPage(
      h.page,
      'SaveImage shows an error',
      (id) => window.studio!.nodeState(id).errors.length > 0,
      SAVE,
    );
    const errors = (await h.page.evaluate((id) => window.studio!.nodeState(id).errors, SAVE)).join(' ');
    expect(errors).toContain('input "images" comes from');
    expect(errors).toContain(`(#${SCALE}), which is muted`);

    await h.page.keyboard.press('Control+z');
    await expect.poll(() => modeOf(SCALE)).toBe(0);
    expect(h.pageErrors).toEqual([]);
  });

  it('the node menu bypasses and mutes too', async () => {
    const title = await h.page.evaluate((n) => {
      const node = window.studio!.graph.getNodeById(n)!;
      return window.studio!.graphToPage(node.pos[0] + 60, node.pos[1] - 15);
    }, SCALE);
    const menu = h.page.locator('.litecontextmenu');
    await h.page.mouse.click(title.x, title.y, { button: 'right' });
    await menu.getByText('Bypass (Ctrl+B)', { exact: true }).click();
    await expect.poll(() => modeOf(SCALE)).toBe(4);
    await h.page.mouse.click(title.x, title.y, { button: 'right' });
    await menu.getByText('Remove bypass (Ctrl+B)', { exact: true }).click();
    await expect.poll(() => modeOf(SCALE)).toBe(0);
    await h.page.mouse.click(title.x, title.y, { button: 'right' });
    await menu.getByText('Mute (Ctrl+M)', { exact: true }).click();
    await expect.poll(() => modeOf(SCALE)).toBe(2);
  });
});
