import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { contentKey } from './contentKey';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'content-key-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A 3 MiB file of deterministic bytes (larger than the hashed head, so chunks are sampled). */
function makeFile(name: string, edit?: (bytes: Uint8Array) => void): string {
  const bytes = new Uint8Array(3 << 20);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 2654435761) >>> 24;
  edit?.(bytes);
  const file = path.join(dir, name);
  fs.writeFileSync(file, bytes);
  return file;
}

describe('contentKey', () => {
  const base = contentKey(makeFile('a.bin'));

  it('depends on content, not on the file name', () => {
    expect(contentKey(makeFile('b.bin'))).toBe(base);
  });

  it('changes with a byte in the head, in a sampled chunk, or with the size', () => {
    expect(contentKey(makeFile('c.bin', (b) => (b[100] ^= 1)))).not.toBe(base);
    // chunk 8 of 16 starts at (size - 64 KiB) / 2
    const middle = Math.floor(((3 << 20) - (64 << 10)) / 2) + 10;
    expect(contentKey(makeFile('d.bin', (b) => (b[middle] ^= 1)))).not.toBe(base);
    const longer = path.join(dir, 'e.bin');
    fs.writeFileSync(longer, Buffer.concat([fs.readFileSync(path.join(dir, 'a.bin')), Buffer.from([0])]));
    expect(contentKey(longer)).not.toBe(base);
  });

  it('mixes in the extra strings and, for folders, the relative paths', () => {
    expect(contentKey(path.join(dir, 'a.bin'), ['configs'])).not.toBe(base);
    const folder = path.join(dir, 'folder');
    fs.mkdirSync(path.join(folder, 'unet'), { recursive: true });
    fs.copyFileSync(path.join(dir, 'a.bin'), path.join(folder, 'unet', 'w.bin'));
    const first = contentKey(folder);
    fs.renameSync(path.join(folder, 'unet'), path.join(folder, 'vae'));
    expect(contentKey(folder)).not.toBe(first);
  });
});
