/**
 * The reference dataset every golden test reads: its folder (env REFERENCE_DIR, default the in-repo copy
 * tests/fixtures/reference-sd1, so the same tests run on reference-sd2 or any dataset of that layout), its files, and golden.json with its arrays
 * decoded from inline `data` or from the raw little-endian `file` under arrays/.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const repoRoot = path.resolve(import.meta.dirname, '../..');

/** The test fixtures shipped in the repository (reference datasets, CLIP tokenizer cases, seed embeddings). */
export const fixturesDir = path.join(repoRoot, 'tests', 'fixtures');

/** The dataset folder the tests run on. */
export const referenceDir = path.resolve(
  process.env.REFERENCE_DIR ?? path.join(fixturesDir, 'reference-sd1'),
);

/** The dataset folder's name (e.g. "reference", "reference-sd2"), for test titles. */
export const datasetName = path.basename(referenceDir);

/** A dataset file's absolute path, e.g. `datasetPath('onnx', 'unet', 'model.onnx')`. */
export function datasetPath(...parts: string[]): string {
  return path.join(referenceDir, ...parts);
}

/** Whether the dataset has `relative` (the SD 2.x sets have no scoring CLIP). */
export function datasetHas(relative: string): boolean {
  return fs.existsSync(datasetPath(relative));
}

/** A JSON file of the dataset, parsed (e.g. `checkpoint_keymap.json`, `model/unet/config.json`). */
export function datasetJson(...parts: string[]): unknown {
  return JSON.parse(fs.readFileSync(datasetPath(...parts), 'utf8'));
}

/** The raw configs of the dataset's diffusers folder `model/`, keyed as configOverrides takes them. */
export function datasetConfigs(): Record<
  'unet' | 'vae' | 'text_encoder' | 'scheduler',
  Record<string, unknown>
> {
  const config = (part: string, file = 'config.json') =>
    datasetJson('model', part, file) as Record<string, unknown>;
  return {
    unet: config('unet'),
    vae: config('vae'),
    text_encoder: config('text_encoder'),
    scheduler: config('scheduler', 'scheduler_config.json'),
  };
}

/**
 * checkpoint_keymap.json: each key of the single-file checkpoint → its `component/key` in model/, a list
 * of them (split tensors) or null (keys the diffusers model does not have).
 */
export function checkpointKeymap(): Record<string, string | string[] | null> {
  return z
    .record(z.string(), z.union([z.string(), z.array(z.string()), z.null()]))
    .parse(datasetJson('checkpoint_keymap.json'));
}

const goldenArraySchema = z.looseObject({
  shape: z.array(z.number().int().nonnegative()),
  dtype: z.enum(['float32', 'int32']),
  data: z.array(z.number()).optional(),
  file: z.string().optional(),
});

/** A golden array: its shape and values (int32 arrays widened to float32). */
export interface GoldenArray {
  shape: number[];
  data: Float32Array;
}

let cached: unknown;

/** golden.json of the dataset, parsed once (non-finite values are the strings "Infinity"/"-Infinity"). */
export function golden(): Record<string, unknown> {
  cached ??= datasetJson('golden.json');
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

/** Whether golden.json has the dotted `keyPath`. */
export function goldenHas(keyPath: string): boolean {
  try {
    goldenValue(keyPath);
    return true;
  } catch {
    return false;
  }
}

/** Decodes a golden array node (inline data or its raw file under arrays/) as float32. */
export function toArray(node: unknown): GoldenArray {
  const parsed = goldenArraySchema.parse(node);
  const count = parsed.shape.reduce((a, b) => a * b, 1);
  let data: Float32Array;
  if (parsed.data) {
    data = Float32Array.from(parsed.data);
  } else if (parsed.file) {
    const bytes = fs.readFileSync(
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

const adamWSchema = z.object({
  type: z.literal('AdamW'),
  lr: z.number(),
  betas: z.tuple([z.number(), z.number()]),
  eps: z.number(),
  weight_decay: z.number(),
});

/** golden.json → `textual_inversion.optimizer`: the torch AdamW settings of the recorded steps. */
export function goldenAdamW(): z.infer<typeof adamWSchema> {
  return adamWSchema.parse(goldenValue('textual_inversion.optimizer'));
}

/** Row `index` of the leading axis of a golden array. */
export function slice0(array: GoldenArray, index: number): Float32Array {
  const size = array.data.length / array.shape[0];
  return array.data.subarray(index * size, (index + 1) * size);
}
