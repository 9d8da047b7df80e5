import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeOutputFiles, writeScoresFile } from './scoresFile';

describe('writeScoresFile', () => {
  it('numbers files after the highest counter, in subfolders, as JSON', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'scores-'));
    await writeFile(path.join(root, 'scores_00007_.png'), '');
    expect(await writeScoresFile(root, 'scores', { clip_i: 0.5 })).toEqual({
      filename: 'scores_00008_.json',
      subfolder: '',
      type: 'output',
    });
    expect(await writeScoresFile(root, 'runs/cat', { clip_t: 0.25 })).toEqual({
      filename: 'cat_00001_.json',
      subfolder: 'runs',
      type: 'output',
    });
    expect(JSON.parse(await readFile(path.join(root, 'runs', 'cat_00001_.json'), 'utf8'))).toEqual({
      clip_t: 0.25,
    });
    // the temp file was renamed away
    expect((await readdir(root)).sort()).toEqual(['runs', 'scores_00007_.png', 'scores_00008_.json']);
  });

  it('refuses a prefix that leaves the output folder', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'scores-'));
    await expect(writeScoresFile(root, '../escape', {})).rejects.toThrow(
      'filename_prefix "../escape" would save outside the output folder',
    );
  });

  it('writes a set of files with one counter, after the highest one of any extension', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'scores-'));
    await writeFile(path.join(root, 'curve_00002_.json'), '');
    const refs = await writeOutputFiles(root, 'curve', [
      { extension: 'png', data: new Uint8Array([1, 2]) },
      { extension: 'csv', data: 'step\n1\n' },
    ]);
    expect(refs.map((r) => r.filename)).toEqual(['curve_00003_.png', 'curve_00003_.csv']);
    expect(await readFile(path.join(root, 'curve_00003_.csv'), 'utf8')).toBe('step\n1\n');
    expect([...(await readFile(path.join(root, 'curve_00003_.png')))]).toEqual([1, 2]);
  });
});
