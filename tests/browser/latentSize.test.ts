/**
 * An Empty Latent Image size the sampler's UNet cannot use (16 × 16 gives a 2 × 2 latent) is refused when
 * queueing, on the node, with the value and a size that works, instead of failing in KSampler at run time;
 * fixing the value takes the error off the node.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { historySchema } from '../../protocol/wireSchemas';
import {
  screenshot,
  openStudioPage,
  typeIntoNumberWidget,
  waitInPage,
  type BrowserStudio,
  openLibraryWorkflow,
} from './browserHarness';

const LATENT = 5;
let h: BrowserStudio;

const historyLength = async () =>
  Object.keys(historySchema.parse(await (await fetch(`${h.studio.url}/api/history`)).json())).length;

beforeAll(async () => {
  h = await openStudioPage();
  await openLibraryWorkflow(h.page, 'txt2img');
  await waitInPage(h.page, 'txt2img is open', () => window.studio!.graph.nodes.length === 7, null);
});

afterAll(async () => {
  await h?.close();
});

describe('latent size', () => {
  it('refuses a 16 px wide latent at queue time, naming the value and a size that works', async () => {
    await typeIntoNumberWidget(h.page, LATENT, 'width', 16);
    await h.page.getByTestId('queue-button').click();
    await waitInPage(
      h.page,
      'Empty Latent Image shows an error',
      (id) => window.studio!.nodeState(id).errors.length > 0,
      LATENT,
    );
    const errors = await h.page.evaluate((id) => window.studio!.nodeState(id).errors, LATENT);
    expect(errors).toEqual([
      'Image size the sampler cannot use: width 16 px cannot be sampled: the UNet needs multiples of 32 px ' +
        '(64 px for SD 1.x/2.x): use a width that is a multiple of 32 (e.g. 32)',
    ]);
    await expect(h.page.getByText('Prompt not queued').isVisible()).resolves.toBe(true);
    await screenshot(h.page, 'latent-size-refused');
    expect(await historyLength()).toBe(0);

    await typeIntoNumberWidget(h.page, LATENT, 'width', 64);
    await waitInPage(
      h.page,
      'the edit takes the error off Empty Latent Image',
      (id) => window.studio!.nodeState(id).errors.length === 0,
      LATENT,
    );
    await h.page.getByTestId('queue-button').click();
    await expect.poll(historyLength, { timeout: 60_000 }).toBe(1);
  });
});
