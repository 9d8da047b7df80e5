/** UI workflows the browser tests open (built or read here so each test starts from a known graph). */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { uiWorkflowSchema, type UiWorkflow } from '../../protocol/uiWorkflowSchema';
import { repoRoot } from './browserHarness';
import { WIDGET_KINDS_NODE } from './testNodes';

/**
 * EmptyImage #1 (512² slate blue) → ImageInvert #2 → ImageScale #3 (256²) → SaveImage #4: the quick
 * image graph of tests/fixtures/workflows/image-invert.json (the API tests run its API twin).
 */
export function imageInvertWorkflow(): UiWorkflow {
  const file = path.join(repoRoot, 'tests', 'fixtures', 'workflows', 'image-invert.json');
  return uiWorkflowSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
}

/**
 * Opens `workflow` through the toolbar's file dialog as a person does (in a new tab unless the canvas is
 * empty) and waits until its nodes are on the canvas.
 */
export async function openWorkflowFile(page: Page, workflow: UiWorkflow, name: string): Promise<void> {
  await page.locator('input[type=file][accept*=json]').setInputFiles({
    name,
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify(workflow)),
  });
  const expected = workflow.nodes.map((n) => `${n.id}:${n.type}`).sort();
  try {
    await page.waitForFunction(
      (ids) =>
        JSON.stringify(window.studio!.graph.nodes.map((n) => `${n.id}:${n.type}`).sort()) ===
        JSON.stringify(ids),
      expected,
      { timeout: 15_000 },
    );
  } catch (err) {
    throw new Error(`${name} did not open on the canvas`, { cause: err });
  }
}

/** EmptyImage → SaveImage, plus a node with every widget kind (ids 1–3). */
export function widgetsWorkflow(): UiWorkflow {
  return {
    last_node_id: 3,
    last_link_id: 1,
    nodes: [
      {
        id: 1,
        type: 'EmptyImage',
        pos: [40, 80],
        size: [300, 150],
        flags: {},
        order: 0,
        mode: 0,
        outputs: [{ name: 'IMAGE', type: 'IMAGE', links: [1], slot_index: 0 }],
        properties: {},
        widgets_values: [96, 64, 1, 0x2a9d8f],
      },
      {
        id: 2,
        type: 'SaveImage',
        pos: [420, 80],
        size: [300, 300],
        flags: {},
        order: 1,
        mode: 0,
        inputs: [{ name: 'images', type: 'IMAGE', link: 1 }],
        properties: {},
        widgets_values: ['widgets'],
      },
      {
        id: 3,
        type: WIDGET_KINDS_NODE,
        pos: [40, 330],
        size: [320, 320],
        flags: {},
        order: 2,
        mode: 0,
        properties: {},
        widgets_values: ['a photo of <cat-toy> on a beach', 42, 'increment', 7.5, true, 'ddim'],
      },
    ],
    links: [[1, 1, 0, 2, 0, 'IMAGE']],
    groups: [],
    config: {},
    extra: {},
    version: 0.4,
  };
}

/**
 * Drops a file named `name` on the canvas, as a person drags one from the desktop: `content` is the text of
 * a JSON file or the bytes of another (`type`, e.g. image/png).
 */
export async function dropFileOnCanvas(
  page: Page,
  content: string | Uint8Array,
  name: string,
  type = 'application/json',
): Promise<void> {
  const payload = typeof content === 'string' ? content : [...content];
  await page.evaluate(
    ([data, fileName, mime]) => {
      const part = typeof data === 'string' ? data : new Uint8Array(data);
      const transfer = new DataTransfer();
      transfer.items.add(new File([part], fileName, { type: mime }));
      const target = document.querySelector('[data-testid=graph-canvas]')!.parentElement!;
      const box = target.getBoundingClientRect();
      target.dispatchEvent(
        new DragEvent('drop', {
          dataTransfer: transfer,
          bubbles: true,
          cancelable: true,
          clientX: box.left + 5,
          clientY: box.top + 5,
        }),
      );
    },
    [payload, name, type] as const,
  );
}
