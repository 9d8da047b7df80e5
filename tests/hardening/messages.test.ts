/** Issue 14.11: messages name the value and the file, and a failed node is logged on the server. */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { StudioLogger } from '../../server/config';
import { startTestStudio } from '../support/testStudio';
import { errorMessageOf, queuePrompt, type TestStudio, waitForHistory } from '../support/trainingStudio';

const logged: string[] = [];
const logger: StudioLogger = {
  info: () => undefined,
  warn: (message) => logged.push(message),
  error: (message) => logged.push(message),
};

let studio: TestStudio;
beforeAll(async () => {
  studio = await startTestStudio({ logger });
  await writeFile(path.join(studio.dirs.input, 'broken.png'), 'not a png at all');
});
afterAll(async () => {
  await studio.close();
});

it('1e999 is reported as a number too large, not as null', async () => {
  const response = await fetch(`${studio.url}/prompt`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"prompt": {"1": {"class_type": "EmptyImage", "inputs": {"width": 1e999, "height": 8, "batch_size": 1, "color": 0}}, "2": {"class_type": "PreviewImage", "inputs": {"images": ["1", 0]}}}}',
  });
  expect(response.status).toBe(400);
  const body = (await response.json()) as { node_errors: Record<string, { errors: { details: string }[] }> };
  const details = body.node_errors['1']?.errors[0]?.details;
  expect(details).toBe('width, a number too large to represent (e.g. 1e999) is not a valid INT');
});

it('a corrupt LoadImage file is named in the error and the failure is logged', async () => {
  const id = await queuePrompt(studio, {
    '1': { class_type: 'LoadImage', inputs: { image: 'broken.png' } },
    '2': { class_type: 'PreviewImage', inputs: { images: ['1', 0] } },
  });
  const message = errorMessageOf(await waitForHistory(studio, id));
  expect(message).toContain('image "broken.png" in the input folder could not be decoded');
  expect(message).not.toContain(studio.root);
  expect(
    logged.some((line) => line.includes(`prompt ${id}: node 1 (LoadImage) failed: image "broken.png"`)),
  ).toBe(true);
});
