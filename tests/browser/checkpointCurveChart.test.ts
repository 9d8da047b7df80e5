/**
 * The training dashboard charts a prompt's checkpoint curve: a short toy run of the shipped
 * checkpoint-curve workflow (train, then score every saved step), opened from its history entry, shows
 * one dot per saved step and measure, at the scores the curve node wrote to its JSON record.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { historySchema, uiWorkflowSchema, type UiWorkflow } from '../../protocol/wireSchemas';
import { repoRoot, screenshot, openStudioPage, type BrowserStudio } from './browserHarness';
import { openWorkflowFile } from './workflowFixtures';

const TRAINER = 3;
const CURVE = 5;
const STEPS = 4;
const CHECKPOINT_EVERY = 2;

let h: BrowserStudio;

/** checkpoint-curve.json made quick: 4 training steps saved every 2, one prompt sampled in 4 steps. */
function quickCurveWorkflow(): UiWorkflow {
  const file = path.join(repoRoot, 'workflows', 'checkpoint-curve.json');
  const workflow = uiWorkflowSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  const values = (id: number) => workflow.nodes.find((n) => n.id === id)!.widgets_values as unknown[];
  // trainer: token, initializer, vectors, template, steps, lr, batch, resolution, seed, control, …,
  // checkpoint_every, preview_every
  Object.assign(values(TRAINER), { 4: STEPS, 12: CHECKPOINT_EVERY, 13: 0 });
  // curve: folder, prompts, seed, steps
  Object.assign(values(CURVE), { 1: 'a {token}', 3: 4 });
  return workflow;
}

beforeAll(async () => {
  h = await openStudioPage({ runStartupTasks: true });
});

afterAll(async () => {
  await h?.close();
});

describe('the checkpoint curve in the training dashboard', () => {
  it("charts every saved step's CLIP-I, CLIP-T and oracle rate as the curve node scored them", async () => {
    await openWorkflowFile(h.page, quickCurveWorkflow(), 'quick-curve.json');
    await h.page.getByTestId('queue-button').click();
    const done = h.page.locator('[data-testid=queue-panel] article.entry[data-outcome=success]');
    await done.first().waitFor({ timeout: 240_000 });
    const promptId = (await done.first().getAttribute('data-prompt-id'))!;
    const history = historySchema.parse(
      await (await fetch(`${h.studio.url}/api/history/${promptId}`)).json(),
    );
    const [record] = history[promptId]!.outputs[String(CURVE)]!.files as Record<string, string>[];
    const curve = (await (
      await fetch(`${h.studio.url}/api/view?${new URLSearchParams(record).toString()}`)
    ).json()) as { steps: { step: number; clip_i: number; clip_t: number; oracle: number }[] };
    expect(curve.steps.map((s) => s.step)).toEqual([2, 4]);

    await done.first().getByTestId('history-dashboard').click();
    const chart = h.page.getByTestId('training-dashboard').getByTestId('curve-chart');
    const dots = await chart
      .locator('g[data-measure]')
      .evaluateAll((groups) =>
        groups.map((g) => [
          (g as SVGGElement).dataset.measure,
          [...g.querySelectorAll('circle')].map((c) => [Number(c.dataset.step), Number(c.dataset.value)]),
        ]),
      );
    expect(dots).toEqual(
      (['clip_i', 'clip_t', 'oracle'] as const).map((m) => [m, curve.steps.map((s) => [s.step, s[m]])]),
    );
    await screenshot(h.page, 'dashboard-checkpoint-curve');
    expect(h.pageErrors).toEqual([]);
  });
});
