/** Whether the files a node saved (the refs in its UI result) are all still there. */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { StudioDirs } from './studioDirs';
import { resolveInside } from './safePath';

/** The folder a UI file ref's `type` names (`output`, `temp`, `input`, `embeddings`), or null. */
function folderOf(dirs: StudioDirs, type: unknown): string | null {
  if (type === 'output' || type === 'temp' || type === 'input') return dirs[type];
  if (type === 'embeddings') return path.join(dirs.models, 'embeddings');
  return null;
}

/** True when every `{filename, subfolder, type}` in `refs` names an existing file. */
export async function savedFilesExist(
  dirs: StudioDirs,
  refs: readonly unknown[] | undefined,
): Promise<boolean> {
  for (const ref of refs ?? []) {
    if (typeof ref !== 'object' || ref === null) continue;
    const { filename, subfolder, type } = ref as Record<string, unknown>;
    const root = folderOf(dirs, type);
    if (!root || typeof filename !== 'string') continue;
    const file = resolveInside(root, typeof subfolder === 'string' ? subfolder : '', filename);
    if (!file || !(await stat(file).catch(() => null))?.isFile()) return false;
  }
  return true;
}
