/** Issue 14.4: bad input never gets a 5xx, an absolute path or a stack trace back. */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestStudio } from '../support/testStudio';
import type { TestStudio } from '../support/trainingStudio';

let studio: TestStudio;
let png: Buffer;
beforeAll(async () => {
  studio = await startTestStudio();
  await mkdir(path.join(studio.dirs.input, 'ti-examples'));
  png = await sharp(Buffer.from([1, 2, 3]), { raw: { width: 1, height: 1, channels: 3 } })
    .png()
    .toBuffer();
});
afterAll(async () => {
  await studio.close();
});

function form(names: string[]): FormData {
  const body = new FormData();
  for (const name of names)
    body.append('image', new Blob([Uint8Array.from(png)], { type: 'image/png' }), name);
  return body;
}

const requests: [string, number, () => Promise<Response>][] = [
  [
    'upload named like a folder',
    200,
    () => fetch(`${studio.url}/upload/image`, { method: 'POST', body: form(['ti-examples']) }),
  ],
  [
    'upload with a 255-byte name',
    400,
    () => fetch(`${studio.url}/upload/image`, { method: 'POST', body: form([`${'a'.repeat(251)}.png`]) }),
  ],
  [
    'upload into a 300-byte subfolder',
    400,
    () => {
      const body = form(['x.png']);
      body.append('subfolder', 'b'.repeat(300));
      return fetch(`${studio.url}/upload/image`, { method: 'POST', body });
    },
  ],
  [
    'two files in one upload',
    400,
    () => fetch(`${studio.url}/upload/image`, { method: 'POST', body: form(['a.png', 'b.png']) }),
  ],
  [
    'a body that is not multipart',
    400,
    () =>
      fetch(`${studio.url}/upload/image`, {
        method: 'POST',
        headers: { 'content-type': 'multipart/form-data; boundary=zz' },
        body: 'this is not a multipart body',
      }),
  ],
  [
    'a workflow name of 64 × U+20000',
    400,
    () =>
      fetch(`${studio.url}/api/workflows/${encodeURIComponent('\u{20000}'.repeat(64))}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ nodes: [], links: [], version: 0.4 }),
      }),
  ],
  ['a bad percent-encoding', 400, () => fetch(`${studio.url}/api/workflows/%E0%A4%A`)],
  ['an unknown route', 404, () => fetch(`${studio.url}/api/nothing-here`)],
];

it.each(requests)('%s → %i, JSON, no path or stack', async (_what, status, send) => {
  const response = await send();
  const text = await response.text();
  expect(response.status).toBe(status);
  expect(text).not.toContain(studio.root);
  expect(text).not.toMatch(/\n\s+at |node_modules/);
  const body = JSON.parse(text) as { error?: { type: string; message: string } };
  if (status >= 400) expect(body.error?.type).toEqual(expect.any(String));
});
