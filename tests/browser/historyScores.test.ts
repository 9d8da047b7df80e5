/**
 * The scores of a run are in its history entry, not only on the nodes of the canvas it ran on: after
 * train-sample-score (the canvas the studio opens on, its trainer cut to 2 steps) the entry lists each
 * sampled prompt with its CLIP-I, CLIP-T and oracle rate, the values the server's history holds; the
 * entry's training dashboard charts the same CLIP-I / CLIP-T as bars.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { historySchema } from '../../protocol/wireSchemas';
import { screenshot, startBrowserStudio, waitInPage, type BrowserStudio } from './browserHarness';

const TRAINER = 3;
/** train-sample-score's CLIP Score and Shapes World Oracle nodes, and the prompt whose images they score. */
const SCORED = [
  ['12', '13', 'a <my-shape>'],
  ['18', '19', 'a <my-shape> on a green background'],
  ['24', '25', 'a small <my-shape>'],
] as const;

let h: BrowserStudio;

beforeAll(async () => {
  h = await startBrowserStudio();
  await h.page.goto(h.studio.url);
  await waitInPage(
    h.page,
    'train-sample-score is open',
    (id) => window.studio?.graph.getNodeById(id)?.type === 'TextualInversionTrainer',
    TRAINER,
  );
});

afterAll(async () => {
  await h?.close();
});

describe('the history entry of a scoring prompt', () => {
  it('shows CLIP-I, CLIP-T and the oracle rate of each scored prompt', async () => {
    await h.page.evaluate((id) => {
      window.studio!.graph.getNodeById(id)!.widgets!.find((w) => w.name === 'steps')!.value = 2;
    }, TRAINER);
    await h.page.getByTestId('queue-button').click();
    const entry = h.page.locator('[data-testid=queue-panel] article.entry[data-outcome=success]');
    await entry.first().waitFor({ timeout: 120_000 });

    const history = historySchema.parse(await (await fetch(`${h.studio.url}/api/history`)).json());
    const [outputs] = Object.values(history).map((e) => e.outputs);
    const rows = entry.first().getByTestId('history-scores').locator('li');
    await expect.poll(() => rows.count()).toBe(SCORED.length);
    const first = (node: string, key: string) => outputs![node]![key]![0] as number;
    for (const [i, [clip, oracle, prompt]] of SCORED.entries()) {
      const row = rows.nth(i);
      await expect(row.getAttribute('data-node')).resolves.toBe(clip);
      const text = (await row.textContent())!.replace(/\s+/g, ' ').trim();
      expect(text).toBe(
        `${prompt} CLIP-I ${first(clip, 'clip_i').toFixed(3)} CLIP-T ${first(clip, 'clip_t').toFixed(3)} ` +
          `oracle ${Math.round(first(oracle, 'all_rate') * 100)}%`,
      );
    }
    await screenshot(h.page, 'history-scores');
    expect(h.pageErrors).toEqual([]);
  });

  it('charts the scores in the training dashboard of the entry', async () => {
    const history = historySchema.parse(await (await fetch(`${h.studio.url}/api/history`)).json());
    const [outputs] = Object.values(history).map((e) => e.outputs);
    const first = (node: string, key: string) => outputs![node]![key]![0] as number;
    await h.page
      .locator('[data-testid=queue-panel] article.entry')
      .first()
      .getByTestId('history-dashboard')
      .click();
    const rows = h.page.getByTestId('dashboard-scores').locator('li');
    await expect.poll(() => rows.count()).toBe(SCORED.length);
    for (const [i, [clip, , prompt]] of SCORED.entries()) {
      const row = rows.nth(i);
      await expect(row.locator('.label').textContent()).resolves.toBe(prompt);
      await expect(row.locator('b').allTextContents()).resolves.toEqual([
        `CLIP-I ${Number(first(clip, 'clip_i').toPrecision(3))}`,
        `CLIP-T ${Number(first(clip, 'clip_t').toPrecision(3))}`,
      ]);
      // each bar is as long as its score (of the full width, for scores in 0–1)
      const widths = await row
        .locator('.bar')
        .evaluateAll((bars) =>
          bars.map((b) => (b.firstElementChild as HTMLElement).offsetWidth / (b as HTMLElement).offsetWidth),
        );
      expect(widths[0]).toBeCloseTo(Math.max(0, first(clip, 'clip_i')), 1);
      expect(widths[1]).toBeCloseTo(Math.max(0, first(clip, 'clip_t')), 1);
    }
    await screenshot(h.page, 'dashboard-scores');
    await h.page.keyboard.press('Escape');
    await expect(h.page.getByTestId('training-dashboard').count()).resolves.toBe(0);
    expect(h.pageErrors).toEqual([]);
  });
});
