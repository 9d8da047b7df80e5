/**
 * Atomic file replacement: write a hidden sibling temp file, fsync, rename over the target, so readers see
 * either the old or the new content, never a torn file. Async for the server, sync for model saving.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

function tempSibling(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
}

/**
 * Creates `file` (and its folder) atomically from what `write` puts into the open temp file; the temp file
 * is removed when `write` or the rename fails.
 */
export async function writeFileAtomicWith(
  file: string,
  write: (handle: FileHandle) => Promise<void>,
): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temp = tempSibling(file);
  const handle = await open(temp, 'w');
  try {
    await write(handle);
    await handle.sync();
    await handle.close();
    await rename(temp, file);
  } catch (err) {
    await handle.close().catch(() => undefined);
    await rm(temp, { force: true });
    throw err;
  }
}

/** Writes `data` to `file` so readers see either the old or the new content, never a torn file. */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  await writeFileAtomicWith(file, async (handle) => {
    await handle.writeFile(data);
  });
}

/** `writeFileAtomic` for synchronous callers; `data` may be a list of chunks written in order. */
export function writeFileAtomicSync(file: string, data: string | Uint8Array | readonly Uint8Array[]): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temp = tempSibling(file);
  try {
    const fd = fs.openSync(temp, 'w');
    try {
      if (typeof data === 'string' || data instanceof Uint8Array) fs.writeFileSync(fd, data);
      else for (const chunk of data) fs.writeFileSync(fd, chunk);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temp, file);
  } catch (err) {
    fs.rmSync(temp, { force: true });
    throw err;
  }
}
