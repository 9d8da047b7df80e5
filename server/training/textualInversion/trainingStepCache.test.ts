import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  cacheRootOf,
  DEFAULT_TRAINING_CACHE_GB,
  evictTrainingStepCache,
  publishStaged,
  stagingFolder,
  touchCached,
  trainingCacheLimitBytes,
} from './trainingStepCache';

const HOUR = 3600 * 1000;
const NOW = Date.now();

/** A published cache folder `<root>/<weights>/training-step/<name>` with `bytes` of model, last used `hoursAgo`. */
function cached(root: string, weights: string, name: string, bytes: number, hoursAgo: number): string {
  const folder = path.join(root, weights, 'training-step', name);
  const staging = stagingFolder(folder);
  fs.writeFileSync(path.join(staging, 'optimized.onnx_data'), Buffer.alloc(bytes));
  publishStaged(staging, folder, {});
  const at = new Date(NOW - hoursAgo * HOUR);
  fs.utimesSync(path.join(folder, 'ready.json'), at, at);
  return folder;
}

function remaining(root: string): string[] {
  return fs
    .readdirSync(root)
    .flatMap((w) => fs.readdirSync(path.join(root, w, 'training-step')).map((s) => `${w}/${s}`))
    .sort();
}

describe('training-step cache eviction', () => {
  it('removes the least recently used models across weights until the rest fit, keeping the one in use', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'step-cache-evict-'));
    cached(root, 'sd15-a', 'b1-512', 4000, 30);
    const inUse = cached(root, 'sd15-a', 'b1-256', 3000, 40);
    cached(root, 'sd21-b', 'b1-768', 5000, 10);
    cached(root, 'sd21-b', 'b2-512', 2000, 1);
    expect(cacheRootOf(inUse)).toBe(root);

    // 14 000 bytes (plus small records) against a 9 000 byte bound: the oldest not in use (30 h) goes,
    // then the next (10 h); the 40 h one is in use
    const removed = evictTrainingStepCache(root, 9000, [inUse], NOW);

    expect(removed.map((f) => path.relative(root, f))).toEqual([
      'sd15-a/training-step/b1-512',
      'sd21-b/training-step/b1-768',
    ]);
    expect(remaining(root)).toEqual(['sd15-a/b1-256', 'sd21-b/b2-512']);
  });

  it('counts a model as used when it is opened again', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'step-cache-touch-'));
    const older = cached(root, 'w', 'first', 4000, 5);
    cached(root, 'w', 'second', 4000, 2);
    touchCached(older);

    evictTrainingStepCache(root, 5000, [], Date.now() + 1000);

    expect(remaining(root)).toEqual(['w/first']);
  });

  it('leaves everything under the bound and removes only staging folders of builds that died hours ago', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'step-cache-stale-'));
    const folder = cached(root, 'w', 'shape', 1000, 100);
    const dead = stagingFolder(path.join(root, 'w', 'training-step', 'other'));
    const live = stagingFolder(path.join(root, 'w', 'training-step', 'building'));
    fs.utimesSync(dead, new Date(NOW - 7 * HOUR), new Date(NOW - 7 * HOUR));
    fs.utimesSync(live, new Date(NOW - 0.5 * HOUR), new Date(NOW - 0.5 * HOUR));

    const removed = evictTrainingStepCache(root, 1e9, [], NOW);

    expect(removed).toEqual([dead]);
    expect(fs.existsSync(folder) && fs.existsSync(live)).toBe(true);
  });

  it.each([
    [undefined, DEFAULT_TRAINING_CACHE_GB * 1e9],
    ['8', 8e9],
    ['0.5', 5e8],
    ['0', 0],
  ])('STUDIO_TRAINING_CACHE_GB=%s bounds the cache at %d bytes', (value, bytes) => {
    expect(trainingCacheLimitBytes({ STUDIO_TRAINING_CACHE_GB: value })).toBe(bytes);
  });

  it('refuses a bound that is not a number of gigabytes, naming the variable', () => {
    expect(() => trainingCacheLimitBytes({ STUDIO_TRAINING_CACHE_GB: '8GB' })).toThrow(
      'STUDIO_TRAINING_CACHE_GB=8GB: expected a number of gigabytes ≥ 0 (default 24)',
    );
  });
});
