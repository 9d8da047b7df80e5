/**
 * `npm run docs:images`: takes the README's screenshots the way the browser tests drive the studio
 * (tests/browser/browserHarness.ts: the client built into a temp folder, a real studio with its startup
 * tasks on a temp data dir, headless Chromium), on a 1600 × 1000 page. It runs the default canvas
 * (train-sample-score) as it opens, shot while the trainer runs and after the scores are in, then the
 * checkpoint-curve workflow, shot with its chart, whose PNG from output/ is copied too, then compare-base-models,
 * whose stitched pair of charts (toy SD 1.x and its SD 2.x twin) is copied from output/. Each image is
 * written atomically over the one in docs/images/ (see docsImageList.ts); rerun it after the toy model changes.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { historySchema, uiWorkflowSchema, type UiWorkflow } from '../../protocol/wireSchemas';
import { DEFAULT_WORKFLOW_NAME } from '../../protocol/workflowNames';
import { writeFileAtomic } from '../../server/storage/atomicWrite';
import { repoRoot, startBrowserStudio, waitInPage, type BrowserStudio } from '../browser/browserHarness';
import { DOCS_IMAGES } from './docsImageList';

const VIEWPORT = { width: 1600, height: 1000 };
/** A run of either workflow on a loaded 2-core machine stays well inside this. */
const RUN_TIMEOUT_MS = 20 * 60_000;
/** The running shot waits until the trainer is this far, so the loss chart has a shape. */
const TRAINING_SHOT_AT = 0.4;
/** README images stay small: a UI screenshot keeps its look in a 256-colour palette. */
const MAX_BYTES = 400 * 1024;

async function shippedWorkflow(name: string): Promise<UiWorkflow> {
  const file = path.join(repoRoot, 'workflows', `${name}.json`);
  return uiWorkflowSchema.parse(JSON.parse(await readFile(file, 'utf8')));
}

function idsOf(workflow: UiWorkflow, type: string): string[] {
  const ids = workflow.nodes.filter((n) => n.type === type).map((n) => String(n.id));
  if (ids.length === 0) throw new Error(`the workflow has no ${type} node; update tests/docs/docsImages.ts`);
  return ids;
}

/** Writes `png` to repo-relative `file`, re-encoded with a palette, and says where and how large. */
async function writeImage(file: string, png: Buffer): Promise<void> {
  const small = await sharp(png)
    .png({ palette: true, quality: 90, effort: 10, compressionLevel: 9 })
    .toBuffer();
  await writeFileAtomic(path.join(repoRoot, file), small);
  const kb = Math.round(small.length / 1024);
  console.log(`wrote ${file} (${kb} KB)${small.length > MAX_BYTES ? ` — over ${MAX_BYTES / 1024} KB` : ''}`);
}

async function shoot(h: BrowserStudio, file: string): Promise<void> {
  await waitInPage(
    h.page,
    "the history's thumbnails have loaded",
    () =>
      [...document.querySelectorAll<HTMLImageElement>('[data-testid=queue-panel] .history-image')].every(
        (img) => img.complete && img.naturalWidth > 0,
      ),
    null,
  );
  // one more frame, so what the last event changed is drawn
  await h.page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => resolve(null))));
  await writeImage(file, await h.page.screenshot());
}

async function fitAndQueue(h: BrowserStudio): Promise<void> {
  await h.page.getByTitle('Fit the graph in view').click();
  await h.page.getByTestId('queue-button').click();
}

async function waitUntilIdle(h: BrowserStudio, what: string): Promise<void> {
  await waitInPage(
    h.page,
    what,
    () => document.querySelector('[data-testid=run-status]')?.textContent?.includes('Idle') === true,
    null,
    RUN_TIMEOUT_MS,
  );
}

