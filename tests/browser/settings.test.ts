/**
 * The settings dialog (Ctrl+, as in ComfyUI): a light theme that recolours the page and the canvas and
 * survives a reload, and a keybinding panel whose single-key shortcuts do what it says.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshot, openStudioPage, waitInPage, type BrowserStudio } from './browserHarness';

let h: BrowserStudio;

const dialog = () => h.page.getByTestId('settings-dialog');

/** The canvas pixel at (8, 8) CSS px: the fitted default graph leaves that corner empty. */
const cornerPixel = () =>
  h.page.evaluate(() => {
    const canvas = document.querySelector<HTMLCanvasElement>('[data-testid=graph-canvas]')!;
    const ratio = canvas.width / canvas.getBoundingClientRect().width;
    return [
      ...canvas
        .getContext('2d')!
        .getImageData(8 * ratio, 8 * ratio, 1, 1)
        .data.slice(0, 3),
    ];
  });
const pageBackground = () => h.page.evaluate(() => getComputedStyle(document.body).backgroundColor);

async function openSettings(): Promise<void> {
  await h.page.getByTestId('graph-canvas').focus();
  await h.page.keyboard.press('Control+Comma');
  await expect(dialog().isVisible()).resolves.toBe(true);
}

beforeAll(async () => {
  h = await openStudioPage();
});

afterAll(async () => {
  await h?.close();
});

describe('settings', () => {
  it('switches to a light theme that recolours page and canvas and survives a reload', async () => {
    expect(await pageBackground()).toBe('rgb(27, 27, 29)');
    await expect.poll(cornerPixel).toEqual([27, 27, 29]);
    await openSettings();
    await dialog().getByTestId('theme-light').check();
    await expect.poll(pageBackground).toBe('rgb(238, 240, 243)');
    await expect.poll(cornerPixel).toEqual([238, 240, 243]);
    await screenshot(h.page, 'settings-light');
    await h.page.keyboard.press('Escape');
    await expect(dialog().count()).resolves.toBe(0);

    await h.page.reload();
    await h.page.waitForFunction(() => (window.studio?.graph.nodes.length ?? 0) > 0);
    expect(await h.page.evaluate(() => document.documentElement.dataset.theme)).toBe('light');
    await expect.poll(cornerPixel).toEqual([238, 240, 243]);
    await screenshot(h.page, 'light-theme');

    await openSettings();
    await dialog().getByTestId('theme-dark').check();
    await expect.poll(cornerPixel).toEqual([27, 27, 29]);
    await h.page.keyboard.press('Escape');
  });

  it('lists the shortcuts, and each single key it lists toggles its panel', async () => {
    await openSettings();
    await dialog().getByTestId('keybindings-tab').click();
    const rows = dialog().getByTestId('keybinding-panel').locator('tbody tr');
    const table = (await rows.evaluateAll((trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent!.trim())),
    )) as [string, string, string][];
    expect(table).toContainEqual(['Ctrl+,', 'Settings', 'Anywhere']);
    expect(table).toContainEqual(['Ctrl+B', 'Bypass the selected nodes', 'Anywhere']);
    await screenshot(h.page, 'keybindings');
    await dialog().getByLabel('Filter shortcuts').fill('library');
    await expect(rows.locator('td:nth-child(2)').allTextContents()).resolves.toEqual([
      'Save to the library',
      'Workflow library',
      'Node library',
      'Model library',
    ]);
    await h.page.keyboard.press('Escape');

    const panels: Record<string, string> = {
      'Workflow library': 'library-panel',
      'Node library': 'node-library',
      'Model library': 'model-library',
      Gallery: 'gallery-panel',
      'Queue and history panel': 'queue-panel',
    };
    const singleKeys = table.filter(([keys]) => /^[A-Z]$/.test(keys));
    expect(singleKeys.map(([, action]) => action).sort()).toEqual(Object.keys(panels).sort());
    for (const [key, action] of singleKeys) {
      const panel = h.page.getByTestId(panels[action]!);
      const before = await panel.count();
      await h.page.getByTestId('graph-canvas').focus();
      await h.page.keyboard.press(key.toLowerCase());
      await waitInPage(
        h.page,
        `${key} toggles the ${action}`,
        ([id, n]) => document.querySelectorAll(`[data-testid=${id}]`).length === n,
        [panels[action]!, 1 - before] as const,
      );
      await h.page.keyboard.press(key.toLowerCase());
      await expect(panel.count()).resolves.toBe(before);
    }
    expect(h.pageErrors).toEqual([]);
  });
});
