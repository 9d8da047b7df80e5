import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PreviewKeeper } from './previewKeeper';

let temp: string;

beforeEach(async () => {
  temp = await mkdtemp(path.join(tmpdir(), 'preview-keeper-'));
});

afterEach(async () => {
  await rm(temp, { recursive: true, force: true });
});

const jpeg = (byte: number) => ({ format: 'JPEG' as const, data: new Uint8Array([0xff, 0xd8, byte]) });

describe('PreviewKeeper', () => {
  it('writes each preview under temp/previews/<prompt>/ and lists it with its step', async () => {
    const keeper = new PreviewKeeper(temp);
    keeper.keep('p1', { node: '3', step: 25 }, jpeg(1));
    keeper.keep('p1', { node: '3', step: 50 }, { format: 'PNG', data: new Uint8Array([0x89, 2]) });
    const kept = await keeper.collect('p1');
    expect(kept?.['3']?.map((p) => [p.subfolder, p.type, p.step, path.extname(p.filename)])).toEqual([
      ['previews/p1', 'temp', 25, '.jpg'],
      ['previews/p1', 'temp', 50, '.png'],
    ]);
    const first = kept!['3']![0]!;
    expect([...(await readFile(path.join(temp, first.subfolder, first.filename)))]).toEqual([0xff, 0xd8, 1]);
    await expect(keeper.collect('p1')).resolves.toBeUndefined();
  });

  it('keeps at most maxPerNode, dropping every second one so the kept steps span the run', async () => {
    const keeper = new PreviewKeeper(temp, undefined, 4);
    for (let step = 1; step <= 7; step++) keeper.keep('p', { node: '5', step }, jpeg(step));
    const kept = await keeper.collect('p');
    // the 5th preview thins 1–5 to 1, 3, 5; 6 fits; the 7th thins 1, 3, 5, 6, 7 to 1, 5, 7
    expect(kept?.['5']?.map((p) => p.step)).toEqual([1, 5, 7]);
    await expect.poll(async () => (await readdir(path.join(temp, 'previews', 'p'))).length).toBe(3);
  });

  it('never writes outside temp/previews, whatever the prompt and node ids', async () => {
    const keeper = new PreviewKeeper(temp);
    keeper.keep('../../escape', { node: '../n', step: 1 }, jpeg(9));
    const [preview] = (await keeper.collect('../../escape'))!['../n']!;
    expect(preview!.subfolder).toMatch(/^previews\/[0-9a-f]{32}$/);
    expect(preview!.filename).toMatch(/^[0-9a-f]{32}-1-\d+\.jpg$/);
    expect(await readdir(temp)).toEqual(['previews']);
  });
});
