/**
 * Shared pieces of the graph-builder reference tests: the dataset's configs and weights (through the
 * project's own loaders), ORT feeds from golden arrays, the README's float32
 * tolerance, and a probe that prints wall time and memory of building and running a model.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { ort } from '../../server/onnx/sessions';
import {
  openClipModelFolder,
  openDiffusersFolder,
  type OpenedClipModel,
} from '../../server/sd/weights/diffusersFolder';
import type { LoadedModel } from '../../server/sd/weights/loadedModel';
import {
  goldenArray,
  goldenValue,
  referenceDir,
  worstExcess,
  type GoldenArray,
} from './schedulersGoldenData';

export { goldenArray, goldenValue, referenceDir };

/** A dataset file's absolute path. */
export function datasetPath(relative: string): string {
  return path.join(referenceDir, relative);
}

/** Whether the dataset has `relative` (the SD 2.x sets have no scoring CLIP). */
export function datasetHas(relative: string): boolean {
  return fs.existsSync(datasetPath(relative));
}

/** Whether golden.json has the dotted `keyPath`. */
export function goldenHas(keyPath: string): boolean {
  try {
    goldenValue(keyPath);
    return true;
  } catch {
    return false;
  }
}

let model: LoadedModel | undefined;

/** The dataset's diffusers pipeline folder `model/`, opened (and checked) by the project's loader. */
export function datasetModel(): LoadedModel {
  model ??= openDiffusersFolder(datasetPath('model'));
  return model;
}

/** The dataset's scoring CLIP folder `clip/`, opened by the project's loader. */
export function datasetClip(): OpenedClipModel {
  return openClipModelFolder(datasetPath('clip'));
}

/** A float32 ORT tensor of a golden array. */
export function floatTensor(array: GoldenArray): ort.Tensor {
  return new ort.Tensor('float32', array.data, array.shape);
}

/** An integer ORT tensor of a golden id array. */
export function idsTensor(array: GoldenArray, type: 'int32' | 'int64' = 'int32'): ort.Tensor {
  return type === 'int32'
    ? new ort.Tensor('int32', Int32Array.from(array.data), array.shape)
    : new ort.Tensor(
        'int64',
        BigInt64Array.from(array.data, (v) => BigInt(v)),
        array.shape,
      );
}

/** The README's float32 forward-pass tolerance: |a - b| <= 1e-4 + 1e-4·|b| for every element. */
export function expectGolden(actual: ort.Tensor | undefined, expected: GoldenArray, label: string): void {
  expect(actual, `${label}: output missing`).toBeDefined();
  expect([...actual!.dims], `${label}: shape`).toEqual(expected.shape);
  const excess = worstExcess(actual!.data as Float32Array, expected.data, 1e-4, 1e-4);
  expect(excess, `${label}: worst excess over tolerance`).toBeLessThanOrEqual(0);
}

/** Largest |a - b|. */
export function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** Runs `work`, printing its wall time, the resident-memory change and the process's peak RSS so far. */
export async function measured<T>(label: string, work: () => T | Promise<T>): Promise<T> {
  const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
  const before = process.memoryUsage().rss;
  const start = performance.now();
  const result = await work();
  const ms = performance.now() - start;
  const after = process.memoryUsage().rss;
  const peak = process.resourceUsage().maxRSS * 1024;
  console.log(
    `[measure] ${label}: ${ms.toFixed(0)} ms, rss ${mib(after)} MiB (${after >= before ? '+' : ''}${mib(after - before)}), peak ${mib(peak)} MiB`,
  );
  return result;
}
