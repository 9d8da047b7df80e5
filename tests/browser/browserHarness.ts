/**
 * Shared set-up of the browser tests: builds the client once per test file into a temp folder (so parallel
 * test files never race on client/dist), starts the real studio the way every test does
 * (tests/support/testStudio.ts: ephemeral port, temp data dir) and launches headless Chromium with a fresh
 * profile; plus the page helpers the browser tests share.
 */
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type FileChooser, type Page } from 'playwright-core';
import { build } from 'vite';
import type { Studio, StudioOptions } from '../../server/studio';
import { startTestStudio, tempRoot } from '../support/testStudio';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Screenshots land here (repo-relative, gitignored). */
export const SCREENSHOT_DIR = path.join(repoRoot, 'test-output', 'browser');

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

/** Builds the client with client/vite.config.ts into `outDir`. */
export async function buildClient(outDir: string): Promise<void> {
  await build({
    configFile: path.join(repoRoot, 'client', 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true },
  });
}

export interface BrowserStudio {
  studio: Studio;
  context: BrowserContext;
  page: Page;
  tmp: string;
  /** Uncaught page exceptions and console errors seen so far (failed requests excepted: tests provoke 400s). */
  pageErrors: string[];
  /**
   * Tears everything down, then throws if the page had any uncaught exception or console error during the
   * whole file (so every browser test file asserts a clean console, not only the tests that check
   * `pageErrors` themselves).
   */
  close(): Promise<void>;
}

/** Starts everything a browser test needs; `close()` tears it down and deletes the temp folder. */
export async function startBrowserStudio(options: Partial<StudioOptions> = {}): Promise<BrowserStudio> {
  const tmp = await tempRoot('studio-browser-');
  const dist = path.join(tmp, 'dist');
  await buildClient(dist);
  const studio = await startTestStudio({
    root: tmp,
    runStartupTasks: true,
    serveClient: true,
    clientDistDir: dist,
    ...options,
  });
  // a persistent context is how playwright takes a fresh --user-data-dir
  const context = await chromium.launchPersistentContext(path.join(tmp, 'profile'), {
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
    viewport: { width: 1440, height: 900 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const pageErrors: string[] = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource'))
      pageErrors.push(msg.text());
  });
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  return {
    studio,
    context,
    page,
    tmp,
    pageErrors,
    async close() {
      await context.close().catch(() => undefined);
      await studio.close();
      await rm(tmp, { recursive: true, force: true });
      assertCleanConsole(pageErrors);
    },
  };
}

/** {@link startBrowserStudio}, then the studio's page opened and its default canvas drawn. */
export async function openStudioPage(options: Partial<StudioOptions> = {}): Promise<BrowserStudio> {
  const h = await startBrowserStudio(options);
  await h.page.goto(h.studio.url);
  await h.page.waitForFunction(() => (window.studio?.graph.nodes.length ?? 0) > 0);
  return h;
}

/** Throws, naming each message, when the page reported uncaught exceptions or console errors. */
export function assertCleanConsole(pageErrors: readonly string[]): void {
  if (pageErrors.length === 0) return;
  const list = pageErrors.map((e) => `  - ${e.split('\n')[0]}`).join('\n');
  throw new Error(
    `the page had ${pageErrors.length} uncaught exception(s) or console error(s) during this file:\n${list}`,
  );
}

/** Saves a full-page screenshot as test-output/browser/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/**
 * `page.waitForFunction` that names what it waited for when it times out (playwright's own message only
 * says which function, not which step of the test). `arg` is passed into the page (JSON values only).
 */
export async function waitInPage<A>(
  page: Page,
  what: string,
  fn: (arg: A) => boolean,
  arg: A,
  timeoutMs = 15_000,
): Promise<void> {
  try {
    // playwright types the page side's argument as Unboxed<A>, which equals A for JSON values
    await page.waitForFunction(fn as (arg: unknown) => boolean, arg as unknown, { timeout: timeoutMs });
  } catch (err) {
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new Error(`timed out after ${timeoutMs} ms waiting until ${what} (${message})`);
  }
}

/**
 * Adds a node as a person does: double-click the canvas at page point (x, y), type `query`, wait until
 * the search lists `type` first, press Enter. Litegraph tells a double-click by a 300 ms window; on a
 * loaded 2-core CI machine one can be missed, so the double-click is repeated (at most 3 times).
 */
export async function addNodeBySearch(
  page: Page,
  x: number,
  y: number,
  query: string,
  type: string,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await page.mouse.dblclick(x, y);
    try {
      await page.waitForFunction(() => document.activeElement?.closest('.litesearchbox') != null, null, {
        timeout: 3000,
      });
      break;
    } catch (err) {
      if (attempt === 3) {
        throw new Error(`the node search box did not open after 3 double-clicks at (${x}, ${y})`, {
          cause: err,
        });
      }
      await page.keyboard.press('Escape');
      await page.waitForTimeout(400);
    }
  }
  await page.keyboard.type(query);
  // the list refreshes on a timer after each key: Enter must wait for the final list
  await waitInPage(
    page,
    `the node search lists ${type} first for "${query}"`,
    (expected) =>
      document.querySelector<HTMLElement>('.litesearchbox .lite-search-item')?.dataset.type === expected,
    escape(type),
  );
  await page.keyboard.press('Enter');
}

