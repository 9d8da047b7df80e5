/**
 * The training dashboard (issue 13, beyond ComfyUI) on a real toy-model run of train-embedding: opened by
 * a double-click on the trainer's chart it shows the loss the server's history holds (zoomable), the
 * run's previews as a strip that opens the viewer, and the saved steps; "Resume" turns on the trainer's
 * resume; from the history entry, "Sample" opens sample-with-embedding on a saved step, which then runs;
 * after a reload the run opened from the history still has its previews (kept by the server) and loss, and
 * its "Resume" opens the run's workflow in a new tab with resume on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { historySchema, type HistoryEntry } from '../../protocol/wireSchemas';
import {
  dblclickCanvasUntil,
  screenshot,
  openStudioPage,
  typeIntoNumberWidget,
  waitInPage,
  type BrowserStudio,
  openLibraryWorkflow,
} from './browserHarness';

/** train-embedding's trainer node. */
const TRAINER = 3;
const STEPS = 12;
const EVERY = 4;
const SAVED_STEPS = [4, 8, 12];
/** The trainer's 32² previews, scaled up ×8 to server/image/previewJpeg.ts's minimum side (256). */
const PREVIEW_SIDE = 256;

let h: BrowserStudio;
let promptId: string;
let entry: HistoryEntry;

const dashboard = () => h.page.getByTestId('training-dashboard');
const text = async (testId: string) => (await dashboard().getByTestId(testId).textContent())?.trim();
/** The dashboard's number format (client/src/canvas/seriesChart.ts formatValue). */
const shown = (v: number) => Number(v.toPrecision(3)).toString();

async function setRange(testId: string, value: number): Promise<void> {
  await dashboard()
    .getByTestId(testId)
    .evaluate((el: HTMLInputElement, v) => {
      el.value = String(v);
      el.dispatchEvent(new Event('input', { bubbles: true }));
    }, value);
}

beforeAll(async () => {
  h = await openStudioPage({ runStartupTasks: true });
  await openLibraryWorkflow(h.page, 'train-embedding');
  await waitInPage(
    h.page,
    'train-embedding is open',
    (id) => window.studio!.graph.nodes.length === 4 && !!window.studio!.graph.getNodeById(id),
    TRAINER,
  );
  await h.page.getByTitle('Fit the graph in view').click();
  await typeIntoNumberWidget(h.page, TRAINER, 'steps', STEPS);
  await typeIntoNumberWidget(h.page, TRAINER, 'checkpoint_every', EVERY);
  await typeIntoNumberWidget(h.page, TRAINER, 'preview_every', EVERY);
  await h.page.getByTestId('queue-button').click();
  const done = h.page.locator('[data-testid=queue-panel] article.entry[data-outcome=success]');
  await done.first().waitFor({ timeout: 120_000 });
  promptId = (await done.first().getAttribute('data-prompt-id'))!;
  const history = historySchema.parse(await (await fetch(`${h.studio.url}/api/history/${promptId}`)).json());
  entry = history[promptId]!;
});

afterAll(async () => {
  await h?.close();
});

