import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workflowListSchema } from '../../protocol/wireSchemas';
import { DEFAULT_WORKFLOW_NAME } from '../../protocol/workflowNames';
import { startTestStudio } from '../support/testStudio';

let studio: Awaited<ReturnType<typeof startTestStudio>>;
const workflow = {
  last_node_id: 0,
  last_link_id: 0,
  nodes: [],
  links: [],
  groups: [],
  config: {},
  extra: { note: 'é' },
  version: 0.4,
};
const put = (name: string, body: unknown, query = '') =>
  fetch(`${studio.url}/api/workflows/${encodeURIComponent(name)}${query}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
const list = async () => workflowListSchema.parse(await (await fetch(`${studio.url}/api/workflows`)).json());

beforeAll(async () => {
  studio = await startTestStudio();
});
afterAll(async () => {
  await studio.close();
});

describe('/api/workflows', () => {
  it('lists the shipped default read-only and serves it', async () => {
    const items = await list();
    expect(items.find((i) => i.name === DEFAULT_WORKFLOW_NAME)).toMatchObject({
      source: 'shipped',
      readOnly: true,
    });
    const body = (await (await fetch(`${studio.url}/api/workflows/${DEFAULT_WORKFLOW_NAME}`)).json()) as {
      version: number;
    };
    expect(body.version).toBe(0.4);
  });

  it('saves, reads, lists and deletes a user workflow atomically', async () => {
    expect((await put('My portrait (v2)', workflow)).status).toBe(200);
    const file = path.join(studio.dirs.user, 'workflows', 'My portrait (v2).json');
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(workflow);
    expect(await readdir(path.dirname(file))).toEqual(['My portrait (v2).json']);
    expect(
      await (
        await fetch(`${studio.url}/api/workflows/${encodeURIComponent('My portrait (v2).json')}`)
      ).json(),
    ).toEqual(workflow);
    expect((await list()).find((i) => i.name === 'My portrait (v2)')).toMatchObject({
      source: 'user',
      readOnly: false,
    });
    expect((await put('My portrait (v2)', workflow, '?overwrite=false')).status).toBe(409);
    const del = await fetch(`${studio.url}/api/workflows/${encodeURIComponent('My portrait (v2)')}`, {
      method: 'DELETE',
    });
    expect(del.status).toBe(200);
    expect(
      (await fetch(`${studio.url}/api/workflows/${encodeURIComponent('My portrait (v2)')}`)).status,
    ).toBe(404);
  });

  it.each(['../escape', '..', '.hidden', 'a/b', 'x'.repeat(101)])('refuses the name %s', async (name) => {
    const response = await put(name, workflow);
    expect([400, 404]).toContain(response.status);
    expect(await readdir(path.join(studio.dirs.user, 'workflows'))).toEqual([]);
  });

  it('keeps shipped workflows read-only and checks the body', async () => {
    expect((await put('txt2img', workflow)).status).toBe(403);
    expect((await fetch(`${studio.url}/api/workflows/txt2img`, { method: 'DELETE' })).status).toBe(403);
    expect((await put('broken', { nodes: 'no' })).status).toBe(400);
  });
});