/**
 * Clicks the canvas at page point (x, y) until `done()` is true, at most 3 times. Litegraph turns a
 * press into a drag when any pointer event arrives more than 150 ms after pointerdown; on a loaded
 * 2-core CI machine a plain click can cross that line, and then nothing is clicked.
 */
export async function clickCanvasUntil(
  page: Page,
  x: number,
  y: number,
  what: string,
  done: () => Promise<boolean>,
): Promise<void> {
  await pressCanvasUntil(page, { press: 'click', verb: 'clicking', pauseMs: 0 }, fixed(x, y), what, done);
}

/**
 * Double-clicks the canvas at page point (x, y) until `done()` is true, at most 3 times (litegraph can miss
 * a double-click on a loaded machine, see {@link addNodeBySearch}).
 */
export async function dblclickCanvasUntil(
  page: Page,
  x: number,
  y: number,
  what: string,
  done: () => Promise<boolean>,
): Promise<void> {
  await pressCanvasUntil(
    page,
    { press: 'dblclick', verb: 'double-clicking', pauseMs: 400 },
    fixed(x, y),
    what,
    done,
  );
}

/** The retry loop of the two above: press, poll `done()` for 2 s, pause, at most 3 times; then a screenshot. */
/** A page point to press, found again before every press. */
type PressPoint = () => Promise<{ x: number; y: number }>;

/** A point that does not move. */
const fixed =
  (x: number, y: number): PressPoint =>
  async () => ({ x, y });

async function pressCanvasUntil(
  page: Page,
  how: { press: 'click' | 'dblclick'; verb: string; pauseMs: number },
  point: PressPoint,
  what: string,
  done: () => Promise<boolean>,
): Promise<void> {
  let at = { x: NaN, y: NaN };
  for (let attempt = 1; attempt <= 3; attempt++) {
    // a point that follows the page (a widget) is measured again before every press: the layout may
    // have moved since the last one, and a press at the old point would edit something else
    at = await point();
    if (attempt > 1 && (await done())) return;
    await page.mouse[how.press](at.x, at.y);
    const deadline = Date.now() + 2000;
    while (Date.now() < deadline) {
      if (await done()) return;
      await page.waitForTimeout(50);
    }
    if (how.pauseMs) await page.waitForTimeout(how.pauseMs);
  }
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'failed-click.png') });
  throw new Error(
    `${how.verb} (${at.x}, ${at.y}) 3 times did not ${what} (see test-output/browser/failed-click.png)`,
  );
}

/**
 * Clicks a canvas button that opens a file dialog (same retry as {@link clickCanvasUntil}). The wait per
 * click is long because a CI machine running other test files beside the browser can starve the page.
 */
