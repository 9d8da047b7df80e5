/**
 * The on-disk cache of built training-step sessions. Building one means merging the text encoder and UNet,
 * folding shapes, differentiating and then onnxruntime's own graph optimisation (40 s for SD 1.5 size);
 * the optimized model onnxruntime writes while creating the session is kept in the weights' build cache
 * folder, under a key of the step shape, the execution providers, the onnxruntime release, the CPU model,
 * the session settings and a digest of the graph-building sources, and a later start loads it with
 * optimisation off, skipping every build step. Each model is gigabytes (SD 1.5: ~4 GB per step shape), so
 * the cached models of every weights' folder under one build cache root are kept to a size bound, least
 * recently used first out (`STUDIO_TRAINING_CACHE_GB`, default 24).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ortPackage } from '../../onnx/sessions';
import type { TrainingStepShape } from './trainingStepGraph';

/** Bump when the way cached training sessions are written changes. */
const TRAINING_CACHE_VERSION = 'training-step-1';
/** The optimized model's file name in its cache folder. */
export const OPTIMIZED_MODEL_FILE = 'optimized.onnx';
const READY_FILE = 'ready.json';

let sourceDigest: string | undefined;

/** Digest of the sources that shape the training graph: autodiff, graph surgery, the step graph itself. */
function graphSourceDigest(): string {
  if (sourceDigest === undefined) {
    const here = path.dirname(fileURLToPath(import.meta.url));
    const onnxDir = path.resolve(here, '..', '..', 'onnx');
    const files: string[] = [path.join(here, 'trainingStepGraph.ts')];
    const walk = (dir: string) => {
      if (!fs.existsSync(dir)) return;
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (entry.name.endsWith('.ts') && !entry.name.includes('.test.')) files.push(full);
      }
    };
    walk(path.join(onnxDir, 'autodiff'));
    walk(path.join(onnxDir, 'surgery'));
    walk(path.join(onnxDir, 'shapes'));
    const hash = createHash('sha256');
    for (const f of files.filter((f) => fs.existsSync(f)).sort()) {
      hash.update(path.relative(onnxDir, f)).update(fs.readFileSync(f));
    }
    sourceDigest = hash.digest('hex').slice(0, 12);
  }
  return sourceDigest;
}

/** The cache folder of one training session, under the weights' `cacheDir`. */
export function trainingStepCacheFolder(
  cacheDir: string,
  shape: TrainingStepShape,
  providers: readonly string[],
  settings: Readonly<Record<string, unknown>>,
): string {
  const key = createHash('sha256')
    .update(
      JSON.stringify([
        TRAINING_CACHE_VERSION,
        graphSourceDigest(),
        [shape.batch, shape.numVectors, shape.latentHeight, shape.latentWidth],
        providers,
        ortPackage().version,
        os.cpus()[0]?.model ?? 'unknown cpu',
        settings,
      ]),
    )
    .digest('hex')
    .slice(0, 16);
  const { batch, numVectors, latentHeight, latentWidth } = shape;
  return path.join(
    cacheDir,
    'training-step',
    `b${batch}-v${numVectors}-${latentHeight}x${latentWidth}-${providers[0]}-${key}`,
  );
}

/** The optimized model in `folder` when a complete one was published there. */
export function cachedOptimizedModel(folder: string): string | undefined {
  const file = path.join(folder, OPTIMIZED_MODEL_FILE);
  return fs.existsSync(path.join(folder, READY_FILE)) && fs.existsSync(file) ? file : undefined;
}

/** The record published with the optimized model in `folder` (build time, peak memory of the build). */
export function cacheRecord(folder: string): Record<string, unknown> | undefined {
  const file = path.join(folder, READY_FILE);
  return fs.existsSync(file)
    ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>)
    : undefined;
}

/** A fresh scratch folder beside `folder` for onnxruntime to write the optimized model into. */
export function stagingFolder(folder: string): string {
  fs.mkdirSync(path.dirname(folder), { recursive: true });
  return fs.mkdtempSync(`${folder}.staging-`);
}

/**
 * Publishes a staged optimized model as `folder` (rename, so a crash never leaves a half-written cache);
 * a folder another process published first is kept and the staged copy dropped.
 */
