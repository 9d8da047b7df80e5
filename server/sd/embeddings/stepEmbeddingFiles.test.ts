import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  listStepEmbeddingFiles,
  removeStepEmbeddingFilesAfter,
  stepEmbeddingFileName,
  stepOfEmbeddingFileName,
} from './stepEmbeddingFiles';

function folderWith(names: readonly string[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'step-embeds-'));
  for (const name of names) fs.writeFileSync(path.join(dir, name), '');
  return dir;
}

describe('per-step embedding files', () => {
  it.each([
    ['learned_embeds-steps-500.safetensors', 500],
    ['learned_embeds-steps-0.safetensors', 0],
    ['learned_embeds.safetensors', undefined],
    ['learned_embeds-steps-12.bin', undefined],
    ['learned_embeds-steps-x.safetensors', undefined],
    ['.learned_embeds-steps-5.safetensors.ab12.tmp', undefined],
  ])('%s holds step %s', (name, step) => {
    expect(stepOfEmbeddingFileName(name)).toBe(step);
  });

  it('names a step as diffusers does and refuses a non-integer step', () => {
    expect(stepEmbeddingFileName(20)).toBe('learned_embeds-steps-20.safetensors');
    expect(() => stepEmbeddingFileName(1.5)).toThrow('step 1.5 is not a whole step count');
  });

  it('lists the step files sorted by step (numerically) and ignores other files', async () => {
    const dir = folderWith([
      'learned_embeds-steps-100.safetensors',
      'learned_embeds-steps-20.safetensors',
      'checkpoint.json',
      'learned_embeds.safetensors',
      'learned_embeds-steps-3.safetensors',
    ]);
    expect(await listStepEmbeddingFiles(dir)).toEqual([
      { step: 3, file: path.join(dir, 'learned_embeds-steps-3.safetensors') },
      { step: 20, file: path.join(dir, 'learned_embeds-steps-20.safetensors') },
      { step: 100, file: path.join(dir, 'learned_embeds-steps-100.safetensors') },
    ]);
    expect(await listStepEmbeddingFiles(path.join(dir, 'missing'))).toEqual([]);
  });

  it('removes only the step files after a step', async () => {
    const dir = folderWith([
      'learned_embeds-steps-5.safetensors',
      'learned_embeds-steps-10.safetensors',
      'learned_embeds-steps-15.safetensors',
      'checkpoint.json',
    ]);
    await removeStepEmbeddingFilesAfter(dir, 10);
    expect(fs.readdirSync(dir).sort()).toEqual([
      'checkpoint.json',
      'learned_embeds-steps-10.safetensors',
      'learned_embeds-steps-5.safetensors',
    ]);
  });
});
