/**
 * Issue 5's browser acceptance with the real trainer on the embedded toy shapes model (copied from the repo's
 * models/ by the studio's startup tasks, which also write the example training images): the shipped train-embedding workflow, opened from the
 * library and queued as a person would, shows its progress bar and a live loss chart on the trainer node
 * while it runs, and the chart holds exactly the losses the server sent. A second run is interrupted from
 * the toolbar.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { historySchema, uiWorkflowSchema, type HistoryEntry } from '../../protocol/wireSchemas';
import { chartSeries, countPixels, nodeBodyRect, recordSocketFrames, type SocketFrame } from './pageProbes';
import {
  repoRoot,
  screenshot,
  startBrowserStudio,
  typeIntoNumberWidget,
  waitInPage,
  type BrowserStudio,
  openLibraryWorkflow,
} from './browserHarness';

/** Long enough to watch the run (a toy-model step of batch 4 takes ~0.1–0.3 s), short enough for CI. */
const STEPS = 30;
const PREVIEW_EVERY = 10;
/** The `ti_loss` series colour (client/src/services/nodeEventTables.ts) and the node progress bar's. */
const LOSS_COLOR = [0xff, 0xa9, 0x31] as const;
const PROGRESS_COLOR = [0x22, 0xc5, 0x5e] as const;

let h: BrowserStudio;
let frames: SocketFrame[];
let trainerId: string;

const framesOf = (promptId: string, type: string) =>
  frames.filter((f) => f.type === type && f.data.prompt_id === promptId && f.data.node === trainerId);

/** The prompt of the training run with `steps` steps, from the progress frames the page received. */
async function promptIdOfRun(steps: number): Promise<string> {
  const find = () =>
    frames.find((f) => f.type === 'progress' && f.data.node === trainerId && f.data.max === steps)?.data
      .prompt_id;
  await expect.poll(find, { timeout: 5000 }).toBeTypeOf('string');
  return String(find());
}

async function historyEntry(promptId: string): Promise<HistoryEntry | undefined> {
  const response = await fetch(`${h.studio.url}/api/history/${promptId}`);
  return historySchema.parse(await response.json())[promptId];
}

const trainerState = () => h.page.evaluate((id) => window.studio!.nodeState(id), trainerId);

beforeAll(async () => {
  const shipped = uiWorkflowSchema.parse(
    JSON.parse(await readFile(path.join(repoRoot, 'workflows', 'train-embedding.json'), 'utf8')),
  );
  const trainer = shipped.nodes.find((n) => n.type === 'TextualInversionTrainer');
  if (!trainer) throw new Error('workflows/train-embedding.json has no TextualInversionTrainer node');
  trainerId = String(trainer.id);
  // the startup tasks copy the toy checkpoint and write input/ti-examples/, which the shipped workflow reads
  h = await startBrowserStudio({ runStartupTasks: true });
  frames = recordSocketFrames(h.page);
  await h.page.goto(h.studio.url);
  await h.page.waitForFunction(() => (window.studio?.graph.nodes.length ?? 0) > 0);
});

afterAll(async () => {
  await h?.close();
});