export async function clickForFileChooser(page: Page, x: number, y: number): Promise<FileChooser> {
  const attempts = 4;
  for (let attempt = 1; ; attempt++) {
    const chooser = page.waitForEvent('filechooser', { timeout: 8000 });
    await page.mouse.click(x, y);
    try {
      return await chooser;
    } catch (err) {
      if (attempt === attempts)
        throw new Error(`clicking (${x}, ${y}) ${attempts} times opened no file dialog`, { cause: err });
    }
  }
}

/** The page rectangle of a widget, once its node has been laid out on the canvas. */
export async function widgetRect(
  page: Page,
  nodeId: string | number,
  widget: string,
): Promise<{ left: number; top: number; width: number; height: number }> {
  const target: [string | number, string] = [nodeId, widget];
  try {
    await page.waitForFunction(([id, name]) => window.studio!.widgetRect(id, name) !== undefined, target, {
      timeout: 15_000,
    });
  } catch (err) {
    throw new Error(`widget "${widget}" of node ${nodeId} was never laid out on the canvas`, { cause: err });
  }
  const rect = await page.evaluate(([id, name]) => window.studio!.widgetRect(id, name), [
    nodeId,
    widget,
  ] as const);
  if (!rect) throw new Error(`node ${nodeId} has no widget "${widget}"`);
  return rect;
}

/**
 * Types `value` into number widget `widget` of node `nodeId` as a person does: a click in the middle of
 * the widget opens litegraph's value prompt, the value is typed and Enter applies it.
 */
export async function typeIntoNumberWidget(
  page: Page,
  nodeId: string | number,
  widget: string,
  value: number,
): Promise<void> {
  const prompt = page.locator('.graphdialog input.value');
  const centre = async () => {
    await settledLayout(page);
    const rect = await widgetRect(page, nodeId, widget);
    return { x: rect.left + rect.width / 2, y: rect.top + rect.height / 2 };
  };
  await pressCanvasUntil(
    page,
    { press: 'click', verb: 'clicking', pauseMs: 0 },
    centre,
    `open the value prompt of "${widget}"`,
    () => prompt.isVisible(),
  );
  await prompt.fill(String(value));
  await prompt.press('Enter');
  try {
    await page.waitForFunction(
      ([id, name, expected]) =>
        window.studio!.graph.getNodeById(id)?.widgets?.find((w) => w.name === name)?.value === expected,
      [nodeId, widget, value] as const,
      { timeout: 5000 },
    );
  } catch (err) {
    throw new Error(`widget "${widget}" of node ${nodeId} did not take the typed value ${value}`, {
      cause: err,
    });
  }
}

/** Resolves after the page has drawn two more frames: layout changes made before the call are on screen. */
export async function settledLayout(page: Page): Promise<void> {
  await page.evaluate(
    () => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve()))),
  );
}

/**
 * Opens library workflow `name` as a person does (library panel, click the name) and closes the panel
 * again; resolves once the workflow is open and the canvas has moved back to where the panel was, so a
 * widget measured next is where a click will land.
 */
export async function openLibraryWorkflow(page: Page, name: string): Promise<void> {
  await page.getByTestId('library-toggle').click();
  await page.getByTestId('library-panel').getByText(name, { exact: true }).click();
  await waitInPage(
    page,
    `${name} is open`,
    (n) => document.querySelector('[data-testid=workflow-title]')?.textContent?.includes(n) ?? false,
    name,
  );
  await page.getByTestId('library-toggle').click();
  await waitInPage(
    page,
    'the library panel closed',
    () => !document.querySelector('[data-testid=library-panel]'),
    null,
  );
  await settledLayout(page);
}

/** The tab of workflow `name` in the workflow tab bar. */
export const workflowTab = (page: Page, name: string) =>
  page.locator(`[data-testid=workflow-tab][data-tab-name="${name}"]`);

/** The node types on the canvas, sorted. */
export const canvasNodeTypes = (page: Page): Promise<string[]> =>
  page.evaluate(() => window.studio!.graph.nodes.map((n) => n.type).sort());
