import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileAtomic, writeFileAtomicSync, writeFileAtomicWith } from './atomicWrite';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'atomic-write-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('atomic writes', () => {
  it('creates missing folders and replaces the content, leaving no temp file', async () => {
    const file = path.join(root, 'a', 'b', 'note.txt');
    await writeFileAtomic(file, 'first');
    await writeFileAtomic(file, Uint8Array.of(104, 105));
    expect(fs.readFileSync(file, 'utf8')).toBe('hi');
    expect(fs.readdirSync(path.dirname(file))).toEqual(['note.txt']);
  });

  it('writes a list of chunks in order (sync)', () => {
    const file = path.join(root, 'sync', 'chunks.bin');
    writeFileAtomicSync(file, [Uint8Array.of(1, 2), new Uint8Array(0), Uint8Array.of(3)]);
    writeFileAtomicSync(path.join(root, 'sync', 'text.txt'), 'text');
    expect([...fs.readFileSync(file)]).toEqual([1, 2, 3]);
    expect(fs.readdirSync(path.dirname(file)).sort()).toEqual(['chunks.bin', 'text.txt']);
  });

  it('keeps the old content and removes the temp file when the writer fails', async () => {
    const file = path.join(root, 'keep.txt');
    await writeFileAtomic(file, 'old');
    const failing = writeFileAtomicWith(file, async (handle) => {
      await handle.writeFile('half');
      throw new Error('disk full');
    });
    await expect(failing).rejects.toThrow('disk full');
    expect(fs.readFileSync(file, 'utf8')).toBe('old');
    expect(fs.readdirSync(root).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