describe('the textual inversion trainer in the browser', () => {
  it('shows its progress bar and the live loss chart while train-embedding runs', async () => {
    await openLibraryWorkflow(h.page, 'train-embedding');
    // the opening canvas (train-sample-score) is fitted zoomed out; fit the small workflow so the chart is
    // drawn at a readable size
    await h.page.getByTitle('Fit the graph in view').click();
    await typeIntoNumberWidget(h.page, trainerId, 'steps', STEPS);
    await typeIntoNumberWidget(h.page, trainerId, 'preview_every', PREVIEW_EVERY);
    expect(await countPixels(h.page, await nodeBodyRect(h.page, trainerId), LOSS_COLOR)).toBe(0);

    await h.page.getByTestId('queue-button').click();
    await waitInPage(
      h.page,
      'the trainer runs with 2 steps done and charted',
      (id) => {
        const s = window.studio!.nodeState(id);
        return s.running && (s.progress?.value ?? 0) >= 2 && s.chartPoints >= 2;
      },
      trainerId,
      60_000,
    );
    const early = await trainerState();
    const earlyChart = await chartSeries(h.page, trainerId, 'loss');
    expect(early.progress?.max).toBe(STEPS);
    const title = await h.page.evaluate((id) => window.studio!.graph.getNodeById(id)!.title, trainerId);
    expect((await h.page.getByTestId('run-status').textContent())?.trim()).toMatch(
      new RegExp(`^${title} · \\d+/${STEPS}$`),
    );
    await waitInPage(
      h.page,
      `the trainer's progress passes ${early.progress!.value}`,
      ([id, done]) => (window.studio!.nodeState(id).progress?.value ?? 0) > done,
      [trainerId, early.progress!.value] as const,
    );
    // drawn, not only stored (on a later frame): the loss line in its series colour, and the progress bar
    // in the 3 px strip above the node's body
    const pixels = async (strip: boolean, rgb: readonly [number, number, number]) => {
      const [x, y, w, nodeHeight] = await nodeBodyRect(h.page, trainerId);
      return countPixels(h.page, strip ? [x, y - 3, w, 3] : [x, y, w, nodeHeight], rgb);
    };
    await expect.poll(() => pixels(false, LOSS_COLOR)).toBeGreaterThan(40);
    await expect.poll(() => pixels(true, PROGRESS_COLOR)).toBeGreaterThan(0);
    await screenshot(h.page, 'trainer-progress');
    expect((await trainerState()).running, 'the screenshot was taken while the trainer ran').toBe(true);

    // every point charted so far is a `ti_loss` event the server sent, at its step
    const promptId = await promptIdOfRun(STEPS);
    expect(earlyChart?.xs.length).toBeGreaterThanOrEqual(2);
    expect(earlyChart!.xs).toEqual(earlyChart!.xs.map((_, i) => i + 1));
    await expect
      .poll(() => framesOf(promptId, 'ti_loss').length)
      .toBeGreaterThanOrEqual(earlyChart!.xs.length);
    const sentEarly = framesOf(promptId, 'ti_loss').slice(0, earlyChart!.xs.length);
    expect(earlyChart!.ys).toEqual(sentEarly.map((f) => f.data.loss));

    await waitInPage(
      h.page,
      'the trainer finishes',
      (id) => !window.studio!.nodeState(id).running,
      trainerId,
      60_000,
    );
    await expect
      .poll(async () => (await historyEntry(promptId))?.status.status_str, { timeout: 15_000 })
      .toBe('success');
    const losses = (await historyEntry(promptId))!.outputs[trainerId]?.loss;
    expect(losses).toHaveLength(STEPS);
    const sent = framesOf(promptId, 'ti_loss');
    expect(sent.map((f) => [f.data.step, f.data.loss])).toEqual(losses!.map((loss, i) => [i + 1, loss]));
    const progress = framesOf(promptId, 'progress').map((f) => f.data.value);
    expect(progress).toEqual(Array.from({ length: STEPS + 1 }, (_, i) => i));
    await expect(chartSeries(h.page, trainerId, 'loss')).resolves.toEqual({
      xs: losses!.map((_, i) => i + 1),
      ys: losses,
    });
    // the node's text names the last loss the chart shows
    await expect(trainerState()).resolves.toEqual({
      running: false,
      progress: undefined,
      errors: [],
      chartPoints: STEPS,
      // three significant digits, trailing zeros dropped (seriesChart's formatValue)
      text: [`loss: ${Number(Number(losses!.at(-1)).toPrecision(3))} (last of ${STEPS})`],
    });
    await screenshot(h.page, 'trainer-finished');
  });

  it('stops a training run from the toolbar', async () => {
    await typeIntoNumberWidget(h.page, trainerId, 'steps', 100_000);
    await h.page.getByTestId('queue-button').click();
    await waitInPage(
      h.page,
      'the second training run has 2 steps done',
      (id) => (window.studio!.nodeState(id).progress?.value ?? 0) >= 2,
      trainerId,
      60_000,
    );
    const promptId = await promptIdOfRun(100_000);
    await h.page.getByTestId('interrupt').click();
    await waitInPage(
      h.page,
      'the toolbar shows Idle',
      () => document.querySelector('[data-testid=run-status]')?.textContent?.includes('Idle') === true,
      null,
    );
    await expect.poll(async () => (await historyEntry(promptId))?.status.status_str).toBe('error');
    const entry = await historyEntry(promptId);
    expect(entry!.status.messages.map(([type]) => type)).toContain('execution_interrupted');
    // the chart stopped where the run did: one point per step the server reported
    const charted = (await trainerState()).chartPoints;
    expect(charted).toBeGreaterThanOrEqual(2);
    expect(charted).toBeLessThan(100_000);
    await expect.poll(() => framesOf(promptId, 'ti_loss').length).toBe(charted);
    expect(h.pageErrors).toEqual([]);
  });
});
