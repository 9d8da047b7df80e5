/**
 * Workflow tabs as in ComfyUI's frontend: library workflows open in tabs of their own, each tab keeps its
 * graph, undo history and unsaved-changes marker (•) while another is in front, the tabs come back after
 * a reload, and a run shows on the nodes of the tab that queued it, not on the tab in front.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
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
import { openWorkflowFile, widgetsWorkflow } from './workflowFixtures';

let h: BrowserStudio;

/** txt2img's KSampler and its shipped step count. */
const SAMPLER = 3;
const SHIPPED_STEPS = 20;
const EDITED_STEPS = 7;
/** Training steps of the run queued in one tab while another is in front. */
const TRAIN_STEPS = 6;

const tab = (name: string) => workflowTab(h.page, name);

async function tabsShown(): Promise<{ name: string; text: string; active: boolean }[]> {
  return h.page.locator('[data-testid=workflow-tab]').evaluateAll((tabs) =>
    tabs.map((t) => ({
      name: (t as HTMLElement).dataset.tabName ?? '',
      text: t.querySelector('[data-testid=workflow-tab-show]')?.textContent?.trim() ?? '',
      active: t.classList.contains('active'),
    })),
  );
}

const samplerSteps = () =>
  h.page.evaluate(
    (id) => window.studio!.graph.getNodeById(id)?.widgets?.find((w) => w.name === 'steps')?.value,
    SAMPLER,
  );
const nodeTypes = () => canvasNodeTypes(h.page);

const openFromLibrary = (name: string) => openLibraryWorkflow(h.page, name);

beforeAll(async () => {
  h = await openStudioPage({ extraNodes: testNodes });
});

afterAll(async () => {
  await h?.close();
});

