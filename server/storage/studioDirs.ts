/** The studio's folders under the data and models roots, and their creation at startup. */
import { mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { WorkerFolder } from '../../protocol/workerMessages';

/** Folders a node may read or write. All absolute. */
export interface StudioDirs {
  /** User-supplied images (`LoadImage`, uploads). */
  input: string;
  /** Saved results (`SaveImage`). */
  output: string;
  /** Previews; emptied at startup. */
  temp: string;
  /** Model root (checkpoints/, embeddings/, clip/ …). */
  models: string;
  /** User data (workflows/). */
  user: string;
  /** Derived artefacts that can be rebuilt (converted models, …). */
  cache: string;
}

/** Model sub-folders created at startup so `/models/{folder}` and combo lists have somewhere to look. */
export const MODEL_FOLDERS = ['checkpoints', 'clip', 'embeddings', 'tokenizers', 'vae'] as const;

/** input/, output/, temp/, user/ under `dataDir`; models and models/cache under `modelsDir`. */
export function resolveStudioDirs(dataDir: string, modelsDir: string): StudioDirs {
  const data = path.resolve(dataDir);
  const models = path.resolve(modelsDir);
  return {
    input: path.join(data, 'input'),
    output: path.join(data, 'output'),
    temp: path.join(data, 'temp'),
    user: path.join(data, 'user'),
    models,
    cache: path.join(models, 'cache'),
  };
}

/** The folder a worker mirrors or uploads to (queue mode): a data folder, or models/embeddings. */
export function workerFolderRoot(dirs: StudioDirs, folder: WorkerFolder): string {
  return folder === 'embeddings' ? path.join(dirs.models, 'embeddings') : dirs[folder];
}

/** Where user-saved UI workflows live. */
export function userWorkflowsDir(dirs: StudioDirs): string {
  return path.join(dirs.user, 'workflows');
}

/** Creates every folder; empties temp/ (previews do not outlive the server, as in ComfyUI). */
export async function prepareStudioDirs(
  dirs: StudioDirs,
  options: { clearTemp?: boolean } = {},
): Promise<void> {
  if (options.clearTemp ?? true) {
    const entries = await readdir(dirs.temp).catch(() => [] as string[]);
    await Promise.all(
      entries.map((name) => rm(path.join(dirs.temp, name), { recursive: true, force: true })),
    );
  }
  for (const dir of [
    dirs.input,
    dirs.output,
    dirs.temp,
    dirs.user,
    userWorkflowsDir(dirs),
    dirs.models,
    dirs.cache,
  ]) {
    await mkdir(dir, { recursive: true });
  }
  for (const folder of MODEL_FOLDERS) await mkdir(path.join(dirs.models, folder), { recursive: true });
}
