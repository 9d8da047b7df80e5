/**
 * Writes diffusers-layout weights as one single-file ldm-layout checkpoint (the format users drop into
 * models/checkpoints/), via the same key map the loader uses. The configs go into the metadata so the file
 * reopens with its exact architecture, including head counts the shapes cannot tell.
 */
import { CONFIGS_METADATA_KEY } from './configOverrides';
import { LdmKeyMap, type Component } from './ldmKeyMap';
import type { LdmLayout } from './ldmLayout';
import type { ModelConfigs } from './modelWeights';
import type { ModelFamily } from './modelFamily';
import { perBlock } from './parameterShapes';
import { elementCount } from './safetensorsHeader';
import { writeSafetensors, type SafetensorsEntry } from './safetensorsWriter';
import { float32ToFloat16 } from './tensorDtypes';
import { hasFloat16, type WeightSource } from './weightSource';

/** What `writeLdmCheckpoint` writes. */
export interface LdmCheckpointParts {
  readonly family: ModelFamily;
  readonly configs: ModelConfigs;
  readonly unet: WeightSource;
  readonly vae: WeightSource;
  /**
   * SD 2.x: may hold one layer more than `configs.textEncoder.num_hidden_layers` — the OpenCLIP tower's last
   * block, which SD 2.x never runs; it is written as the checkpoint's last resblock (zeros when absent).
   */
  readonly textEncoder: WeightSource;
}

/** The checkpoint structure implied by diffusers configs. */
export function ldmLayoutFromConfigs(family: ModelFamily, configs: ModelConfigs): LdmLayout {
  const { unet, vae, textEncoder } = configs;
  const levels = unet.block_out_channels.length;
  return {
    family,
    unet: {
      layersPerBlock: perBlock(unet.layers_per_block, levels, 'layers_per_block'),
      downAttention: unet.down_block_types.map((t) => t === 'CrossAttnDownBlock2D'),
      upAttention: unet.up_block_types.map((t) => t === 'CrossAttnUpBlock2D'),
      midAttention: unet.mid_block_type === 'UNetMidBlock2DCrossAttn',
    },
    vae: { levels: vae.block_out_channels.length, layersPerBlock: vae.layers_per_block },
    textLayers: textEncoder.num_hidden_layers + (family === 'sd2' ? 1 : 0),
  };
}

type Values = Float32Array | Uint16Array;

interface Pending {
  shape: readonly number[];
  /** float32 values, or float16 bit patterns from a source that has them (F16 output only). */
  parts: Array<() => Values>;
}

/** Writes an ldm-layout `.safetensors` checkpoint (atomically); `dtype` F16 halves the size, as `--half`. */
export async function writeLdmCheckpoint(
  file: string,
  model: LdmCheckpointParts,
  options: { dtype?: 'F32' | 'F16'; metadata?: Record<string, string> } = {},
): Promise<void> {
  const layout = ldmLayoutFromConfigs(model.family, model.configs);
  const map = new LdmKeyMap(layout);
  const pending = new Map<string, Pending>();
  const dtype = options.dtype ?? 'F32';
  const sources: Array<[Component, WeightSource]> = [
    ['unet', model.unet],
    ['vae', model.vae],
    ['text_encoder', model.textEncoder],
  ];
  const lastLayer = model.configs.textEncoder.num_hidden_layers;
  for (const [component, source] of sources) {
    for (const name of source.names()) {
      if (/(^|\.)position_ids$/.test(name)) continue;
      const target = map.toLdm(component, name);
      if (!target) {
        if (component === 'text_encoder' && name.startsWith(`text_model.encoder.layers.${lastLayer}.`))
          continue;
        throw new Error(
          `${source.label}: weight "${name}" has no place in an ldm checkpoint of this configuration`,
        );
      }
      const shape = source.shape(name);
      const storedShape = target.unsqueeze
        ? [...shape, 1, 1]
        : target.part
          ? [shape[0]! * target.part.of, ...shape.slice(1)]
          : shape;
      const entry = pending.get(target.key) ?? { shape: storedShape, parts: [] };
      entry.parts[target.part?.index ?? 0] =
        dtype === 'F16' && hasFloat16(source) ? () => source.readFloat16(name) : () => source.read(name);
      pending.set(target.key, entry);
    }
  }
  if (model.family === 'sd2') addLastOpenClipBlock(pending, map, model.textEncoder, lastLayer);
  const entries: SafetensorsEntry[] = [...pending.keys()].sort().map((key) => {
    const { shape, parts } = pending.get(key)!;
    const expectedParts = /attn\.in_proj_(weight|bias)$/.test(key) ? 3 : 1;
    if (parts.filter(Boolean).length !== expectedParts) {
      throw new Error(
        `ldm tensor "${key}" needs ${expectedParts} parts (q, k, v) but the text encoder supplies ${parts.filter(Boolean).length}`,
      );
    }
    return {
      name: key,
      dtype,
      shape,
      data: () =>
        concat(
          parts.map((read) => read()),
          elementCount(shape),
        ),
    };
  });
  const configs = {
    unet: model.configs.unet,
    vae: model.configs.vae,
    text_encoder: model.configs.textEncoder,
    scheduler: model.configs.scheduler,
  };
  await writeSafetensors(file, entries, {
    format: 'pt',
    [CONFIGS_METADATA_KEY]: JSON.stringify(configs),
    ...options.metadata,
  });
}

/** The unused last OpenCLIP block: the source's extra layer when it has one, zeros otherwise. */
function addLastOpenClipBlock(
  pending: Map<string, Pending>,
  map: LdmKeyMap,
  text: WeightSource,
  last: number,
): void {
  const template = map
    .toLdm('text_encoder', 'text_model.encoder.layers.0.layer_norm1.weight')!
    .key.replace(/\.0\.ln_1\.weight$/, '.');
  for (const key of [...pending.keys()]) {
    if (!key.startsWith(`${template}0.`)) continue;
    const lastKey = `${template}${last}.${key.slice(template.length + 2)}`;
    const { shape, parts } = pending.get(key)!;
    const sourceNames = parts.map((_, index) => {
      const inner = key.slice(template.length + 2);
      const fused = /^attn\.in_proj_(weight|bias)$/.exec(inner);
      if (fused) return `text_model.encoder.layers.${last}.self_attn.${'qkv'[index]}_proj.${fused[1]}`;
      const zeroTarget = map.toDiffusers(key);
      return Array.isArray(zeroTarget) ? zeroTarget[0]!.key.replace('.layers.0.', `.layers.${last}.`) : '';
    });
    const reads = sourceNames.map((name) =>
      text.has(name) ? () => text.read(name) : () => new Float32Array(elementCount(shape) / parts.length),
    );
    pending.set(lastKey, { shape, parts: reads });
  }
}

/** The parts as one tensor: float32, or float16 bits when any part is (float32 parts are converted). */
function concat(parts: Values[], total: number): Values {
  if (parts.length === 1) return parts[0]!;
  const half = parts.some((p) => p instanceof Uint16Array);
  const out = half ? new Uint16Array(total) : new Float32Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(half && p instanceof Float32Array ? float32ToFloat16(p) : p, offset);
    offset += p.length;
  }
  return out;
}
