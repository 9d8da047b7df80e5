/**
 * The checkpoints under `models/checkpoints/` (what `CheckpointLoaderSimple` offers) and the frozen models
 * loaded from them. Loaded models are shared across prompts and nodes, keyed by path, size, modification
 * time and execution provider; the least recently used beyond `MAX_LOADED` have their sessions released
 * (they stay usable and reopen sessions if a cached node output still uses them).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ProviderChoice } from '../../onnx/sessions';
import { isDiffusersFolder } from '../weights/diffusersFolder';
import type { FrozenModel } from './frozenModel';
import { loadFrozenModel } from './loadFrozenModel';
import { isOnnxExportFolder } from './onnxExportFolder';

/** File extensions listed as single-file checkpoints (.ckpt is listed so loading it explains the fix). */
export const CHECKPOINT_EXTENSIONS = ['.safetensors', '.ckpt'] as const;
/** Models whose sessions stay open at once. */
export const MAX_LOADED = 2;
const MAX_DEPTH = 4;

/** Checkpoint names under `dir`: files and model folders, forward-slash relative paths, sorted. */
export function listCheckpoints(dir: string): string[] {
  const out: string[] = [];
  const walk = (folder: string, depth: number) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(folder, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const full = path.join(folder, entry.name);
      const rel = path.relative(dir, full).split(path.sep).join('/');
      if (entry.isDirectory()) {
        if (isDiffusersFolder(full) || isOnnxExportFolder(full)) out.push(rel);
        else if (depth < MAX_DEPTH) walk(full, depth + 1);
      } else if (CHECKPOINT_EXTENSIONS.some((ext) => entry.name.toLowerCase().endsWith(ext))) {
        out.push(rel);
      }
    }
  };
  walk(dir, 0);
  return out.sort();
}

/** The absolute path of checkpoint `name` inside `dir`; refuses names that leave it. */
export function checkpointPath(dir: string, name: string): string {
  const base = path.resolve(dir);
  const file = path.resolve(base, name);
  const rel = path.relative(base, file);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) {
    throw new Error(`checkpoint "${name}" is outside ${base}; pick a name from the list`);
  }
  if (!fs.existsSync(file)) {
    throw new Error(`checkpoint "${name}" not found in ${base}; put it there or pick one from the list`);
  }
  return file;
}

/** Changes when the checkpoint's bytes may have changed (size and modification time; folders: their files). */
export function checkpointStamp(file: string): string {
  const stat = fs.statSync(file);
  if (!stat.isDirectory()) return `${stat.size}:${stat.mtimeMs}`;
  const parts = fs
    .readdirSync(file, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => {
      const full = path.join(e.parentPath, e.name);
      const s = fs.statSync(full);
      return `${path.relative(file, full)}:${s.size}:${s.mtimeMs}`;
    })
    .sort();
  return parts.join('|');
}

/** What `obtainFrozenModel` needs. */
export interface ObtainOptions {
  readonly provider: ProviderChoice;
  readonly modelsDir: string;
  readonly cacheDir: string;
  readonly onNotice?: (message: string) => void;
}

const loaded = new Map<string, Promise<FrozenModel>>();

/** The frozen model of checkpoint file/folder `file`, loaded once and shared. */
export async function obtainFrozenModel(file: string, options: ObtainOptions): Promise<FrozenModel> {
  const key = `${path.resolve(file)}|${checkpointStamp(file)}|${options.provider}`;
  let pending = loaded.get(key);
  if (pending) {
    loaded.delete(key);
  } else {
    pending = loadFrozenModel(file, {
      provider: options.provider,
      modelsDir: options.modelsDir,
      cacheDir: options.cacheDir,
      onNotice: options.onNotice,
    });
    pending.catch(() => loaded.delete(key));
  }
  loaded.set(key, pending);
  while (loaded.size > MAX_LOADED) {
    const [oldestKey, oldest] = loaded.entries().next().value!;
    loaded.delete(oldestKey);
    void oldest.then((m) => m.release()).catch(() => undefined);
  }
  return pending;
}
