import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkpointPath, listCheckpoints } from './checkpointRegistry';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'checkpoints-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const touch = (...parts: string[]) => {
  fs.mkdirSync(path.join(dir, ...parts.slice(0, -1)), { recursive: true });
  fs.writeFileSync(path.join(dir, ...parts), '');
};

describe('checkpoint listing', () => {
  it('lists checkpoint files and model folders (not their insides), sorted, with forward slashes', () => {
    touch('b.safetensors');
    touch('old', 'a.ckpt');
    touch('notes.txt');
    touch('.hidden.safetensors');
    touch('pipe', 'model_index.json');
    touch('pipe', 'unet', 'diffusion_pytorch_model.safetensors');
    for (const part of ['text_encoder', 'unet', 'vae_decoder'])
      touch('exports', 'sd15-onnx', part, 'model.onnx');
    expect(listCheckpoints(dir)).toEqual(['b.safetensors', 'exports/sd15-onnx', 'old/a.ckpt', 'pipe']);
  });

  it('resolves names inside the folder only', () => {
    expect(checkpointPath(dir, 'old/a.ckpt')).toBe(path.join(dir, 'old', 'a.ckpt'));
    expect(() => checkpointPath(dir, '../escape.safetensors')).toThrow(/outside/);
    expect(() => checkpointPath(dir, 'nope.safetensors')).toThrow(/not found.*pick one from the list/);
  });
});
