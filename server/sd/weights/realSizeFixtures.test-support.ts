/**
 * Real SD 1.5 / SD 2.1 configs (as published in their diffusers folders) and the names + shapes of a
 * single-file checkpoint of that architecture, without any tensor data, for tests of the key map and the
 * config inference at full size.
 */
import { clipTextConfigSchema } from './clipConfigs';
import {
  SD_SCHEDULER_DEFAULTS,
  schedulerConfigSchema,
  unetConfigSchema,
  vaeConfigSchema,
} from './diffusersConfigs';
import type { ShapeIndex } from './inferConfigs';
import { LdmKeyMap, type Component } from './ldmKeyMap';
import { ldmLayoutFromConfigs } from './ldmCheckpointWriter';
import type { ModelConfigs } from './modelWeights';
import type { ModelFamily } from './modelFamily';
import { clipTextParameterShapes, unetParameterShapes, vaeParameterShapes } from './parameterShapes';

const vae = vaeConfigSchema.parse({
  block_out_channels: [128, 256, 512, 512],
  down_block_types: Array(4).fill('DownEncoderBlock2D'),
  up_block_types: Array(4).fill('UpDecoderBlock2D'),
  layers_per_block: 2,
  sample_size: 512,
});

export const SD15: ModelConfigs = {
  unet: unetConfigSchema.parse({ cross_attention_dim: 768, sample_size: 64 }),
  vae,
  textEncoder: clipTextConfigSchema.parse({
    hidden_size: 768,
    intermediate_size: 3072,
    num_attention_heads: 12,
    num_hidden_layers: 12,
    projection_dim: 768,
  }),
  scheduler: schedulerConfigSchema.parse(SD_SCHEDULER_DEFAULTS),
};

export const SD21: ModelConfigs = {
  unet: unetConfigSchema.parse({
    cross_attention_dim: 1024,
    attention_head_dim: [5, 10, 20, 20],
    use_linear_projection: true,
    sample_size: 96,
  }),
  vae: { ...vae, sample_size: 768 },
  textEncoder: clipTextConfigSchema.parse({
    hidden_size: 1024,
    intermediate_size: 4096,
    num_attention_heads: 16,
    num_hidden_layers: 23,
    hidden_act: 'gelu',
    projection_dim: 512,
  }),
  scheduler: schedulerConfigSchema.parse({ ...SD_SCHEDULER_DEFAULTS, prediction_type: 'v_prediction' }),
};

/** ldm names and shapes of a checkpoint with these configs (SD 2.x adds the unused last block and projection). */
export function ldmShapeIndex(
  family: ModelFamily,
  configs: ModelConfigs,
  extra: Record<string, number[]> = {},
): ShapeIndex {
  const map = new LdmKeyMap(ldmLayoutFromConfigs(family, configs));
  const shapes = new Map<string, readonly number[]>();
  const tables: Array<[Component, Map<string, readonly number[]>]> = [
    ['unet', unetParameterShapes(configs.unet)],
    ['vae', vaeParameterShapes(configs.vae)],
    ['text_encoder', clipTextParameterShapes(configs.textEncoder)],
  ];
  for (const [component, table] of tables) {
    for (const [name, shape] of table) {
      const t = map.toLdm(component, name)!;
      shapes.set(t.key, t.unsqueeze ? [...shape, 1, 1] : t.part ? [shape[0]! * 3, ...shape.slice(1)] : shape);
    }
  }
  if (family === 'sd2') {
    const last = configs.textEncoder.num_hidden_layers;
    for (const [key, shape] of [...shapes]) {
      const m = /^(cond_stage_model\.model\.transformer\.resblocks\.)0\.(.*)$/.exec(key);
      if (m) shapes.set(`${m[1]}${last}.${m[2]}`, shape);
    }
    const width = configs.textEncoder.hidden_size;
    shapes.set('cond_stage_model.model.text_projection', [width, width]);
    shapes.set('cond_stage_model.model.logit_scale', []);
  }
  for (const [k, v] of Object.entries(extra)) shapes.set(k, v);
  return { names: () => [...shapes.keys()], has: (n) => shapes.has(n), shape: (n) => shapes.get(n)! };
}
