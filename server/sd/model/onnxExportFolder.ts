/**
 * ONNX export folders as diffusers' `convert_stable_diffusion_checkpoint_to_onnx.py` writes them:
 * `text_encoder/`, `unet/` (external data `weights.pb` or `model.onnx_data`), `vae_encoder/`,
 * `vae_decoder/`, optionally `tokenizer/`, `scheduler/` and `model_index.json`. Nothing is rebuilt: the
 * exported graphs run as they are, and the embeddings-input text encoder and the moments encoder are made
 * by graph surgery. The family is read from the text encoder graph (exact GELU = Erf → OpenCLIP, SD 2.x).
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { halfToFloat } from '../../onnx/dataTypes';
import { loadModel, type ModelWeights as LoadedOnnx } from '../../onnx/modelIO';
import { dimsOf, readTensor } from '../../onnx/tensorProto';
import { graphOf } from '../../onnx/surgery';
import { readConfigFile } from '../weights/configFiles';
import { SD_SCHEDULER_DEFAULTS, schedulerConfigSchema } from '../weights/diffusersConfigs';
import type { ModelFamily } from '../weights/modelFamily';
import type { FrozenModelInfo } from './modelInfo';
import {
  withoutPooling,
  type ComponentLocation,
  type ComponentName,
  type ModelComponents,
  type ModelWithBase,
} from './modelComponents';
import {
  cutTokenEmbedding,
  exposeMoments,
  findTokenEmbedding,
  positionRows,
  usesOp,
} from './onnxExportSurgery';

const REQUIRED = ['text_encoder', 'unet', 'vae_decoder'] as const;
const DEFAULT_SCALING = 0.18215;

/** Whether `dir` looks like an ONNX export folder. */
export function isOnnxExportFolder(dir: string): boolean {
  return REQUIRED.every((part) => fs.existsSync(path.join(dir, part, 'model.onnx')));
}

const vaeConfigSchema = z.looseObject({ scaling_factor: z.number().positive().optional() });

/** An opened ONNX export: its info, raw scheduler config, tokenizer folder and graph source. */
export interface OnnxExport {
  readonly info: FrozenModelInfo;
  readonly schedulerConfig: Record<string, unknown>;
  readonly tokenizerDir?: string;
  readonly components: ModelComponents;
}

function familyOf(textEncoder: LoadedOnnx): { family: ModelFamily; reason: string } {
  if (usesOp(textEncoder.model, 'Erf'))
    return { family: 'sd2', reason: 'text encoder uses exact GELU (Erf): OpenCLIP' };
  if (usesOp(textEncoder.model, 'Sigmoid'))
    return { family: 'sd1', reason: 'text encoder uses quick_gelu (Sigmoid): OpenAI CLIP' };
  if (usesOp(textEncoder.model, 'Gelu') || usesOp(textEncoder.model, 'FastGelu'))
    return { family: 'sd2', reason: 'text encoder uses a GELU op: OpenCLIP' };
  throw new Error(
    'cannot tell SD 1.x from SD 2.x: the text encoder graph has neither quick_gelu (Sigmoid) nor GELU (Erf) nodes',
  );
}

/** Latent channels: the decoder input's declared channel dim, else the first Conv weight reading it. */
function latentChannelsOf(decoder: LoadedOnnx): number | undefined {
  const graph = graphOf(decoder.model);
  const input = graph.input?.[0];
  const declared = input?.type?.tensorType?.shape?.dim?.[1]?.dimValue;
  if (declared) return Number(declared);
  const conv = (graph.node ?? []).find((n) => n.opType === 'Conv' && n.input?.[0] === input?.name);
  const weight = (graph.initializer ?? []).find((t) => t.name === conv?.input?.[1]);
  return weight ? dimsOf(weight)[1] : undefined;
}

