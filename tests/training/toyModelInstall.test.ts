/**
 * The default start-up task copies the embedded toy models from the repo's models/ into another models
 * folder: every file it lacks (checkpoints of the SD 1.x model and its SD 2.x twin, their tokenizers, the scoring
 * CLIP, and the toy-ring embedding where one ships), never one it has; nothing when it is the shipped folder; a message naming the fix when the shipped
 * checkpoint is missing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../server/config';
import { resolveStudioDirs } from '../../server/storage/studioDirs';
import { runStartupTasks, SHIPPED_MODELS_DIR } from '../../server/startupTasks';
import { installToyModels, toyModelFiles } from '../../server/training/toy/toyModelFiles';
import { tempRoot } from '../support/testStudio';

/** A shipped folder with stand-in files (their bytes are their names). */
function fakeShipped(root: string, files: readonly string[]): string {
  const dir = path.join(root, 'shipped');
  for (const file of files) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), file);
  }
  return dir;
}

const MODEL_FILES = [
  'checkpoints/toy-shapes.safetensors',
  'clip/toy-shapes-clip/config.json',
  'clip/toy-shapes-clip/model.safetensors',
  'tokenizers/toy-shapes/merges.txt',
  'tokenizers/toy-shapes/vocab.json',
  // the SD 2.x twin
  'checkpoints/toy-shapes-sd2.safetensors',
  'tokenizers/toy-shapes-sd2/merges.txt',
  'tokenizers/toy-shapes-sd2/vocab.json',
];

describe('installToyModels', () => {
  it('copies every file the target lacks, the toy-ring embedding included, and keeps the ones it has', async () => {
    const root = await tempRoot('toy-install-');
    const shipped = fakeShipped(root, [...MODEL_FILES, 'embeddings/toy-ring.safetensors']);
    const target = path.join(root, 'models');
    fs.mkdirSync(path.join(target, 'clip', 'toy-shapes-clip'), { recursive: true });
    fs.writeFileSync(path.join(target, 'clip', 'toy-shapes-clip', 'config.json'), 'mine');

    const copied = await installToyModels(target, shipped);
    expect(copied.sort()).toEqual(
      [...MODEL_FILES, 'embeddings/toy-ring.safetensors']
        .filter((f) => f !== 'clip/toy-shapes-clip/config.json')
        .map((f) => path.normalize(f))
        .sort(),
    );
    for (const file of copied) expect(fs.readFileSync(path.join(target, file), 'utf8')).toBe(file);
    expect(fs.readFileSync(path.join(target, 'clip', 'toy-shapes-clip', 'config.json'), 'utf8')).toBe('mine');
    expect(await installToyModels(target, shipped)).toEqual([]);
  });

  it('lists no embedding where none ships, and copies nothing into the shipped folder itself', async () => {
    const root = await tempRoot('toy-install-');
    const shipped = fakeShipped(root, MODEL_FILES);
    expect(toyModelFiles(shipped).sort()).toEqual(MODEL_FILES.map((f) => path.normalize(f)).sort());
    expect(await installToyModels(shipped, shipped)).toEqual([]);
  });

  it('names the fix when the shipped checkpoint is missing', async () => {
    const root = await tempRoot('toy-install-');
    await expect(installToyModels(path.join(root, 'models'), path.join(root, 'nothing'))).rejects.toThrow(
      /toy-shapes\.safetensors is missing; restore it with git or rebuild it with `npm run models:toy`/,
    );
  });

  it('is what the default start-up runs: the repo’s toy models appear in a fresh models folder', async () => {
    const root = await tempRoot('toy-install-');
    const dirs = resolveStudioDirs(path.join(root, 'data'), path.join(root, 'models'));
    await runStartupTasks({ dirs, executionProvider: 'cpu', log: silentLogger });
    for (const file of toyModelFiles(SHIPPED_MODELS_DIR)) {
      expect(fs.statSync(path.join(dirs.models, file)).size).toBe(
        fs.statSync(path.join(SHIPPED_MODELS_DIR, file)).size,
      );
    }
    // five example images, each with its caption file
    expect(fs.readdirSync(path.join(dirs.input, 'ti-examples')).sort()).toEqual(
      [1, 2, 3, 4, 5].flatMap((i) => [`ring-${i}.png`, `ring-${i}.txt`]),
    );
  });
});
