/**
 * diffusers pipeline folders (`model_index.json`, `unet/`, `vae/`, `text_encoder/`, `scheduler/`,
 * optionally `tokenizer/`) and single diffusers/transformers component folders (a `config.json` beside
 * safetensors weights, e.g. a scoring CLIP). Weights stay on disk until read.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { assertWeightsMatch } from './checkWeights';
import { clipModelConfigSchema, clipTextConfigSchema, type ClipModelConfig } from './clipConfigs';
import { readConfigFile } from './configFiles';
import {
  modelIndexSchema,
  schedulerConfigSchema,
  unetConfigSchema,
  vaeConfigSchema,
  SD_SCHEDULER_DEFAULTS,
} from './diffusersConfigs';
import type { ModelWeights } from './modelWeights';
import { familyFromConfigs } from './modelFamily';
import {
  clipModelParameterShapes,
  clipTextParameterShapes,
  unetParameterShapes,
  vaeParameterShapes,
} from './parameterShapes';
import { SafetensorsFile } from './safetensorsFile';
import { FileWeightSource, type TensorRef } from './weightSource';

const WEIGHT_FILES = [
  'diffusion_pytorch_model.safetensors',
  'model.safetensors',
  'diffusion_pytorch_model.fp16.safetensors',
  'model.fp16.safetensors',
];

const shardIndexSchema = z.object({ weight_map: z.record(z.string(), z.string()) });

/** Renames of older diffusers VAE attention weights to the names diffusers 0.21 uses. */
const LEGACY_VAE_ATTENTION: ReadonlyArray<readonly [RegExp, string]> = [
  [/(\.attentions\.\d+)\.query\./, '$1.to_q.'],
  [/(\.attentions\.\d+)\.key\./, '$1.to_k.'],
  [/(\.attentions\.\d+)\.value\./, '$1.to_v.'],
  [/(\.attentions\.\d+)\.proj_attn\./, '$1.to_out.0.'],
];

/** Safetensors weights of one component folder, plus the files to close. */
export interface ComponentWeights {
  readonly weights: FileWeightSource;
  readonly files: readonly SafetensorsFile[];
}

/** Opens the safetensors weights in `dir` (single file or sharded index); `rename` maps stored names. */
export function openComponentWeights(
  dir: string,
  label: string,
  rename?: (name: string) => string,
): ComponentWeights {
  const files: SafetensorsFile[] = [];
  const refs = new Map<string, TensorRef>();
  const addFile = (file: SafetensorsFile, only?: ReadonlySet<string>) => {
    files.push(file);
    for (const key of file.names()) {
      if (only && !only.has(key)) continue;
      refs.set(rename ? rename(key) : key, { file, key, shape: file.shape(key) });
    }
  };
  try {
    const single = WEIGHT_FILES.map((f) => path.join(dir, f)).find((f) => fs.existsSync(f));
    const index = fs.existsSync(dir)
      ? fs.readdirSync(dir).find((f) => f.endsWith('.safetensors.index.json'))
      : undefined;
    if (single) addFile(SafetensorsFile.open(single));
    else if (index) {
      const { weight_map } = readConfigFile(shardIndexSchema, path.join(dir, index));
      const byFile = new Map<string, Set<string>>();
      for (const [key, file] of Object.entries(weight_map))
        byFile.set(file, (byFile.get(file) ?? new Set()).add(key));
      for (const [file, keys] of byFile) addFile(SafetensorsFile.open(path.join(dir, file)), keys);
    } else {
      const present = fs.existsSync(dir) ? fs.readdirSync(dir) : [];
      const pickle = present.filter((f) => f.endsWith('.bin') || f.endsWith('.ckpt') || f.endsWith('.pt'));
      throw new Error(
        `${label}: no safetensors weights in ${dir} (looked for ${WEIGHT_FILES.join(', ')} or a *.safetensors.index.json)` +
          (pickle.length
            ? `; found only PyTorch pickle weights (${pickle.join(', ')}) — save the pipeline again with safe_serialization=True`
            : ''),
      );
    }
  } catch (error) {
    for (const f of files) f.close();
    throw error;
  }
  return { weights: new FileWeightSource(`${label} (${dir})`, refs), files };
}

function legacyVaeName(name: string): string {
  return LEGACY_VAE_ATTENTION.reduce((n, [re, to]) => n.replace(re, to), name);
}

