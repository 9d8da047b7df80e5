/**
 * The one place onnxruntime sessions are made. Picks the execution provider (CUDA when asked for and
 * available, else CPU with a visible message), checks feeds against the model's input names, and turns
 * runtime failures into messages listing every feed's dtype and dims.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import * as ort from 'onnxruntime-node';
import type { ModelProto } from './proto';
import { encodeModel, saveModel } from './modelIO';
import { isExternal } from './tensorProto';

export type ProviderChoice = 'auto' | 'cuda' | 'cpu';

export interface SessionOptions {
  readonly provider?: ProviderChoice;
  /** Folder that external data of an in-memory model is relative to. */
  readonly sourceDir?: string;
  /** Intra-op threads; default: onnxruntime's choice. */
  readonly threads?: number;
  /** Graph optimisation level; default 'all'. */
  readonly optimization?: 'disabled' | 'basic' | 'extended' | 'all';
  /** Called once with a human-readable note when a requested provider is unavailable. */
  readonly onNotice?: (message: string) => void;
  /**
   * onnxruntime's memory-pattern planning (default on). A pattern is recorded on the first run and a second,
   * planned copy of every activation buffer is allocated on the next, so a large graph run once per call
   * (the training step) holds its activations twice; such graphs turn it off.
   */
  readonly memoryPattern?: boolean;
  /** onnxruntime's CPU arena allocator (default on). */
  readonly cpuArena?: boolean;
  /**
   * onnxruntime's pre-packing of constant weights into kernel-specific layouts (default on): faster kernels,
   * but each consumer of a weight keeps its own packed copy.
   */
  readonly prepacking?: boolean;
  /** Graph optimizers to skip by name (`NchwcTransformer`, `ConstantFolding`, …). */
  readonly disabledOptimizers?: readonly string[];
  /**
   * Write the optimized model here while the session is created (tensors of 1 KiB and more go to
   * `<file>_data` beside it), so a later start can load it with `optimization: 'disabled'`. Hardware- and
   * onnxruntime-specific at level 'all': key the file by both.
   */
  readonly saveOptimizedModel?: string;
}

let cudaUsable: boolean | undefined;

/**
 * The onnxruntime-node package in use: the project's, or the one `STUDIO_ORT_NODE_DIR` names (gpu:check
 * runs with a resolve hook, server/onnx/gpu/ortPackageHook.mjs, that imports it from there).
 */
export function ortPackage(): { dir: string; version: string } {
  const dir =
    process.env.STUDIO_ORT_NODE_DIR ??
    path.dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json'));
  const { version } = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
    version: string;
  };
  return { dir, version };
}

/** Whether the CUDA provider's binaries are installed (`npm run setup:cuda`, or gpu:check's runtime). */
export function cudaAvailable(): boolean {
  cudaUsable ??= findFile(path.join(ortPackage().dir, 'bin'), 'libonnxruntime_providers_cuda.so');
  return cudaUsable;
}

function findFile(dir: string, name: string): boolean {
  if (!fs.existsSync(dir)) return false;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory() ? findFile(full, name) : entry.name === name) return true;
  }
  return false;
}

/** The execution providers to use for a choice; `auto` means CUDA when its binaries exist. */
export function resolveProviders(
  choice: ProviderChoice,
  onNotice: (m: string) => void = console.warn,
): ('cuda' | 'cpu')[] {
  if (choice === 'cpu') return ['cpu'];
  if (cudaAvailable()) return ['cuda', 'cpu'];
  if (choice === 'cuda') {
    onNotice(
      'CUDA execution provider requested but not installed; running on CPU. Run `npm run setup:cuda` on a machine with CUDA 12.',
    );
  }
  return ['cpu'];
}

/** A session plus checked `run`. */
export class ModelSession {
  constructor(
    readonly session: ort.InferenceSession,
    readonly label: string,
  ) {}

  get inputNames(): readonly string[] {
    return this.session.inputNames;
  }

