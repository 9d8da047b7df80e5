/**
 * diffusers config.json schemas (UNet2DConditionModel, AutoencoderKL, scheduler, model_index.json). Missing
 * keys take the defaults of the diffusers 0.21 constructors, so a config saved by any diffusers version
 * parses to the values the library itself would use; unknown keys are kept.
 */
import { z } from 'zod';

const intOrList = z.union([z.number().int(), z.array(z.number().int())]);

/** diffusers UNet2DConditionModel config. */
export const unetConfigSchema = z.looseObject({
  _class_name: z.string().optional(),
  sample_size: z.number().int().nullable().default(null),
  in_channels: z.number().int().positive().default(4),
  out_channels: z.number().int().positive().default(4),
  center_input_sample: z.boolean().default(false),
  flip_sin_to_cos: z.boolean().default(true),
  freq_shift: z.number().default(0),
  down_block_types: z
    .array(z.string())
    .default(['CrossAttnDownBlock2D', 'CrossAttnDownBlock2D', 'CrossAttnDownBlock2D', 'DownBlock2D']),
  mid_block_type: z.string().nullable().default('UNetMidBlock2DCrossAttn'),
  up_block_types: z
    .array(z.string())
    .default(['UpBlock2D', 'CrossAttnUpBlock2D', 'CrossAttnUpBlock2D', 'CrossAttnUpBlock2D']),
  only_cross_attention: z.union([z.boolean(), z.array(z.boolean())]).default(false),
  block_out_channels: z.array(z.number().int().positive()).default([320, 640, 1280, 1280]),
  layers_per_block: intOrList.default(2),
  downsample_padding: z.number().int().default(1),
  mid_block_scale_factor: z.number().default(1),
  act_fn: z.string().default('silu'),
  norm_num_groups: z.number().int().positive().default(32),
  norm_eps: z.number().positive().default(1e-5),
  cross_attention_dim: intOrList.default(1280),
  transformer_layers_per_block: intOrList.default(1),
  /** diffusers ≤ 0.21 naming: the number of heads (per block when a list). */
  attention_head_dim: intOrList.default(8),
  num_attention_heads: intOrList.nullable().default(null),
  use_linear_projection: z.boolean().default(false),
  upcast_attention: z.boolean().default(false),
  class_embed_type: z.string().nullable().default(null),
  addition_embed_type: z.string().nullable().default(null),
  resnet_time_scale_shift: z.string().default('default'),
  time_embedding_type: z.string().default('positional'),
  conv_in_kernel: z.number().int().default(3),
  conv_out_kernel: z.number().int().default(3),
});
export type UNetConfig = z.infer<typeof unetConfigSchema>;

/** diffusers AutoencoderKL config. */
export const vaeConfigSchema = z.looseObject({
  _class_name: z.string().optional(),
  in_channels: z.number().int().positive().default(3),
  out_channels: z.number().int().positive().default(3),
  down_block_types: z.array(z.string()).default(['DownEncoderBlock2D']),
  up_block_types: z.array(z.string()).default(['UpDecoderBlock2D']),
  block_out_channels: z.array(z.number().int().positive()).default([64]),
  layers_per_block: z.number().int().positive().default(1),
  act_fn: z.string().default('silu'),
  latent_channels: z.number().int().positive().default(4),
  norm_num_groups: z.number().int().positive().default(32),
  sample_size: z.number().int().default(32),
  scaling_factor: z.number().positive().default(0.18215),
  force_upcast: z.boolean().default(true),
});
export type VaeConfig = z.infer<typeof vaeConfigSchema>;

/**
 * The scheduler fields model loading needs (the prediction type decides the training target and how
 * samplers read the UNet output); server/diffusion parses the rest with its own schema.
 */
export const schedulerConfigSchema = z.looseObject({
  _class_name: z.string().optional(),
  prediction_type: z.enum(['epsilon', 'v_prediction', 'sample']).default('epsilon'),
  num_train_timesteps: z.number().int().positive().default(1000),
});
export type SchedulerConfig = z.infer<typeof schedulerConfigSchema>;
export type PredictionType = SchedulerConfig['prediction_type'];

/** SD 1.5's scheduler_config.json (also SD 2.1-base's), used when a single-file checkpoint carries none. */
export const SD_SCHEDULER_DEFAULTS: Readonly<Record<string, unknown>> = {
  _class_name: 'PNDMScheduler',
  beta_start: 0.00085,
  beta_end: 0.012,
  beta_schedule: 'scaled_linear',
  num_train_timesteps: 1000,
  steps_offset: 1,
  set_alpha_to_one: false,
  skip_prk_steps: true,
  clip_sample: false,
  trained_betas: null,
  prediction_type: 'epsilon',
};

const componentSchema = z.tuple([z.string().nullable(), z.string().nullable()]);

/** diffusers model_index.json: pipeline class plus `component: [library, class]` entries. */
export const modelIndexSchema = z.looseObject({ _class_name: z.string() }).transform((raw) => {
  const components: Record<string, { library: string | null; className: string | null }> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (key.startsWith('_')) continue;
    const parsed = componentSchema.safeParse(value);
    if (parsed.success) components[key] = { library: parsed.data[0], className: parsed.data[1] };
  }
  return { pipelineClass: raw._class_name, components, raw };
});
export type ModelIndex = z.infer<typeof modelIndexSchema>;
