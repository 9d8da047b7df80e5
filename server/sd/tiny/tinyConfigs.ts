/**
 * Configs of the embedded tiny models: the real SD 1.x / 2.x / CLIP structures (same block types, key names
 * and maths) at widths small enough that sampling and a short textual-inversion run take seconds on two CPU
 * cores. Images are 128×128 (16×16 latents, VAE factor 8); the text encoders use the built-in 1000-entry
 * BPE vocabulary (BOS 998, EOS 999).
 */
import { clipModelConfigSchema, clipTextConfigSchema, type ClipModelConfig } from '../weights/clipConfigs';
import {
  SD_SCHEDULER_DEFAULTS,
  schedulerConfigSchema,
  unetConfigSchema,
  vaeConfigSchema,
} from '../weights/diffusersConfigs';
import type { ModelConfigs } from '../weights/modelWeights';
import type { ModelFamily } from '../weights/modelFamily';

/** Entries of the tiny BPE vocabulary (512 byte symbols + 486 merges + BOS + EOS). */
export const TINY_VOCAB_SIZE = 1000;
/** Tiny text width = UNet context width. */
export const TINY_TEXT_WIDTH = 32;
/** Image side of the tiny models' native resolution. */
export const TINY_IMAGE_SIZE = 128;

const text = (family: ModelFamily) =>
  clipTextConfigSchema.parse({
    architectures: ['CLIPTextModel'],
    model_type: 'clip_text_model',
    vocab_size: TINY_VOCAB_SIZE,
    hidden_size: TINY_TEXT_WIDTH,
    intermediate_size: 4 * TINY_TEXT_WIDTH,
    projection_dim: TINY_TEXT_WIDTH,
    // SD 2.x keeps all but the last OpenCLIP block; the checkpoint holds one more (never run)
    num_hidden_layers: 2,
    num_attention_heads: 4,
    max_position_embeddings: 77,
    hidden_act: family === 'sd2' ? 'gelu' : 'quick_gelu',
    layer_norm_eps: 1e-5,
    bos_token_id: TINY_VOCAB_SIZE - 2,
    eos_token_id: TINY_VOCAB_SIZE - 1,
    pad_token_id: family === 'sd2' ? 0 : TINY_VOCAB_SIZE - 1,
  });

const unet = (family: ModelFamily) =>
  unetConfigSchema.parse({
    _class_name: 'UNet2DConditionModel',
    sample_size: TINY_IMAGE_SIZE / 8,
    in_channels: 4,
    out_channels: 4,
    down_block_types: ['CrossAttnDownBlock2D', 'CrossAttnDownBlock2D', 'CrossAttnDownBlock2D', 'DownBlock2D'],
    up_block_types: ['UpBlock2D', 'CrossAttnUpBlock2D', 'CrossAttnUpBlock2D', 'CrossAttnUpBlock2D'],
    block_out_channels: [32, 32, 32, 64],
    layers_per_block: 1,
    // diffusers 0.21 naming: heads per block (SD 2.x gives one per block, head size 16 here)
    attention_head_dim: family === 'sd2' ? [2, 2, 2, 4] : 4,
    cross_attention_dim: TINY_TEXT_WIDTH,
    norm_num_groups: 16,
    use_linear_projection: family === 'sd2',
    upcast_attention: false,
  });

const vae = () =>
  vaeConfigSchema.parse({
    _class_name: 'AutoencoderKL',
    in_channels: 3,
    out_channels: 3,
    down_block_types: Array(4).fill('DownEncoderBlock2D'),
    up_block_types: Array(4).fill('UpDecoderBlock2D'),
    block_out_channels: [16, 32, 32, 32],
    layers_per_block: 1,
    latent_channels: 4,
    norm_num_groups: 16,
    sample_size: TINY_IMAGE_SIZE,
    scaling_factor: 0.18215,
  });

/** The diffusers configs of tiny SD 1.x (epsilon) or SD 2.x (OpenCLIP text, linear projections, v-prediction). */
export function tinyConfigs(family: ModelFamily): ModelConfigs {
  return {
    unet: unet(family),
    vae: vae(),
    textEncoder: text(family),
    scheduler: schedulerConfigSchema.parse({
      ...SD_SCHEDULER_DEFAULTS,
      prediction_type: family === 'sd2' ? 'v_prediction' : 'epsilon',
    }),
  };
}

/** The tiny scoring CLIP (transformers CLIPModel): the tiny text tower plus a 64-pixel ViT with 8-pixel patches. */
export function tinyClipConfig(): ClipModelConfig {
  return clipModelConfigSchema.parse({
    architectures: ['CLIPModel'],
    model_type: 'clip',
    projection_dim: 16,
    logit_scale_init_value: 2.6592,
    text_config: { ...text('sd1') },
    vision_config: {
      hidden_size: TINY_TEXT_WIDTH,
      intermediate_size: 4 * TINY_TEXT_WIDTH,
      projection_dim: 16,
      num_hidden_layers: 2,
      num_attention_heads: 4,
      num_channels: 3,
      image_size: 64,
      patch_size: 8,
      hidden_act: 'quick_gelu',
      layer_norm_eps: 1e-5,
    },
  });
}