async function trainSampleScore(h: BrowserStudio): Promise<void> {
  const workflow = await shippedWorkflow(DEFAULT_WORKFLOW_NAME);
  const [trainer] = idsOf(workflow, 'TextualInversionTrainer');
  const saved = idsOf(workflow, 'SaveImage');
  const scored = [...idsOf(workflow, 'CLIPScore'), ...idsOf(workflow, 'ShapesWorldOracle')];
  await h.page.goto(h.studio.url);
  await waitInPage(
    h.page,
    `the studio opens on ${DEFAULT_WORKFLOW_NAME}`,
    (count) => window.studio?.graph.nodes.length === count,
    workflow.nodes.length,
    60_000,
  );
  await fitAndQueue(h);
  await waitInPage(
    h.page,
    `the trainer is ${TRAINING_SHOT_AT * 100}% through and charted`,
    ([id, share]) => {
      const s = window.studio!.nodeState(id);
      return s.running && !!s.progress && s.progress.value >= share * s.progress.max && s.chartPoints > 10;
    },
    [trainer!, TRAINING_SHOT_AT] as const,
    RUN_TIMEOUT_MS,
  );
  await shoot(h, DOCS_IMAGES.training);
  await waitUntilIdle(h, `${DEFAULT_WORKFLOW_NAME} has run`);
  await waitInPage(
    h.page,
    'every sample is shown and every score is in',
    ([images, scores]) =>
      images.every((id) => window.studio!.nodeImages(id).some((i) => i.loaded)) &&
      scores.every((id) => window.studio!.nodeState(id).text.length > 0),
    [saved, scored] as const,
    60_000,
  );
  await shoot(h, DOCS_IMAGES.finished);
}

/**
 * Opens the shipped workflow `name` from the library panel, queues it and waits until node `nodeId` of type
 * `type` shows an image and the run has ended; returns that node's id.
 */
async function openAndRun(h: BrowserStudio, name: string, type: string): Promise<string> {
  const [nodeId] = idsOf(await shippedWorkflow(name), type);
  await h.page.getByTestId('library-toggle').click();
  await h.page.getByTestId('library-panel').getByText(name, { exact: true }).click();
  await waitInPage(
    h.page,
    `${name} is open`,
    (title) => document.querySelector('[data-testid=workflow-title]')?.textContent?.includes(title) === true,
    name,
  );
  await h.page.getByTestId('library-toggle').click();
  await fitAndQueue(h);
  await waitInPage(
    h.page,
    `the ${type} node of ${name} shows its image`,
    (id) => window.studio!.nodeImages(id).some((i) => i.loaded),
    nodeId!,
    RUN_TIMEOUT_MS,
  );
  await waitUntilIdle(h, `${name} has run`);
  return nodeId!;
}

/** Copies the first image the history holds for node `nodeId` from output/ to `file`. */
async function copyOutputImage(h: BrowserStudio, nodeId: string, file: string): Promise<void> {
  const history = historySchema.parse(await (await fetch(`${h.studio.url}/api/history`)).json());
  const entry = Object.values(history).find((e) => e.outputs[nodeId]?.images?.length);
  const image = entry?.outputs[nodeId]?.images?.[0] as { filename: string; subfolder: string } | undefined;
  if (!image) throw new Error(`the history has no image of node #${nodeId}`);
  await writeImage(file, await readFile(path.join(h.studio.dirs.output, image.subfolder, image.filename)));
}

async function checkpointCurve(h: BrowserStudio): Promise<void> {
  const curve = await openAndRun(h, 'checkpoint-curve', 'TextualInversionCheckpointCurve');
  await shoot(h, DOCS_IMAGES.curveCanvas);
  await copyOutputImage(h, curve, DOCS_IMAGES.curveChart);
}

/** Runs compare-base-models and copies the stitched pair of charts its Save Image node wrote. */
async function compareBaseModels(h: BrowserStudio): Promise<void> {
  const save = await openAndRun(h, 'compare-base-models', 'SaveImage');
  await copyOutputImage(h, save, DOCS_IMAGES.compareCharts);
}

async function main(): Promise<void> {
  const h = await startBrowserStudio();
  try {
    await h.page.setViewportSize(VIEWPORT);
    await trainSampleScore(h);
    await checkpointCurve(h);
    await compareBaseModels(h);
    if (h.pageErrors.length) console.warn(`the page reported errors:\n${h.pageErrors.join('\n')}`);
  } finally {
    await h.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
