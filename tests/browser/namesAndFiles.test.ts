/**
 * What the page says and accepts around files: a workflow name the library refuses is explained before
 * saving (naming the characters), an API-format prompt dropped on the canvas opens laid out and queues
 * as the same prompt, and the page has an icon.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { historySchema } from '../../protocol/wireSchemas';
import { repoRoot, screenshot, openStudioPage, waitInPage, type BrowserStudio } from './browserHarness';
import { dropFileOnCanvas } from './workflowFixtures';

let h: BrowserStudio;

beforeAll(async () => {
  h = await openStudioPage();
});

afterAll(async () => {
  await h?.close();
});

describe('names and files', () => {
  it('explains a workflow name the library refuses before saving it', async () => {
    const puts: string[] = [];
    h.page.on('request', (r) => {
      if (r.method() === 'PUT') puts.push(r.url());
    });
    await h.page.getByText('Save as…').click();
    const dialog = h.page.getByTestId('name-dialog');
    await dialog.locator('input').fill('bad/name?');
    await expect(dialog.getByTestId('name-problem').textContent()).resolves.toBe(
      '"/", "?" cannot be in a workflow name; use letters, digits, spaces, _ - . ( )',
    );
    await expect(dialog.locator('button[type=submit]').isDisabled()).resolves.toBe(true);
    await dialog.locator('input').press('Enter');
    await screenshot(h.page, 'bad-workflow-name');
    await dialog.locator('input').fill('good name (2)');
    await expect(dialog.getByTestId('name-problem').count()).resolves.toBe(0);
    await dialog.getByText('Cancel').click();
    expect(puts).toEqual([]);
    await expect(h.page.getByText(/: 400/).count()).resolves.toBe(0);
  });

  it('opens an API-format prompt dropped on the canvas, laid out, and queues the same prompt', async () => {
    const text = await readFile(path.join(repoRoot, 'workflows', 'api', 'txt2img.json'), 'utf8');
    const api = JSON.parse(text) as Record<string, { class_type: string; inputs: Record<string, unknown> }>;
    await h.page.getByTitle('New workflow').click();
    await dropFileOnCanvas(h.page, text, 'txt2img-api.json');
    await waitInPage(
      h.page,
      'the prompt is on the canvas',
      (n) => window.studio!.graph.nodes.length === n,
      Object.keys(api).length,
    );
    const shown = await h.page.evaluate(() =>
      window.studio!.graph.nodes.map((n) => {
        const a = window.studio!.graphToPage(n.pos[0], n.pos[1] - 30);
        const z = window.studio!.graphToPage(n.pos[0] + n.size[0], n.pos[1] + n.size[1]);
        return { id: String(n.id), type: n.type, box: [a.x, a.y, z.x, z.y] as const };
      }),
    );
    expect(Object.fromEntries(shown.map((n) => [n.id, n.type]))).toEqual(
      Object.fromEntries(Object.entries(api).map(([id, n]) => [id, n.class_type])),
    );
    const overlapping = shown.flatMap((a) =>
      shown
        .filter((b) => a.id < b.id)
        .filter(
          (b) => a.box[0] < b.box[2] && b.box[0] < a.box[2] && a.box[1] < b.box[3] && b.box[1] < a.box[3],
        )
        .map((b) => `${a.id}/${b.id}`),
    );
    expect(overlapping).toEqual([]);
    await screenshot(h.page, 'api-prompt-dropped');

    await h.page.getByTestId('queue-button').click();
    await expect
      .poll(
        async () =>
          Object.keys(historySchema.parse(await (await fetch(`${h.studio.url}/api/history`)).json())).length,
        {
          timeout: 60_000,
        },
      )
      .toBe(1);
    const [entry] = Object.values(
      historySchema.parse(await (await fetch(`${h.studio.url}/api/history`)).json()),
    );
    const queued = entry!.prompt[2] as typeof api;
    for (const [id, node] of Object.entries(api))
      expect(queued[id]?.inputs, `node ${id}`).toEqual(node.inputs);
    expect(h.pageErrors).toEqual([]);
  });

  it('has an icon, also at /favicon.ico', async () => {
    const href = await h.page.locator('link[rel=icon]').getAttribute('href');
    for (const url of [href!, '/favicon.ico']) {
      const res = await fetch(new URL(url, h.studio.url));
      expect(res.status, url).toBe(200);
      expect(res.headers.get('content-type'), url).toContain('image/svg+xml');
    }
  });
});
