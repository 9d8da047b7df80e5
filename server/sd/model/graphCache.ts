/**
 * On-disk cache of graphs built from checkpoint weights. A real SD UNet graph is 3.4 GB of float32 weights
 * and takes a while to build, so each built component is saved once as `<name>.onnx` + `<name>.onnx_data`
 * (external data: protobuf cannot hold more than 2 GB) in a folder keyed by the checkpoint's content key,
 * its resolved configs and the builder version; a later load finds the files and skips the build.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomicSync } from '../../storage/atomicWrite';
import { saveModel } from '../../onnx/modelIO';
import type { ModelProto } from '../../onnx/proto';

/** Bump when the way frozen models assemble or save their graphs changes. */
export const FROZEN_GRAPHS_VERSION = 'frozen-1';

let builderDigest: string | undefined;

/**
 * The builder version: `FROZEN_GRAPHS_VERSION` plus a digest of the graph builders' source files
 * (server/sd/graphs/*.ts), so any change to a builder invalidates cached graphs without a manual bump.
 */
export function builderVersion(): string {
  if (builderDigest === undefined) {
    const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'graphs');
    const hash = createHash('sha256');
    try {
      const files = fs
        .readdirSync(dir)
        .filter((f) => f.endsWith('.ts') && !f.includes('.test.'))
        .sort();
      for (const f of files) hash.update(f).update(fs.readFileSync(path.join(dir, f)));
      builderDigest = hash.digest('hex').slice(0, 12);
    } catch {
      builderDigest = 'nosrc';
    }
  }
  return `${FROZEN_GRAPHS_VERSION}+${builderDigest}`;
}

/** A built graph: its file in the cache, or the model in memory when no cache folder is used. */
export type GraphLocation = { readonly file: string } | { readonly model: ModelProto };

/** Reports a component that was built (not found in the cache) and how long it took. */
export type BuildListener = (component: string, milliseconds: number) => void;

/** The cache folder of one model (created on first save). `dir` undefined keeps everything in memory. */
export class GraphCache {
  constructor(
    readonly dir: string | undefined,
    private readonly manifest: Record<string, unknown> = {},
    private readonly onBuild?: BuildListener,
  ) {}

  /** Path of component `name`'s model file inside the cache folder. */
  fileOf(name: string): string | undefined {
    return this.dir ? path.join(this.dir, `${name}.onnx`) : undefined;
  }

  /** The cached graph of `name`, or `build()`s it (and saves it when there is a cache folder). */
  obtain(name: string, build: () => ModelProto): GraphLocation {
    const file = this.fileOf(name);
    if (file && fs.existsSync(file)) return { file };
    const start = performance.now();
    const model = build();
    if (!file) {
      this.onBuild?.(name, performance.now() - start);
      return { model };
    }
    fs.mkdirSync(this.dir!, { recursive: true });
    saveModel(model, file, { externalData: { location: `${name}.onnx_data` } });
    const manifestFile = path.join(this.dir!, 'frozen.json');
    if (!fs.existsSync(manifestFile)) {
      writeFileAtomicSync(
        manifestFile,
        JSON.stringify({ ...this.manifest, created: new Date().toISOString() }, null, 2),
      );
    }
    this.onBuild?.(name, performance.now() - start);
    return { file };
  }
}
