/**
 * Accessibility basics of issue 13, audited by axe-core in both themes: WCAG 2 A/AA rules (contrast
 * included) on the page with its panels open, a name on every toolbar button, and a visible keyboard
 * focus ring. The litegraph canvas is one element to axe: what it draws is not audited here.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshot, openStudioPage, type BrowserStudio } from './browserHarness';

interface AxeViolation {
  id: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

let h: BrowserStudio;
let axeSource: string;

/** axe's WCAG 2 A/AA violations on the page now, as `rule: selector` lines (empty when it passes). */
async function violations(): Promise<string[]> {
  // Buttons fade their background over 0.12 s: axe would measure a colour half-way between two states.
  await h.page.evaluate(() =>
    Promise.all(
      document
        .getAnimations()
        .filter((a) => a instanceof CSSTransition)
        .map((a) => a.finished.catch(() => undefined)),
    ),
  );
  if (!(await h.page.evaluate(() => 'axe' in window))) await h.page.addScriptTag({ content: axeSource });
  const found = await h.page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(o: unknown): Promise<{ violations: unknown[] }> } }).axe;
    const result = await axe.run({ runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] } });
    return result.violations;
  });
  return (found as AxeViolation[]).flatMap((v) =>
    v.nodes.map((n) => `${v.id}: ${n.target.join(' ')} ${n.failureSummary?.split('\n')[1] ?? ''}`.trim()),
  );
}

async function setTheme(theme: 'dark' | 'light'): Promise<void> {
  await h.page.getByTestId('settings-button').click();
  await h.page.getByTestId(`theme-${theme}`).check();
  await h.page.keyboard.press('Escape');
  await h.page.waitForFunction(
    (t) =>
      document.documentElement.dataset.theme === t &&
      !document.querySelector('[data-testid=settings-dialog]'),
    theme,
  );
}

beforeAll(async () => {
  axeSource = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  h = await openStudioPage();
});

afterAll(async () => {
  await h?.close();
});

describe('accessibility', () => {
  it('names every toolbar button', async () => {
    const unnamed = await h.page
      .locator('header.topbar button')
      .evaluateAll((buttons) =>
        buttons
          .filter((b) => !(b.getAttribute('aria-label') || b.getAttribute('title') || b.textContent?.trim()))
          .map((b) => b.outerHTML),
      );
    expect(unnamed).toEqual([]);
  });

  it('shows where the keyboard focus is', async () => {
    await h.page.getByTestId('library-toggle').focus();
    await h.page.keyboard.press('Tab');
    const ring = await h.page.evaluate(() => {
      const el = document.activeElement as HTMLElement;
      const style = getComputedStyle(el);
      return { tag: el.tagName, outline: style.outlineStyle, width: parseFloat(style.outlineWidth) };
    });
    expect(ring).toMatchObject({ tag: 'BUTTON', outline: 'solid' });
    expect(ring.width).toBeGreaterThanOrEqual(2);
  });

  it.each(['dark', 'light'] as const)(
    'passes axe WCAG 2 A/AA in the %s theme with its panels open',
    async (theme) => {
      await setTheme(theme);
      await expect(violations()).resolves.toEqual([]);
      await h.page.keyboard.press('n');
      await expect(violations()).resolves.toEqual([]);
      await h.page.keyboard.press('m');
      await expect(violations()).resolves.toEqual([]);
      await screenshot(h.page, `a11y-${theme}`);
      await h.page.keyboard.press('m');
      await h.page.getByTestId('settings-button').click();
      await expect(violations()).resolves.toEqual([]);
      await h.page.keyboard.press('Escape');
      expect(h.pageErrors).toEqual([]);
    },
  );
});