export function publishStaged(staging: string, folder: string, record: Record<string, unknown>): void {
  fs.writeFileSync(path.join(staging, READY_FILE), JSON.stringify(record, null, 2));
  try {
    fs.renameSync(staging, folder);
  } catch {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/** Default bound of the cached training-step models under one build cache root: about six SD 1.5 shapes. */
export const DEFAULT_TRAINING_CACHE_GB = 24;

/** A staging folder this old belongs to a build that died; eviction removes it. */
const STALE_STAGING_MS = 6 * 3600 * 1000;

/** The cache bound in bytes: `STUDIO_TRAINING_CACHE_GB` (decimal gigabytes), else the default. */
export function trainingCacheLimitBytes(
  env: Readonly<Record<string, string | undefined>> = process.env,
): number {
  const raw = env.STUDIO_TRAINING_CACHE_GB;
  if (raw === undefined || raw === '') return DEFAULT_TRAINING_CACHE_GB * 1e9;
  const gb = Number(raw);
  if (!Number.isFinite(gb) || gb < 0) {
    throw new Error(
      `STUDIO_TRAINING_CACHE_GB=${raw}: expected a number of gigabytes ≥ 0 (default ${DEFAULT_TRAINING_CACHE_GB})`,
    );
  }
  return gb * 1e9;
}

/** Marks the cached model in `folder` as used now: its record's modification time is the LRU clock. */
export function touchCached(folder: string): void {
  const now = new Date();
  try {
    fs.utimesSync(path.join(folder, READY_FILE), now, now);
  } catch {
    // evicted meanwhile by another process: nothing to mark
  }
}

function folderBytes(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    total += entry.isDirectory() ? folderBytes(full) : fs.statSync(full).size;
  }
  return total;
}

/** The cached model folders (and staging folders) of every weights' folder under `root`. */
function cacheEntries(root: string): { folder: string; bytes: number; lastUsed: number; ready: boolean }[] {
  const entries: { folder: string; bytes: number; lastUsed: number; ready: boolean }[] = [];
  const models = fs.existsSync(root) ? fs.readdirSync(root, { withFileTypes: true }) : [];
  for (const model of models.filter((m) => m.isDirectory())) {
    const steps = path.join(root, model.name, 'training-step');
    if (!fs.existsSync(steps)) continue;
    for (const entry of fs.readdirSync(steps, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const folder = path.join(steps, entry.name);
      const record = path.join(folder, READY_FILE);
      const ready = fs.existsSync(record);
      try {
        const lastUsed = fs.statSync(ready ? record : folder).mtimeMs;
        entries.push({ folder, bytes: folderBytes(folder), lastUsed, ready });
      } catch {
        // removed meanwhile
      }
    }
  }
  return entries;
}

/**
 * Keeps the cached training-step models under `root` (the build cache root: `<root>/<weights>/training-step/
 * <shape>`) within `limitBytes`, removing the least recently used first; folders in `keep` (the one in use)
 * stay whatever their size, and staging folders of builds that died hours ago go. Returns the removed folders.
 */
export function evictTrainingStepCache(
  root: string,
  limitBytes: number,
  keep: readonly string[] = [],
  now = Date.now(),
): string[] {
  const kept = new Set(keep.map((k) => path.resolve(k)));
  const removed: string[] = [];
  const remove = (folder: string) => {
    fs.rmSync(folder, { recursive: true, force: true });
    removed.push(folder);
  };
  const entries = cacheEntries(root);
  for (const e of entries.filter((e) => !e.ready && now - e.lastUsed > STALE_STAGING_MS)) remove(e.folder);
  const ready = entries.filter((e) => e.ready).sort((a, b) => a.lastUsed - b.lastUsed);
  let total = ready.reduce((sum, e) => sum + e.bytes, 0);
  for (const e of ready) {
    if (total <= limitBytes) break;
    if (kept.has(path.resolve(e.folder))) continue;
    remove(e.folder);
    total -= e.bytes;
  }
  return removed;
}

/** The build cache root a training-step cache folder lies under (`<root>/<weights>/training-step/<shape>`). */
export function cacheRootOf(folder: string): string {
  return path.dirname(path.dirname(path.dirname(folder)));
}