/** True when `dir` looks like a diffusers pipeline folder. */
export function isDiffusersFolder(dir: string): boolean {
  return (
    fs.existsSync(path.join(dir, 'model_index.json')) ||
    (fs.existsSync(path.join(dir, 'unet', 'config.json')) &&
      fs.existsSync(path.join(dir, 'text_encoder', 'config.json')))
  );
}

/** Opens a diffusers SD 1.x / 2.x pipeline folder; weights are checked against the configs. */
export function openDiffusersFolder(dir: string): ModelWeights {
  if (!isDiffusersFolder(dir)) {
    throw new Error(
      `${dir} is not a diffusers pipeline folder: it needs model_index.json or unet/ and text_encoder/ with config.json`,
    );
  }
  const indexFile = path.join(dir, 'model_index.json');
  if (fs.existsSync(indexFile)) {
    const index = readConfigFile(modelIndexSchema, indexFile);
    for (const part of ['unet', 'vae', 'text_encoder']) {
      if (!index.components[part]?.className)
        throw new Error(
          `${indexFile}: the pipeline has no ${part}; an SD pipeline needs unet, vae and text_encoder`,
        );
    }
  }
  const unet = readConfigFile(unetConfigSchema, path.join(dir, 'unet', 'config.json'));
  const vae = readConfigFile(vaeConfigSchema, path.join(dir, 'vae', 'config.json'));
  const textEncoder = readConfigFile(clipTextConfigSchema, path.join(dir, 'text_encoder', 'config.json'));
  const schedulerFile = path.join(dir, 'scheduler', 'scheduler_config.json');
  const scheduler = fs.existsSync(schedulerFile)
    ? readConfigFile(schedulerConfigSchema, schedulerFile)
    : schedulerConfigSchema.parse(SD_SCHEDULER_DEFAULTS);
  const { family, reasons } = familyFromConfigs(textEncoder, unet);
  const parts: ComponentWeights[] = [];
  try {
    parts.push(openComponentWeights(path.join(dir, 'unet'), 'unet'));
    parts.push(openComponentWeights(path.join(dir, 'vae'), 'vae', legacyVaeName));
    parts.push(openComponentWeights(path.join(dir, 'text_encoder'), 'text_encoder'));
    const hint = `Check that ${dir} holds one complete pipeline whose weights match its config.json files.`;
    assertWeightsMatch(parts[0]!.weights, unetParameterShapes(unet), hint);
    assertWeightsMatch(parts[1]!.weights, vaeParameterShapes(vae), hint);
    assertWeightsMatch(parts[2]!.weights, clipTextParameterShapes(textEncoder), hint);
  } catch (error) {
    for (const part of parts) for (const f of part.files) f.close();
    throw error;
  }
  const tokenizerDir = path.join(dir, 'tokenizer');
  return {
    format: 'diffusers',
    path: dir,
    family,
    familyReasons: reasons,
    predictionType: scheduler.prediction_type,
    configs: { unet, vae, textEncoder, scheduler },
    configSource: 'diffusers folder',
    assumptions: fs.existsSync(schedulerFile)
      ? []
      : ['scheduler config: SD 1.5 defaults (no scheduler/scheduler_config.json)'],
    unet: parts[0]!.weights,
    vae: parts[1]!.weights,
    textEncoder: parts[2]!.weights,
    tokenizerDir: fs.existsSync(tokenizerDir) ? tokenizerDir : undefined,
    close: () => parts.forEach((part) => part.files.forEach((f) => f.close())),
  };
}

/** A transformers CLIPModel folder (config.json + model.safetensors), e.g. the scoring CLIP. */
export interface OpenedClipModel {
  readonly config: ClipModelConfig;
  readonly weights: FileWeightSource;
  close(): void;
}

/** Opens a CLIPModel folder and checks its weights against its config. */
export function openClipModelFolder(dir: string): OpenedClipModel {
  const config = readConfigFile(clipModelConfigSchema, path.join(dir, 'config.json'));
  const { weights, files } = openComponentWeights(dir, 'clip');
  try {
    assertWeightsMatch(
      weights,
      clipModelParameterShapes(config),
      `Check that ${dir} holds a CLIPModel matching its config.json.`,
    );
  } catch (error) {
    files.forEach((f) => f.close());
    throw error;
  }
  return { config, weights, close: () => files.forEach((f) => f.close()) };
}