/** Opens an ONNX export folder (only the text encoder and VAE decoder graphs are read now). */
export function openOnnxExport(dir: string): OnnxExport {
  const at = (...parts: string[]) => path.join(dir, ...parts);
  for (const part of REQUIRED) {
    if (!fs.existsSync(at(part, 'model.onnx'))) {
      throw new Error(`${dir} is not a complete ONNX export: ${part}/model.onnx is missing`);
    }
  }
  const text = loadModel(at('text_encoder', 'model.onnx'));
  const decoder = loadModel(at('vae_decoder', 'model.onnx'));
  const { family, reason } = familyOf(text);
  const assumptions: string[] = ['latent sizes: multiples of 8 (an SD UNet with 3 downsamplings)'];
  const schedulerFile = at('scheduler', 'scheduler_config.json');
  let schedulerConfig: Record<string, unknown>;
  if (fs.existsSync(schedulerFile)) {
    schedulerConfig = { ...readConfigFile(schedulerConfigSchema, schedulerFile) };
  } else {
    schedulerConfig = { ...SD_SCHEDULER_DEFAULTS };
    assumptions.push(
      'scheduler: SD 1.5 / 2.1-base defaults, prediction_type epsilon (no scheduler/scheduler_config.json)',
    );
  }
  const vaeConfigFile = at('vae_decoder', 'config.json');
  const scalingFactor = fs.existsSync(vaeConfigFile)
    ? (readConfigFile(vaeConfigSchema, vaeConfigFile).scaling_factor ?? DEFAULT_SCALING)
    : DEFAULT_SCALING;
  if (!fs.existsSync(vaeConfigFile)) assumptions.push(`vae scaling_factor ${DEFAULT_SCALING} (SD default)`);
  const { table } = findTokenEmbedding(text.model);
  const [vocab, hidden] = dimsOf(table) as [number, number];
  const maxLength = positionRows(text.model, table) ?? 77;
  const latentChannels = latentChannelsOf(decoder) ?? 4;
  const vaeScaleFactor = 2 ** (graphOf(decoder.model).node ?? []).filter((n) => n.opType === 'Resize').length;
  const info: FrozenModelInfo = {
    format: 'onnx',
    path: dir,
    family,
    familyReasons: [reason],
    predictionType: schedulerConfigSchema.parse(schedulerConfig).prediction_type,
    textHiddenSize: hidden,
    vocabSize: vocab,
    maxLength,
    latentChannels,
    vaeScaleFactor,
    scalingFactor,
    sampleSize: 64,
    latentMultiple: 8,
    assumptions,
  };
  const tokenizerDir = fs.existsSync(at('tokenizer')) ? at('tokenizer') : undefined;
  return { info, schedulerConfig, tokenizerDir, components: new ExportComponents(dir, text) };
}

/** The export's graphs, with surgery results made on first use. */
class ExportComponents implements ModelComponents {
  private embeds: ModelWithBase | undefined;
  private encoder: ComponentLocation | undefined;
  private table: Float32Array | undefined;

  constructor(
    private readonly dir: string,
    private text: LoadedOnnx | undefined,
  ) {}

  private file(part: string): string {
    return path.join(this.dir, part, 'model.onnx');
  }

  private textModel(): LoadedOnnx {
    this.text ??= loadModel(this.file('text_encoder'));
    return this.text;
  }

  private embedsModel(): ModelWithBase {
    if (!this.embeds) {
      const text = this.textModel();
      this.embeds = { model: cutTokenEmbedding(text.model), baseDir: text.baseDir };
    }
    return this.embeds;
  }

  locate(name: ComponentName): ComponentLocation {
    switch (name) {
      case 'text_encoder':
      case 'unet':
      case 'vae_decoder':
        return { file: this.file(name) };
      case 'text_encoder_embeds':
        return this.embedsModel();
      case 'vae_encoder':
        return (this.encoder ??= this.momentsEncoder());
    }
  }

  private momentsEncoder(): ComponentLocation {
    // the dataset's deterministic extra export, when present, is used as is
    const moments = path.join(this.dir, 'vae_encoder_moments', 'model.onnx');
    if (fs.existsSync(moments)) return { file: moments };
    if (!fs.existsSync(this.file('vae_encoder'))) {
      throw new Error(
        `${this.dir} has no vae_encoder/model.onnx; export the VAE encoder too to encode images`,
      );
    }
    const encoder = loadModel(this.file('vae_encoder'));
    return { model: exposeMoments(encoder.model), baseDir: encoder.baseDir };
  }

  trainingTextEncoder(): ModelWithBase {
    const { model, baseDir } = this.embedsModel();
    return { model: withoutPooling(model), baseDir };
  }

  trainingUNet(): ModelWithBase {
    return loadModel(this.file('unet'));
  }

  tokenEmbeddings(): Float32Array {
    if (!this.table) {
      const text = this.textModel();
      const value = readTensor(findTokenEmbedding(text.model).table, text.baseDir);
      if (value.type === 'float32') this.table = value.data as Float32Array;
      else if (value.type === 'float16')
        this.table = Float32Array.from(value.data as Uint16Array, halfToFloat);
      else throw new Error(`token-embedding table is ${value.type}; expected float32 or float16`);
    }
    return this.table;
  }

  close(): void {
    this.text = undefined;
    this.embeds = undefined;
  }
}
