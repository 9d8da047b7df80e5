/**
 * Reads the reference dataset (REFERENCE_DIR, default ../shared/reference) for the scheduler, sampling and
 * optimizer reference tests: golden.json arrays either inline (`data`) or as raw little-endian files.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The dataset folder the reference tests run on. */
export const referenceDir = path.resolve(
  process.env.REFERENCE_DIR ?? path.resolve(repoRoot, '../shared/reference'),
);

const goldenArraySchema = z.looseObject({
  shape: z.array(z.number().int().nonnegative()),
  dtype: z.enum(['float32', 'int32']),
  data: z.array(z.number()).optional(),
  file: z.string().optional(),
});

/** A golden array: its shape and values. */
export interface GoldenArray {
  shape: number[];
  data: Float32Array;
}

let cached: unknown;

/** golden.json of the dataset, parsed once (non-finite values are the strings "Infinity"/"-Infinity"). */
export function golden(): Record<string, unknown> {
  cached ??= JSON.parse(readFileSync(path.join(referenceDir, 'golden.json'), 'utf8'));
  return z.record(z.string(), z.unknown()).parse(cached);
}

/**
 * Follows a dotted path of object keys from the golden.json root. A value written as "same as X.Y" is
 * followed to X.Y, looked up beside the referring key first, then further up.
 */
export function goldenValue(keyPath: string): unknown {
  const keys = keyPath.split('.');
  let node: unknown = golden();
  keys.forEach((key, depth) => {
    if (typeof node !== 'object' || node === null || !(key in node)) {
      throw new Error(`golden.json has no "${keyPath}" (missing "${key}")`);
    }
    node = (node as Record<string, unknown>)[key];
    const alias = typeof node === 'string' ? /^same as ([\w.]+)$/.exec(node) : null;
    if (alias) {
      for (let up = depth; up >= 0; up--) {
        const candidate = [...keys.slice(0, up), alias[1]].join('.');
        try {
          node = goldenValue(candidate);
          return;
        } catch {
          // not at this level; try the parent
        }
      }
      throw new Error(`golden.json "${keyPath}" refers to missing "${alias[1]}"`);
    }
  });
  return node;
}

/** Decodes a golden array node (inline data or its raw file under arrays/) as float32. */
export function toArray(node: unknown): GoldenArray {
  const parsed = goldenArraySchema.parse(node);
  const count = parsed.shape.reduce((a, b) => a * b, 1);
  let data: Float32Array;
  if (parsed.data) {
    data = Float32Array.from(parsed.data);
  } else if (parsed.file) {
    const bytes = readFileSync(
      path.join(referenceDir, parsed.file.startsWith('arrays/') ? '' : 'arrays', parsed.file),
    );
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    data = parsed.dtype === 'int32' ? Float32Array.from(new Int32Array(buffer)) : new Float32Array(buffer);
  } else {
    throw new Error('golden array has neither data nor file');
  }
  if (data.length !== count) throw new Error(`golden array has ${data.length} values, shape says ${count}`);
  return { shape: parsed.shape, data };
}

/** The golden array at a dotted path. */
export function goldenArray(keyPath: string): GoldenArray {
  return toArray(goldenValue(keyPath));
}

/** Numbers of a golden list (e.g. timesteps); "Infinity" strings become numbers. */
export function goldenNumbers(keyPath: string): number[] {
  return z
    .array(z.union([z.number(), z.enum(['Infinity', '-Infinity']).transform(Number)]))
    .parse(goldenValue(keyPath));
}

/** Row `index` of the leading axis of a golden array. */
export function slice0(array: GoldenArray, index: number): Float32Array {
  const size = array.data.length / array.shape[0];
  return array.data.subarray(index * size, (index + 1) * size);
}

/** Largest |a-b| - (abs + rel*|b|) over all elements; <= 0 means within tolerance. */
export function worstExcess(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  abs: number,
  rel: number,
): number {
  if (actual.length !== expected.length)
    throw new Error(`length ${actual.length} vs expected ${expected.length}`);
  let worst = -Infinity;
  for (let i = 0; i < expected.length; i++) {
    const excess = Math.abs(actual[i] - expected[i]) - (abs + rel * Math.abs(expected[i]));
    if (!(excess <= worst)) worst = Number.isNaN(excess) ? Infinity : excess;
  }
  return worst;
}

/** max |x| of an array. */
export function maxAbs(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]));
  return m;
}
