import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeScoresFile } from './scoresFile';

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
});