describe('the training dashboard', () => {
  it("opens from the trainer's chart with the run's loss, previews and saved steps", async () => {
    const losses = entry.outputs[String(TRAINER)]!.loss as number[];
    expect(losses).toHaveLength(STEPS);
    const chart = await h.page.evaluate((id) => window.studio!.overlayCenter(id, 'chart'), TRAINER);
    expect(chart, 'the trainer draws its loss chart').toBeDefined();
    await dblclickCanvasUntil(h.page, chart!.x, chart!.y, 'open the dashboard', () =>
      dashboard().isVisible(),
    );

    await expect(text('dashboard-token')).resolves.toBe('<my-shape>');
    await expect(text('loss-range')).resolves.toBe(`1–${STEPS} of ${STEPS}`);
    await expect(text('loss-last')).resolves.toBe(shown(losses.at(-1)!));
    const min = Math.min(...losses);
    await expect(text('loss-min')).resolves.toBe(`${shown(min)} @ ${losses.indexOf(min) + 1}`);

    // the saved steps the history lists, each a file the server serves
    const rows = dashboard().getByTestId('checkpoint-list').locator('tr');
    await expect(
      rows.evaluateAll((trs) => trs.map((tr) => Number(tr.getAttribute('data-step')))),
    ).resolves.toEqual(SAVED_STEPS);
    const files = entry.outputs[String(TRAINER)]!.checkpoints as { filename: string; subfolder: string }[];
    expect(files.map((f) => f.filename)).toEqual(
      SAVED_STEPS.map((s) => `learned_embeds-steps-${s}.safetensors`),
    );
    const file = files[0]!;
    const view = `${h.studio.url}/api/view?filename=${file.filename}&subfolder=${encodeURIComponent(file.subfolder)}&type=output`;
    expect((await fetch(view)).status).toBe(200);

    // the previews the trainer sent every EVERY steps, labelled with their step
    const strip = dashboard().getByTestId('preview-strip').locator('button');
    await expect(strip.locator('span').allTextContents()).resolves.toEqual(SAVED_STEPS.map(String));
    await screenshot(h.page, 'training-dashboard');

    // zoom: sliders, wheel, drag; double-click shows every step again
    await setRange('zoom-from', 5);
    await expect(text('loss-range')).resolves.toBe(`6–${STEPS} of ${STEPS}`);
    await expect(text('loss-min')).resolves.toBe(
      `${shown(Math.min(...losses.slice(5)))} @ ${losses.indexOf(Math.min(...losses.slice(5))) + 1}`,
    );
    await setRange('zoom-to', 8);
    await expect(text('loss-range')).resolves.toBe('6–9 of 12');
    await expect(text('loss-last')).resolves.toBe(shown(losses[8]!));
    const canvas = dashboard().getByTestId('loss-chart').locator('canvas');
    await canvas.dblclick();
    await expect(text('loss-range')).resolves.toBe(`1–${STEPS} of ${STEPS}`);
    const box = (await canvas.boundingBox())!;
    await h.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await h.page.mouse.wheel(0, -100);
    await expect.poll(() => text('loss-range')).not.toBe(`1–${STEPS} of ${STEPS}`);
    await canvas.dblclick();
    await h.page.mouse.move(box.x + 42 + (box.width - 52) * 0.25, box.y + 100);
    await h.page.mouse.down();
    await h.page.mouse.move(box.x + 42 + (box.width - 52) * 0.75, box.y + 100, { steps: 4 });
    await h.page.mouse.up();
    await expect(text('loss-range')).resolves.toMatch(/^(3|4)–(9|10) of 12$/);

    // a preview opens the viewer at its full size; Esc closes the viewer, not the dashboard
    await strip.nth(1).click();
    await waitInPage(
      h.page,
      'the viewer shows the preview',
      () => (document.querySelector<HTMLImageElement>('[data-testid=lightbox-image]')?.naturalWidth ?? 0) > 0,
      null,
    );
    const img = h.page.getByTestId('lightbox-image');
    await expect(img.evaluate((i: HTMLImageElement) => [i.naturalWidth, i.naturalHeight])).resolves.toEqual([
      PREVIEW_SIDE,
      PREVIEW_SIDE,
    ]);
    await expect(h.page.getByTestId('lightbox-position').textContent()).resolves.toBe(
      `2 / ${SAVED_STEPS.length}`,
    );
    await expect(img.getAttribute('alt')).resolves.toMatch(/ · step 8$/);
    await h.page.keyboard.press('Escape');
    await expect(h.page.getByTestId('lightbox').count()).resolves.toBe(0);
    await expect(dashboard().isVisible()).resolves.toBe(true);
  });

  it('"Resume" turns on resume on the trainer node', async () => {
    await dashboard().getByTestId('dashboard-resume').click();
    await expect(dashboard().count()).resolves.toBe(0);
    const resume = await h.page.evaluate(
      (id) => window.studio!.graph.getNodeById(id)!.widgets!.find((w) => w.name === 'resume')!.value,
      TRAINER,
    );
    expect(resume).toBe(true);
  });

  it('opens from the history entry, and "Sample" runs a saved step with the trained token', async () => {
    await h.page.locator(`[data-prompt-id="${promptId}"]`).getByTestId('history-dashboard').click();
    await expect(dashboard().locator('h2').textContent()).resolves.toBeTruthy();
    await expect(text('loss-range')).resolves.toBe(`1–${STEPS} of ${STEPS}`);
    // the previews the server kept for the history entry
    await expect(
      dashboard().getByTestId('preview-strip').locator('button span').allTextContents(),
    ).resolves.toEqual(SAVED_STEPS.map(String));
    await dashboard().locator('tr[data-step="8"]').getByRole('button', { name: 'Sample' }).click();
    // the sample opens in a new tab: the edited training workflow stays in its own
    await waitInPage(
      h.page,
      'sample-with-embedding is open',
      () => window.studio!.graph.nodes.some((n) => n.type === 'LoadEmbedding'),
      null,
    );
    const values = await h.page.evaluate(() =>
      window
        .studio!.graph.nodes.filter((n) => n.type === 'LoadEmbedding' || n.type === 'CLIPTextEncode')
        .map((n) => `${n.type}: ${String(n.widgets![0]!.value)}`)
        .sort(),
    );
    const folder = (entry.outputs[String(TRAINER)]!.checkpoints as { subfolder: string }[])[0]!.subfolder;
    expect(values).toEqual([
      'CLIPTextEncode: ',
      'CLIPTextEncode: a <my-shape> on a green background',
      `LoadEmbedding: ${folder}/learned_embeds-steps-8.safetensors [output]`,
    ]);
    await h.page.getByTestId('queue-button').click();
    const runs = h.page.locator('[data-testid=queue-panel] article.entry');
    await waitInPage(
      h.page,
      'the sample prompt finishes',
      () => document.querySelectorAll('[data-testid=queue-panel] article.entry').length === 2,
      null,
      60_000,
    );
    await expect(runs.first().getAttribute('data-outcome')).resolves.toBe('success');
    const loader = await h.page.evaluate(
      () => window.studio!.graph.nodes.find((n) => n.type === 'LoadEmbedding')!.id,
    );
    await expect(h.page.evaluate((id) => window.studio!.nodeState(id).text, loader)).resolves.toContainEqual(
      expect.stringContaining('<my-shape>'),
    );
    expect(h.pageErrors).toEqual([]);
  });

  it('shows the kept previews and the loss of a run opened from the history after a reload', async () => {
    expect(entry.previews?.[String(TRAINER)]?.map((p) => [p.type, p.step])).toEqual(
      SAVED_STEPS.map((step) => ['temp', step]),
    );
    await h.page.reload();
    await h.page.waitForFunction(() => (window.studio?.graph.nodes.length ?? 0) > 0);
    await h.page.locator(`[data-prompt-id="${promptId}"]`).getByTestId('history-dashboard').click();
    await expect(text('loss-range')).resolves.toBe(`1–${STEPS} of ${STEPS}`);
    const losses = entry.outputs[String(TRAINER)]!.loss as number[];
    await expect(text('loss-last')).resolves.toBe(shown(losses.at(-1)!));
    const strip = dashboard().getByTestId('preview-strip');
    await expect(strip.locator('button span').allTextContents()).resolves.toEqual(SAVED_STEPS.map(String));
    await waitInPage(
      h.page,
      'every kept preview is loaded from the server',
      (n) =>
        [...document.querySelectorAll<HTMLImageElement>('[data-testid=preview-strip] img')].filter(
          (i) => i.complete && i.naturalWidth > 0,
        ).length === n,
      SAVED_STEPS.length,
    );
    await expect(
      strip.locator('img').evaluateAll((imgs) => imgs.map((i) => (i as HTMLImageElement).naturalWidth)),
    ).resolves.toEqual(SAVED_STEPS.map(() => PREVIEW_SIDE));
    await screenshot(h.page, 'training-dashboard-from-history');
    expect(h.pageErrors).toEqual([]);
  });

  it('"Resume" on a run from the history opens its workflow in a new tab with resume on', async () => {
    const tabsBefore = await h.page.getByTestId('workflow-tab').count();
    await dashboard().getByTestId('dashboard-resume').click();
    await expect(dashboard().count()).resolves.toBe(0);
    await expect(h.page.getByTestId('workflow-tab').count()).resolves.toBe(tabsBefore + 1);
    const front = h.page.locator('[data-testid=workflow-tab-show][aria-current=page]');
    await expect(front.textContent()).resolves.toContain('prompt #');
    // the trainer as the history prompt ran it, now resuming from its last checkpoint
    const widgets = await h.page.evaluate((id) => {
      const node = window.studio!.graph.getNodeById(id)!;
      return Object.fromEntries(node.widgets!.map((w) => [w.name, w.value]));
    }, TRAINER);
    const prompt = entry.prompt[2] as Record<string, { inputs: Record<string, unknown> }>;
    const queued = prompt[String(TRAINER)]!.inputs;
    expect(widgets).toMatchObject({
      resume: true,
      steps: queued.steps,
      checkpoint_every: queued.checkpoint_every,
      token: queued.token,
    });
    expect(queued.resume).toBe(false);
    expect(h.pageErrors).toEqual([]);
  });
});
