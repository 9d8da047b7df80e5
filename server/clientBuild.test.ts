import { mkdir, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { mkdtemp } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { isClientBuildStale } from './clientBuild';

async function fakeClient(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'client-'));
  await mkdir(path.join(dir, 'src', 'components'), { recursive: true });
  await writeFile(path.join(dir, 'index.html'), '<div id="app"></div>');
  await writeFile(path.join(dir, 'src', 'components', 'Canvas.vue'), '<template />');
  return dir;
}

const at = async (file: string, seconds: number) => utimes(file, seconds, seconds);

describe('isClientBuildStale', () => {
  it('is stale without a build, fresh after one, stale again when a nested source changes', async () => {
    const dir = await fakeClient();
    await at(path.join(dir, 'index.html'), 1000);
    await at(path.join(dir, 'src', 'components', 'Canvas.vue'), 1000);
    expect(await isClientBuildStale(dir)).toBe(true);
    await mkdir(path.join(dir, 'dist'));
    await writeFile(path.join(dir, 'dist', 'index.html'), 'built');
    await at(path.join(dir, 'dist', 'index.html'), 2000);
    expect(await isClientBuildStale(dir)).toBe(false);
    await at(path.join(dir, 'src', 'components', 'Canvas.vue'), 3000);
    expect(await isClientBuildStale(dir)).toBe(true);
  });

  it('counts extra sources (server modules the client imports)', async () => {
    const dir = await fakeClient();
    await mkdir(path.join(dir, 'dist'));
    await writeFile(path.join(dir, 'dist', 'index.html'), 'built');
    await at(path.join(dir, 'index.html'), 1000);
    await at(path.join(dir, 'src', 'components', 'Canvas.vue'), 1000);
    await at(path.join(dir, 'dist', 'index.html'), 2000);
    const shared = path.join(dir, 'wireSchemas.ts');
    await writeFile(shared, 'export {}');
    await at(shared, 1500);
    expect(await isClientBuildStale(dir, [shared])).toBe(false);
    await at(shared, 2500);
    expect(await isClientBuildStale(dir, [shared])).toBe(true);
  });
});
