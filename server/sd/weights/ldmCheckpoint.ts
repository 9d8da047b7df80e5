/**
 * Single-file SD 1.x / 2.x checkpoints in the original ldm layout (`model.diffusion_model.*`,
 * `first_stage_model.*`, `cond_stage_model.transformer.*` or SD 2.x's OpenCLIP `cond_stage_model.model.*`)
 * presented as three diffusers-layout `WeightSource`s. Nothing is copied: each diffusers weight is a
 * reference to (a row range of) a stored tensor, read and widened to float32 on demand.
 */
import path from 'node:path';
import { compareWeights, listNames } from './checkWeights';
import {
  applyOverrides,
  collectOverrides,
  overrideSettles,
  sidecarConfigPath,
  type ConfigOverrides,
} from './configOverrides';
import type { PredictionType } from './diffusersConfigs';
import { inferLdmConfigs, populationStd, V_PREDICTION_PROBE, V_PREDICTION_STD } from './inferConfigs';
import { IGNORED, LdmKeyMap, type Component } from './ldmKeyMap';
import { ldmLayoutFromNames } from './ldmLayout';
import type { ModelWeights } from './modelWeights';
import { familyFromLdmKeys } from './modelFamily';
import { clipTextParameterShapes, unetParameterShapes, vaeParameterShapes } from './parameterShapes';
import { SafetensorsFile } from './safetensorsFile';
import { FileWeightSource, type TensorRef } from './weightSource';

/** Options for `openLdmCheckpoint`. */
export interface LdmOpenOptions {
  /** Config fields that win over the file's metadata, its sidecar and the inferred values. */
  readonly configs?: ConfigOverrides;
  /**
   * Return even when some config fields could not be decided (they keep a placeholder and are listed in
   * `assumptions`); for weight-only uses such as key-map checks. Default false: such a checkpoint throws.
   */
  readonly allowUnresolved?: boolean;
}

/** The references for one stored tensor's diffusers targets. */
function refsFor(
  file: SafetensorsFile,
  key: string,
  map: LdmKeyMap,
): Array<[Component, string, TensorRef]> | 'ignored' | undefined {
  const targets = map.toDiffusers(key);
  if (targets === IGNORED || targets === undefined) return targets;
  const stored = file.shape(key);
  return targets.map((t) => {
    let shape = stored;
    let start = 0;
    if (t.part) {
      const rows = stored[0]!;
      if (rows % t.part.of !== 0)
        throw new Error(
          `${file.path}: fused tensor "${key}" has ${rows} rows, not divisible into ${t.part.of} (q, k, v)`,
        );
      shape = [rows / t.part.of, ...stored.slice(1)];
      start = t.part.index * shape.reduce((a, b) => a * b, 1);
    } else if (t.squeeze) {
      shape = stored.length === 4 && stored[2] === 1 && stored[3] === 1 ? stored.slice(0, 2) : stored;
    }
    return [t.component, t.key, { file, key, shape, start }];
  });
}

/** SD 2.x 768-v checkpoints are told from 2.x-base ones by a weight statistic (ComfyUI's rule). */
function detectPrediction(file: SafetensorsFile, family: string): { type: PredictionType; note: string } {
  if (family !== 'sd2' || !file.has(V_PREDICTION_PROBE)) {
    return {
      type: 'epsilon',
      note: 'prediction_type epsilon (family default; the checkpoint cannot say otherwise)',
    };
  }
  const std = populationStd(file.readFloat32(V_PREDICTION_PROBE));
  const type = std > V_PREDICTION_STD ? 'v_prediction' : 'epsilon';
  return {
    type,
    note: `prediction_type ${type}: std ${std.toFixed(4)} of ${V_PREDICTION_PROBE} vs ${V_PREDICTION_STD}`,
  };
}

/** Opens a single-file ldm-layout checkpoint (.safetensors) as diffusers-layout weights plus configs. */
export function openLdmCheckpoint(file: string, options: LdmOpenOptions = {}): ModelWeights {
  const st = SafetensorsFile.open(file);
  try {
    return buildModel(st, options);
  } catch (error) {
    st.close();
    throw error;
  }
}

