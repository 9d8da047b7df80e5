/**
 * A rerun never shows the previous run's state as current: the trainer's old `loss: … (last of N)` line
 * goes when it starts again, and the queue panel lists the running prompt the top bar shows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { historySchema } from '../../protocol/wireSchemas';
import {
  screenshot,
  openStudioPage,
  waitInPage,
  type BrowserStudio,
  openLibraryWorkflow,
} from './browserHarness';

const TRAINER = 3;
let h: BrowserStudio;

const historyLength = async () =>
  Object.keys(historySchema.parse(await (await fetch(`${h.studio.url}/api/history`)).json())).length;

const queueLength = async () => {
  const queue = (await (await fetch(`${h.studio.url}/api/queue`)).json()) as Record<string, unknown[]>;
  return (queue.queue_running?.length ?? 0) + (queue.queue_pending?.length ?? 0);
};

async function setSteps(steps: number): Promise<void> {
  await h.page.evaluate(
    ([id, value]) => {
      window.studio!.graph.getNodeById(id)!.widgets!.find((w) => w.name === 'steps')!.value = value;
    },
    [TRAINER, steps] as const,
  );
}

beforeAll(async () => {
  h = await openStudioPage();
  await openLibraryWorkflow(h.page, 'train-embedding');
  await waitInPage(h.page, 'train-embedding is open', () => window.studio!.graph.nodes.length === 4, null);
});

afterAll(async () => {
  await h?.close();
});

describe('state of a rerun', () => {
  it("drops the last run's loss line when the trainer starts again, and lists the run as running", async () => {
    await setSteps(5);
    await h.page.getByTestId('queue-button').click();
    await expect.poll(historyLength, { timeout: 120_000 }).toBe(1);
    await waitInPage(
      h.page,
      'the trainer shows the loss of its 5 steps',
      (id) => window.studio!.nodeState(id).text.some((line) => line.endsWith('(last of 5)')),
      TRAINER,
    );

    await setSteps(400);
    await h.page.getByTestId('queue-button').click();
    await waitInPage(
      h.page,
      'the trainer runs again and charts its new loss',
      (id) => window.studio!.nodeState(id).running && window.studio!.nodeState(id).chartPoints > 0,
      TRAINER,
      120_000,
    );
    const text = await h.page.evaluate((id) => window.studio!.nodeState(id).text, TRAINER);
    expect(text.filter((line) => line.includes('last of 5'))).toEqual([]);
    const panel = h.page.getByTestId('queue-panel');
    await expect(panel.getByText('Nothing is running.').count()).resolves.toBe(0);
    await expect(panel.locator('.task.running').textContent()).resolves.toContain(
      'Textual Inversion Trainer',
    );
    await screenshot(h.page, 'rerun-state');
    await h.page.getByTestId('interrupt').click();
    await expect.poll(historyLength, { timeout: 60_000 }).toBe(2);
    expect(h.pageErrors).toEqual([]);
  });

  it('keeps the chart, loss line and preview when a rerun comes entirely from the cache', async () => {
    // (the test before interrupts its run; when it failed early, its run is still going)
    await fetch(`${h.studio.url}/api/interrupt`, { method: 'POST' });
    await expect.poll(queueLength, { timeout: 60_000 }).toBe(0);
    const before = await historyLength();
    await setSteps(6);
    await h.page.getByTestId('queue-button').click();
    await expect.poll(historyLength, { timeout: 120_000 }).toBe(before + 1);
    await h.page.getByTestId('queue-button').click();
    await expect.poll(historyLength, { timeout: 60_000 }).toBe(before + 2);
    const all = historySchema.parse(await (await fetch(`${h.studio.url}/api/history`)).json());
    const rerun = Object.values(all).sort((a, b) => b.prompt[0] - a.prompt[0])[0]!;
    const cached = rerun.status.messages.find(([type]) => type === 'execution_cached')?.[1].nodes;
    expect(cached).toContain(String(TRAINER));
    await h.page.waitForTimeout(500);
    const state = await h.page.evaluate((id) => window.studio!.nodeState(id), TRAINER);
    expect(state.chartPoints).toBe(6);
    expect(state.text).toEqual([expect.stringMatching(/^loss: .* \(last of 6\)$/)]);
    const images = await h.page.evaluate((id) => window.studio!.nodeImages(id), TRAINER);
    expect(images.length).toBeGreaterThan(0);
    await screenshot(h.page, 'cached-rerun');
  });
});
