import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uploadResultSchema } from '../../protocol/wireSchemas';
import { postJson, startTestStudio, WsRecorder } from '../support/testStudio';

let studio: Awaited<ReturnType<typeof startTestStudio>>;
let png: Buffer;

function uploadForm(name: string, bytes: Uint8Array, fields: Record<string, string> = {}): FormData {
  const form = new FormData();
  form.append('image', new Blob([Uint8Array.from(bytes)], { type: 'image/png' }), name);
  for (const [key, value] of Object.entries(fields)) form.append(key, value);
  return form;
}

async function upload(
  name: string,
  bytes: Uint8Array,
  fields: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${studio.url}/upload/image`, { method: 'POST', body: uploadForm(name, bytes, fields) });
}

beforeAll(async () => {
  studio = await startTestStudio({ maxUploadBytes: 4096 });
  png = await sharp(Buffer.from([1, 2, 3]), { raw: { width: 1, height: 1, channels: 3 } })
    .png()
    .toBuffer();
  await writeFile(path.join(studio.root, 'data', 'secret.txt'), 'do not serve');
});
afterAll(async () => {
  await studio.close();
});

describe('/view stays inside its folders', () => {
  it.each([
    [{ filename: '../secret.txt', type: 'output' }, 400],
    [{ filename: '..', subfolder: '', type: 'input' }, 400],
    [{ filename: '/etc/passwd' }, 400],
    [{ filename: 'secret.txt', subfolder: '..', type: 'output' }, 403],
    [{ filename: 'secret.txt', subfolder: '../../data', type: 'temp' }, 403],
    [{ filename: 'passwd', subfolder: '/etc' }, 403],
    [{ filename: 'secret.txt', type: 'models' }, 400],
    [{ filename: 'missing.png', type: 'output' }, 404],
  ])('%j → %i', async (query, status) => {
    const response = await fetch(`${studio.url}/view?${new URLSearchParams(query)}`);
    expect(response.status).toBe(status);
    expect(await response.text()).not.toContain('do not serve');
  });

  it('serves a file that is inside', async () => {
    const response = await upload('inside.png', png);
    const ref = uploadResultSchema.parse(await response.json());
    const view = await fetch(
      `${studio.url}/view?${new URLSearchParams({ filename: ref.name, type: 'input' })}`,
    );
    expect(view.status).toBe(200);
    expect(Buffer.from(await view.arrayBuffer()).equals(png)).toBe(true);
  });
});

describe('/upload/image', () => {
  it('stores into input/, renames on conflict, reuses identical files', async () => {
    const first = uploadResultSchema.parse(await (await upload('cat.png', png)).json());
    expect(first).toEqual({ name: 'cat.png', subfolder: '', type: 'input' });
    const same = uploadResultSchema.parse(await (await upload('cat.png', png)).json());
    expect(same.name).toBe('cat.png');
    const other = await sharp(Buffer.from([9, 9, 9]), { raw: { width: 1, height: 1, channels: 3 } })
      .png()
      .toBuffer();
    const renamed = uploadResultSchema.parse(await (await upload('cat.png', other)).json());
    expect(renamed.name).toBe('cat (1).png');
    const overwritten = uploadResultSchema.parse(
      await (await upload('cat.png', other, { overwrite: 'true' })).json(),
    );
    expect(overwritten.name).toBe('cat.png');
    expect((await readFile(path.join(studio.dirs.input, 'cat.png'))).equals(other)).toBe(true);
    const nested = uploadResultSchema.parse(
      await (await upload('dog.png', png, { subfolder: 'pets/dogs', type: 'temp' })).json(),
    );
    expect(nested).toEqual({ name: 'dog.png', subfolder: 'pets/dogs', type: 'temp' });
  });

  it.each([
    [{ subfolder: '../../escape' }, 400],
    [{ subfolder: '/tmp' }, 400],
    [{ type: 'models' }, 400],
  ])('refuses %j', async (fields, status) => {
    const response = await upload('x.png', png, fields);
    expect(response.status).toBe(status);
  });

  it('refuses traversal in the file name, non-images and oversized bodies', async () => {
    const dots = await upload('..', png);
    expect(dots.status).toBe(400);
    const text = await upload('note.png', Buffer.from('plain text'));
    expect(text.status).toBe(400);
    expect(((await text.json()) as { error: { type: string } }).error.type).toBe('invalid_image');
    const big = await upload('big.png', new Uint8Array(8192));
    expect(big.status).toBe(413);
    const missing = await fetch(`${studio.url}/upload/image`, { method: 'POST', body: new FormData() });
    expect(missing.status).toBe(400);
    // Nothing landed outside input/ and temp/ ('../../escape' from data/input would be <root>/escape).
    expect((await readdir(studio.root)).sort()).toEqual(['data', 'models']);
    expect(await readdir(path.join(studio.root, 'data'))).not.toContain('x.png');
  });
});

describe('Origin check', () => {
  it('refuses a cross-origin POST with 403 and allows same-origin and origin-less ones', async () => {
    const prompt = { '1': { class_type: 'EmptyImage', inputs: {} } };
    const evil = await postJson(`${studio.url}/prompt`, { prompt }, { origin: 'http://evil.example' });
    expect(evil.status).toBe(403);
    expect(((await evil.json()) as { error: { details: string } }).error.details).toMatch(
      /--enable-cors-header/,
    );
    const same = await postJson(`${studio.url}/prompt`, { prompt }, { origin: studio.url });
    expect(same.status).toBe(400);
    const none = await postJson(`${studio.url}/prompt`, { prompt });
    expect(none.status).toBe(400);
    const read = await fetch(`${studio.url}/queue`, { headers: { origin: 'http://evil.example' } });
    expect(read.status).toBe(200);
    await expect(WsRecorder.open(studio.url, 'evil', { origin: 'http://evil.example' })).rejects.toThrow(
      /403/,
    );
  });

  it('adds CORS headers instead when --enable-cors-header is set', async () => {
    const open = await startTestStudio({ enableCorsHeader: 'http://tool.example' });
    try {
      const response = await postJson(`${open.url}/interrupt`, {}, { origin: 'http://tool.example' });
      expect(response.status).toBe(200);
      expect(response.headers.get('access-control-allow-origin')).toBe('http://tool.example');
      const preflight = await fetch(`${open.url}/prompt`, {
        method: 'OPTIONS',
        headers: { origin: 'http://tool.example' },
      });
      expect(preflight.status).toBe(204);
    } finally {
      await open.close();
    }
  });
});
