/**
 * `loadFrozenModel(path)`: one entry point for the three formats users bring — a single-file `.safetensors`
 * checkpoint (ldm keys, SD 1.x or 2.x), a diffusers pipeline folder, or an ONNX export folder. The family
 * and prediction type always come from the files. Graphs built from weights are cached under
 * `<cacheDir>/frozen/<name>-<key>/`, keyed by the content fingerprint (see contentKey.ts), the resolved
 * configs and the builder version, so a second load of the same checkpoint skips the build.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { AttentionKernel } from '../graphs';
import { checkpointStem } from '../tokenizer/tokenizerLocation';
import type { ConfigOverrides } from '../weights/configOverrides';
import { loadCheckpoint } from '../weights/loadCheckpoint';
import { ComponentsFromWeights } from './componentsFromWeights';
import { contentKey } from './contentKey';
import { FrozenModel, type SessionSettings } from './frozenModel';
import { builderVersion, GraphCache, type BuildListener } from './graphCache';
import { infoFromLoaded } from './modelInfo';
import { isOnnxExportFolder, openOnnxExport } from './onnxExportFolder';

/** Options of `loadFrozenModel`. */
export interface LoadFrozenModelOptions extends SessionSettings {
  /**
   * Root of the build cache (the studio passes `models/cache`). Without it graphs are built in memory on
   * every load, which is fine for small models only.
   */
  readonly cacheDir?: string;
  /**
   * The studio's models folder, where `tokenizers/` is looked up. Default: the folder above the
   * checkpoint's `checkpoints/` folder, else the checkpoint's own folder.
   */
  readonly modelsDir?: string;
  /** Config fields for single-file checkpoints whose shapes cannot tell them (as a sidecar would give). */
  readonly configs?: ConfigOverrides;
  /** Attention kernel of the inference graphs built from weights (default `fused`). */
  readonly attention?: AttentionKernel;
  /** Called for every graph that had to be built (not found in the cache). */
  readonly onBuild?: BuildListener;
}

/** Sub-folder of the cache root holding built frozen-model graphs. */
export const FROZEN_CACHE_FOLDER = 'frozen';

function defaultModelsDir(target: string): string {
  const parent = path.dirname(path.resolve(target));
  return path.basename(parent) === 'checkpoints' ? path.dirname(parent) : parent;
}

/** Loads a checkpoint file or model folder as a `FrozenModel`; errors name the problem and the fix. */
export async function loadFrozenModel(
  target: string,
  options: LoadFrozenModelOptions = {},
): Promise<FrozenModel> {
  const resolved = path.resolve(target);
  if (!fs.existsSync(resolved)) {
    throw new Error(
      `model ${resolved} does not exist; put .safetensors checkpoints or model folders in models/checkpoints/`,
    );
  }
  const modelsDir = options.modelsDir ?? defaultModelsDir(resolved);
  const settings: SessionSettings = {
    provider: options.provider,
    threads: options.threads,
    onNotice: options.onNotice,
  };

  if (fs.statSync(resolved).isDirectory() && isOnnxExportFolder(resolved)) {
    const exported = openOnnxExport(resolved);
    return new FrozenModel(
      exported.info,
      undefined,
      exported.schedulerConfig,
      exported.components,
      settings,
      {
        modelsDir,
        checkpointPath: resolved,
        modelTokenizerDir: exported.tokenizerDir,
        family: exported.info.family,
        vocabSize: exported.info.vocabSize,
      },
    );
  }

  const loaded = loadCheckpoint(resolved, { configs: options.configs });
  try {
    const attention = options.attention ?? 'fused';
    const version = builderVersion();
    let cacheFolder: string | undefined;
    if (options.cacheDir) {
      const key = contentKey(resolved, [JSON.stringify(loaded.configs), version, attention]);
      cacheFolder = path.join(
        options.cacheDir,
        FROZEN_CACHE_FOLDER,
        `${checkpointStem(resolved)}-${key.slice(0, 16)}`,
      );
    }
    const cache = new GraphCache(
      cacheFolder,
      { source: resolved, format: loaded.format, family: loaded.family, builderVersion: version, attention },
      options.onBuild,
    );
    const info = infoFromLoaded(loaded);
    return new FrozenModel(
      info,
      loaded.configs,
      { ...loaded.configs.scheduler },
      new ComponentsFromWeights(loaded, cache, attention),
      settings,
      {
        modelsDir,
        checkpointPath: resolved,
        modelTokenizerDir: loaded.tokenizerDir,
        family: loaded.family,
        vocabSize: info.vocabSize,
      },
      {
        path: resolved,
        cacheDir: options.cacheDir,
        modelsDir,
        configs: options.configs,
        attention,
      },
    );
  } catch (error) {
    loaded.close();
    throw error;
  }
}
