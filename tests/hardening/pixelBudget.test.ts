/** Issue 14.3: the pixel budget is checked at validation time, and a failed prompt gives its memory back. */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCliArgs } from '../../server/config';
import { postJson, startTestStudio } from '../support/testStudio';
import { queuePrompt, type TestStudio, waitForHistory } from '../support/trainingStudio';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

let studio: TestStudio;
beforeAll(async () => {
  studio = await startTestStudio();
});
afterAll(async () => {
  await studio.close();
});

const emptyImage = (width: number, height: number, batch = 1) => ({
  '1': { class_type: 'EmptyImage', inputs: { width, height, batch_size: batch, color: 0 } },
  '2': { class_type: 'PreviewImage', inputs: { images: ['1', 0] } },
});

describe('default budget (8192² × 4 values)', () => {
  it.each([
    ['EmptyImage 16384 × 16384', emptyImage(16384, 16384)],
    ['EmptyImage 4096 × 4096 × 8', emptyImage(4096, 4096, 8)],
    [
      'EmptyLatentImage 16384 × 16384',
      {
        '1': { class_type: 'EmptyLatentImage', inputs: { width: 16384, height: 16384, batch_size: 1 } },
        '2': { class_type: 'PreviewImage', inputs: { images: ['1', 0] } },
      },
    ],
  ])('refuses %s before allocating anything', async (_what, prompt) => {
    const rss = process.memoryUsage().rss;
    const started = Date.now();
    const response = await postJson(`${studio.url}/prompt`, { prompt });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(response.status).toBe(400);
    const body = (await response.json()) as {
      node_errors: Record<string, { errors: { type: string; details: string }[] }>;
    };
    const error = body.node_errors['1']?.errors[0];
    expect(error?.type).toBe('value_bigger_than_max');
    expect(error?.details).toContain('--max-pixels');
    expect(process.memoryUsage().rss - rss).toBeLessThan(64 * 1024 * 1024);
    expect(studio.queue.remaining()).toBe(0);
  });
});

describe('--max-pixels', () => {
  it('parses and sets the budget', async () => {
    expect(parseCliArgs(['--max-pixels', '3000']).maxPixels).toBe(3000);
    expect(() => parseCliArgs(['--max-pixels', '-1'])).toThrow('--max-pixels -1');
    const small = await startTestStudio({ maxPixels: 3000 });
    try {
      expect((await postJson(`${small.url}/prompt`, { prompt: emptyImage(32, 32) })).status).toBe(400);
      expect((await postJson(`${small.url}/prompt`, { prompt: emptyImage(31, 32) })).status).toBe(200);
    } finally {
      await small.close();
    }
  });
});

describe('memory after a failed node', () => {
  it('frees the failed prompt’s intermediates', async () => {
    gc();
    const before = process.memoryUsage().rss;
    // 2048² × 6 × 3 float32 values = 302 MB, then SaveImage refuses the prefix
    const id = await queuePrompt(studio, {
      '1': { class_type: 'EmptyImage', inputs: { width: 2048, height: 2048, batch_size: 6, color: 0 } },
      '2': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: '../escape' } },
    });
    const item = await waitForHistory(studio, id);
    expect(item.status.status_str).toBe('error');
    expect(studio.executor.cache.size).toBe(0);
    // array buffers are released by V8's background sweeper after a collection
    let grown = Infinity;
    for (let i = 0; i < 20 && grown >= 100 * 1024 * 1024; i += 1) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 100));
      grown = process.memoryUsage().rss - before;
    }
    expect(grown).toBeLessThan(100 * 1024 * 1024);
  });
});
