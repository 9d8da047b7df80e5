/**
 * The on-disk cache of built training-step sessions. Building one means merging the text encoder and UNet,
 * folding shapes, differentiating and then onnxruntime's own graph optimisation (40 s for SD 1.5 size);
 * the optimized model onnxruntime writes while creating the session is kept in the weights' build cache
 * folder, under a key of the step shape, the execution providers, the onnxruntime release, the CPU model,
 * the memory settings and a digest of the graph-building sources, and a later start loads it with
 * optimisation off, skipping every build step.
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
  memory: Readonly<Record<string, boolean>>,
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
        memory,
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