describe('workflow tabs', () => {
  it('opens library workflows in tabs that keep their graph, undo history and marker', async () => {
    await openFromLibrary('txt2img');
    await typeIntoNumberWidget(h.page, SAMPLER, 'steps', EDITED_STEPS);
    await openFromLibrary('sample-with-embedding');
    expect((await tabsShown()).map((t) => [t.name, t.text, t.active])).toEqual([
      ['train-sample-score', 'train-sample-score', false],
      ['txt2img', 'txt2img•', false],
      ['sample-with-embedding', 'sample-with-embedding', true],
    ]);
    const sampleTypes = await nodeTypes();
    expect(sampleTypes).toContain('LoadEmbedding');
    await expect(h.page.getByTestId('undo').isEnabled()).resolves.toBe(false);

    await tab('txt2img').getByTestId('workflow-tab-show').click();
    await expect.poll(samplerSteps).toBe(EDITED_STEPS);
    await tab('sample-with-embedding').getByTestId('workflow-tab-show').click();
    await expect.poll(nodeTypes).toEqual(sampleTypes);

    await tab('txt2img').getByTestId('workflow-tab-show').click();
    await expect.poll(samplerSteps).toBe(EDITED_STEPS);
    await screenshot(h.page, 'workflow-tabs');
    // undo reaches the graph as opened: the marker goes, redo brings both back
    await h.page.getByTestId('undo').click();
    await expect.poll(samplerSteps).toBe(SHIPPED_STEPS);
    await expect.poll(() => tab('txt2img').getAttribute('data-modified')).toBe('false');
    await h.page.getByTestId('redo').click();
    await expect.poll(samplerSteps).toBe(EDITED_STEPS);
    await expect.poll(() => tab('txt2img').getAttribute('data-modified')).toBe('true');
  });

  it('brings the tabs back after a reload, with the edit and the marker', async () => {
    await h.page.reload();
    await waitInPage(h.page, 'the page is back', () => (window.studio?.graph.nodes.length ?? 0) > 0, null);
    expect(await tabsShown()).toEqual([
      { name: 'train-sample-score', text: 'train-sample-score', active: false },
      { name: 'txt2img', text: 'txt2img•', active: true },
      { name: 'sample-with-embedding', text: 'sample-with-embedding', active: false },
    ]);
    expect(await samplerSteps()).toBe(EDITED_STEPS);

    await tab('train-sample-score').getByTestId('workflow-tab-show').click();
    await expect.poll(nodeTypes).toContain('TextualInversionTrainer');
    await expect(h.page.getByTestId('workflow-title').textContent()).resolves.toContain('train-sample-score');
    await tab('txt2img').getByTestId('workflow-tab-show').click();
    await expect.poll(samplerSteps).toBe(EDITED_STEPS);
    expect(h.pageErrors).toEqual([]);
  });

  it("shows a run on its own tab's nodes only, and again when that tab comes back", async () => {
    // train-embedding's trainer and txt2img's KSampler are both node 3
    await openFromLibrary('train-embedding');
    await typeIntoNumberWidget(h.page, SAMPLER, 'steps', TRAIN_STEPS);
    await h.page.getByTestId('queue-button').click();
    await tab('txt2img').getByTestId('workflow-tab-show').click();
    await expect
      .poll(() => h.page.getByTestId('run-status').textContent(), { timeout: 60_000 })
      .toContain('Running in another tab');
    // while it trains, txt2img's node 3 shows nothing of it: no running outline, no progress bar
    const done = h.page.locator('[data-testid=queue-panel] article.entry[data-outcome=success]');
    const seen: unknown[] = [];
    for (const deadline = Date.now() + 120_000; (await done.count()) === 0;) {
      if (Date.now() > deadline) throw new Error('the training run did not finish in 120 s');
      const state = await h.page.evaluate((id) => window.studio!.nodeState(id), SAMPLER);
      seen.push({ running: state.running, progress: state.progress });
      await h.page.waitForTimeout(100);
    }
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.filter((s) => JSON.stringify(s) !== JSON.stringify({ running: false }))).toEqual([]);
    const onTxt2img = await h.page.evaluate((id) => window.studio!.nodeState(id), SAMPLER);
    expect(onTxt2img).toMatchObject({ running: false, chartPoints: 0, text: [] });
    await expect(h.page.getByTestId('run-status').textContent()).resolves.toContain('Idle');

    await tab('train-embedding').getByTestId('workflow-tab-show').click();
    await expect
      .poll(() => h.page.evaluate((id) => window.studio!.nodeState(id).chartPoints, SAMPLER))
      .toBe(TRAIN_STEPS);
    expect(h.pageErrors).toEqual([]);
  });

  it('steps the seed of the tab that queued, though another tab is in front when the server answers', async () => {
    const seed = () =>
      h.page.evaluate(
        () => window.studio!.graph.getNodeById(3)!.widgets!.find((w) => w.name === 'seed')!.value,
      );
    const shipped = (widgetsWorkflow().nodes[2]!.widgets_values as unknown[])[1];
    await openWorkflowFile(h.page, widgetsWorkflow(), 'seeded.json');
    await openWorkflowFile(h.page, widgetsWorkflow(), 'other.json');
    await tab('seeded.json').getByTestId('workflow-tab-show').click();
    await expect.poll(seed).toBe(shipped);
    const finished = h.page.locator('[data-testid=queue-panel] article.entry[data-outcome=success]');
    const before = await finished.count();
    // the server's answer is held back until the other tab is in front
    let answer!: () => void;
    const held = new Promise<void>((resolve) => (answer = resolve));
    let firstId = '';
    await h.page.route('**/api/prompt', async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      firstId = String((route.request().postDataJSON() as { prompt_id?: string }).prompt_id);
      await held;
      await route.continue();
    });
    await h.page.getByTestId('queue-button').click();
    await tab('other.json').getByTestId('workflow-tab-show').click();
    answer();
    await expect.poll(() => finished.count(), { timeout: 30_000 }).toBe(before + 1);
    await h.page.unroute('**/api/prompt');
    expect(await seed()).toBe(shipped);
    await tab('seeded.json').getByTestId('workflow-tab-show').click();
    await expect.poll(seed).toBe(Number(shipped) + 1);

    // a prompt the server refuses (its id is taken: the server answers 400) leaves the seed where it was
    await h.page.route('**/api/prompt', async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      const body = route.request().postDataJSON() as Record<string, unknown>;
      await route.continue({ postData: JSON.stringify({ ...body, prompt_id: firstId }) });
    });
    await h.page.getByTestId('queue-button').click();
    await h.page.getByText('Prompt rejected').waitFor();
    await h.page.unroute('**/api/prompt');
    expect(await seed()).toBe(Number(shipped) + 1);
    expect(h.pageErrors).toEqual([]);
  });
});