function buildModel(st: SafetensorsFile, options: LdmOpenOptions): ModelWeights {
  const file = st.path;
  const names = st.names();
  const { family, reasons } = familyFromLdmKeys(names);
  const map = new LdmKeyMap(ldmLayoutFromNames(names, family));
  const refs: Record<Component, Map<string, TensorRef>> = {
    unet: new Map(),
    vae: new Map(),
    text_encoder: new Map(),
  };
  const origin = new Map<string, string>();
  const unexpected: string[] = [];
  for (const key of names) {
    const found = refsFor(st, key, map);
    if (found === undefined) unexpected.push(key);
    if (found === undefined || found === IGNORED) continue;
    for (const [component, name, ref] of found) {
      const id = `${component}/${name}`;
      if (origin.has(id))
        throw new Error(
          `${file}: "${key}" and "${origin.get(id)}" both map to ${id}; the checkpoint mixes key layouts`,
        );
      origin.set(id, key);
      refs[component].set(name, ref);
    }
  }
  const label = (c: string) => `${c} (${path.basename(file)})`;
  const unet = new FileWeightSource(label('unet'), refs.unet);
  const vae = new FileWeightSource(label('vae'), refs.vae);
  const textEncoder = new FileWeightSource(label('text_encoder'), refs.text_encoder);

  const { overrides, sources } = collectOverrides(file, st.metadata, options.configs);
  const prediction =
    overrides.scheduler?.prediction_type === undefined ? detectPrediction(st, family) : undefined;
  const inferred = inferLdmConfigs(st, map, prediction?.type ?? 'epsilon');
  const configs = applyOverrides(inferred.configs, overrides, file);
  const unresolved = inferred.unresolved.filter((entry) => !overrideSettles(overrides, entry));
  if (unresolved.length > 0 && !options.allowUnresolved) {
    throw new Error(
      `${file}: cannot infer ${unresolved.join(', ')} from the tensor shapes (its widths do not follow the SD ${family === 'sd2' ? '2' : '1'}.x defaults). ` +
        `Put the model's diffusers configs next to it as ${sidecarConfigPath(file)}, e.g. {"unet": {"attention_head_dim": ...}, "text_encoder": {"num_attention_heads": ...}}, ` +
        `or use its diffusers folder instead.`,
    );
  }

  const problems: string[] = [];
  if (unexpected.length) problems.push(listNames('unexpected', unexpected));
  const checks: Array<[Component, FileWeightSource, Map<string, readonly number[]>]> = [
    ['unet', unet, unetParameterShapes(configs.unet)],
    ['vae', vae, vaeParameterShapes(configs.vae)],
    ['text_encoder', textEncoder, clipTextParameterShapes(configs.textEncoder)],
  ];
  for (const [component, source, expected] of checks) {
    const result = compareWeights(source, expected);
    const ldmName = (name: string) => map.toLdm(component, name)?.key ?? `${component}/${name}`;
    if (result.missing.length)
      problems.push(listNames(`missing ${component}`, [...new Set(result.missing.map(ldmName))]));
    if (result.unexpected.length)
      problems.push(
        listNames(
          `unexpected ${component}`,
          result.unexpected.map((n) => origin.get(`${component}/${n}`) ?? n),
        ),
      );
    if (result.wrongShape.length)
      problems.push(listNames(`${component} with the wrong shape`, result.wrongShape));
  }
  if (problems.length) {
    throw new Error(
      `${file}: not a complete SD ${family === 'sd2' ? '2' : '1'}.x checkpoint — ${problems.join('; ')}. The file is damaged, from another architecture, or its keys were renamed; re-download or re-export it.`,
    );
  }

  const configSource = sources.length
    ? `inferred from tensor shapes, overridden by ${sources.join(', ')}`
    : 'inferred from tensor shapes';
  const assumptions = [...inferred.assumptions, ...(prediction ? [prediction.note] : [])];
  if (unresolved.length) assumptions.push(`UNRESOLVED (placeholder values): ${unresolved.join(', ')}`);
  return {
    format: 'ldm',
    path: file,
    family,
    familyReasons: reasons,
    predictionType: configs.scheduler.prediction_type,
    configs,
    configSource,
    assumptions,
    unet,
    vae,
    textEncoder,
    close: () => st.close(),
  };
}
