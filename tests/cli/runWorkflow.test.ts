import { execFile } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../server/config';
import { decodeImage } from '../../server/image/imageIO';
import { runWorkflowFile } from '../../server/cli/workflowRunner';
import { readPngTextChunks } from '../../protocol/pngTextChunks';
import { tempRoot } from '../support/testStudio';

const run = promisify(execFile);
const invertUi = path.join(repoRoot, 'tests', 'fixtures', 'workflows', 'image-invert.json');

describe('npm run workflow', () => {
  it('runs the UI workflow into --out, embedding the workflow, and re-runs its own PNG', async () => {
    const root = await tempRoot('studio-cli-');
    const lines: string[] = [];
    const options = {
      outDir: path.join(root, 'out'),
      dataDir: path.join(root, 'data'),
      modelsDir: path.join(root, 'models'),
      executionProvider: 'cpu' as const,
      runStartupTasks: false,
    };
    const result = await runWorkflowFile(invertUi, options, (line) => lines.push(line));
    expect(result.ok).toBe(true);
    expect(lines).toEqual([
      '[1 EmptyImage] running',
      '[2 ImageInvert] running',
      '[3 ImageScale] running',
      '[4 SaveImage] running',
      `wrote ${path.join(root, 'out', 'InversionStudio_00001_.png')}`,
      'done',
    ]);
    const png = await readFile(result.files[0]);
    expect(JSON.parse(readPngTextChunks(png).workflow)).toEqual(JSON.parse(await readFile(invertUi, 'utf8')));
    expect((await decodeImage(png)).shape).toEqual([1, 256, 256, 3]);

    const again = await runWorkflowFile(result.files[0], options, () => undefined);
    expect(again.ok).toBe(true);
    expect(await readdir(path.join(root, 'out'))).toEqual([
      'InversionStudio_00001_.png',
      'InversionStudio_00002_.png',
    ]);
  });

  it('reports validation errors per node and fails', async () => {
    const root = await tempRoot('studio-cli-');
    const file = path.join(root, 'broken.json');
    await writeFile(
      file,
      JSON.stringify({
        '1': { class_type: 'EmptyImage', inputs: { width: -4, height: 8, batch_size: 1, color: 0 } },
        '2': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 'x' } },
      }),
    );
    const lines: string[] = [];
    const result = await runWorkflowFile(
      file,
      {
        dataDir: path.join(root, 'data'),
        modelsDir: path.join(root, 'models'),
        executionProvider: 'cpu',
        runStartupTasks: false,
      },
      (l) => lines.push(l),
    );
    expect(result.ok).toBe(false);
    expect(lines).toEqual([
      'error: prompt_outputs_failed_validation: Prompt outputs failed validation',
      '  node 1 (EmptyImage): value_smaller_than_min: Value -4 smaller than min of 1 — width: use a value of at least 1',
    ]);
  });

  it('exits 0 on success and non-zero with the error on failure (real process)', async () => {
    const root = await tempRoot('studio-cli-');
    const args = ['--import', 'tsx', path.join(repoRoot, 'server/cli/runWorkflow.ts')];
    const common = [
      '--data-dir',
      path.join(root, 'data'),
      '--models-dir',
      path.join(root, 'models'),
      '--execution-provider',
      'cpu',
    ];
    const ok = await run(process.execPath, [...args, invertUi, '--out', path.join(root, 'out'), ...common], {
      cwd: repoRoot,
    });
    expect(ok.stdout).toContain('done');
    const failure = await run(process.execPath, [...args, path.join(root, 'missing.json'), ...common], {
      cwd: repoRoot,
    }).catch((err: { code: number; stdout: string }) => err);
    expect('code' in failure && failure.code).toBe(1);
    expect(failure.stdout).toMatch(/error: .*missing\.json/);
  });
});