  get outputNames(): readonly string[] {
    return this.session.outputNames;
  }

  /** Runs the model; every input must be fed, unknown feeds are refused, and failures list each feed's shape. */
  async run(
    feeds: Record<string, ort.Tensor>,
    fetches?: readonly string[],
  ): Promise<Record<string, ort.Tensor>> {
    const missing = this.inputNames.filter((n) => !(n in feeds));
    const unknown = Object.keys(feeds).filter((n) => !this.inputNames.includes(n));
    if (missing.length || unknown.length) {
      throw new Error(
        `${this.label}: ` +
          (missing.length ? `missing inputs ${missing.map((n) => `"${n}"`).join(', ')}` : '') +
          (missing.length && unknown.length ? '; ' : '') +
          (unknown.length
            ? `unknown inputs ${unknown.map((n) => `"${n}"`).join(', ')} (model inputs: ${this.inputNames.join(', ')})`
            : ''),
      );
    }
    try {
      return fetches ? await this.session.run(feeds, [...fetches]) : await this.session.run(feeds);
    } catch (error) {
      const shapes = Object.entries(feeds)
        .map(([n, t]) => `${n}: ${t.type}[${t.dims.join(', ')}]`)
        .join('; ');
      throw new Error(`${this.label} failed: ${(error as Error).message}\n  inputs: ${shapes}`);
    }
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

function sessionOptions(options: SessionOptions): ort.InferenceSession.SessionOptions {
  const session: Record<string, string> = {
    ...(options.prepacking === false ? { disable_prepacking: '1' } : {}),
    ...(options.saveOptimizedModel
      ? {
          optimized_model_external_initializers_file_name: `${path.basename(options.saveOptimizedModel)}_data`,
          optimized_model_external_initializers_min_size_in_bytes: '1024',
        }
      : {}),
  };
  const optimization: Record<string, string> = options.disabledOptimizers?.length
    ? { disable_specified_optimizers: options.disabledOptimizers.join(';') }
    : {};
  return {
    executionProviders: resolveProviders(options.provider ?? 'auto', options.onNotice),
    graphOptimizationLevel: options.optimization ?? 'all',
    ...(options.threads ? { intraOpNumThreads: options.threads } : {}),
    ...(options.memoryPattern === undefined ? {} : { enableMemPattern: options.memoryPattern }),
    ...(options.cpuArena === undefined ? {} : { enableCpuMemArena: options.cpuArena }),
    ...(options.saveOptimizedModel
      ? {
          optimizedModelFilePath: options.saveOptimizedModel,
          // at level 'all' onnxruntime warns that the file is hardware-specific: callers key it by the CPU
          logSeverityLevel: 3 as const,
        }
      : {}),
    extra: { session, optimization },
  };
}

/**
 * Creates a session from a model file or an in-memory model. In-memory models whose initializers point to
 * external data are written to a temporary folder first (external data must sit beside the model file).
 */
export async function createSession(
  model: string | ModelProto,
  options: SessionOptions = {},
  label = 'model',
): Promise<ModelSession> {
  const opts = sessionOptions(options);
  if (typeof model === 'string') {
    return new ModelSession(
      await ort.InferenceSession.create(model, opts),
      label === 'model' ? path.basename(model) : label,
    );
  }
  const external = (model.graph?.initializer ?? []).some((t) => isExternal(t));
  const totalBytes = (model.graph?.initializer ?? []).reduce((a, t) => a + (t.rawData?.byteLength ?? 0), 0);
  if (!external && totalBytes < 1.5e9) {
    return new ModelSession(await ort.InferenceSession.create(encodeModel(model), opts), label);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-session-'));
  const file = path.join(dir, 'model.onnx');
  try {
    saveModel(model, file, { externalData: { location: 'model.onnx_data' }, sourceDir: options.sourceDir });
    return new ModelSession(await ort.InferenceSession.create(file, opts), label);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export { ort };
