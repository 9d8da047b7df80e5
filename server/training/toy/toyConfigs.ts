/**
 * Configs of the toy shapes-world models: the real SD 1.x / CLIP classes at small widths. Images are 32×32,
 * the VAE downsamples by 4 (8×8×4 latents), the text encoder is the text tower of a CLIP trained on the
 * world, and the scoring CLIP is a second CLIP trained with every shape named.
 */
import {
  clipModelConfigSchema,
  clipTextConfigSchema,
  type ClipModelConfig,
} from '../../sd/weights/clipConfigs';
import {
  SD_SCHEDULER_DEFAULTS,
  schedulerConfigSchema,
  unetConfigSchema,
  vaeConfigSchema,
} from '../../sd/weights/diffusersConfigs';
import type { ModelConfigs } from '../../sd/weights/modelWeights';
import { toyVocabulary } from './toyVocabulary';

/** Image side of the toy world. */
export const TOY_IMAGE_SIZE = 32;
/** Width of the text towers = the UNet's context width. */
export const TOY_TEXT_WIDTH = 64;

/** The CLIP text tower config (SD 1.x CLIPTextModel) with the toy vocabulary's size and ids. */
export function toyTextConfig() {
  const vocab = toyVocabulary().encoder.size;
  return clipTextConfigSchema.parse({
    architectures: ['CLIPTextModel'],
    model_type: 'clip_text_model',
    vocab_size: vocab,
    hidden_size: TOY_TEXT_WIDTH,
    intermediate_size: 4 * TOY_TEXT_WIDTH,
    projection_dim: TOY_TEXT_WIDTH,
    num_hidden_layers: 2,
    num_attention_heads: 4,
    max_position_embeddings: 77,
    hidden_act: 'quick_gelu',
    layer_norm_eps: 1e-5,
    bos_token_id: vocab - 2,
    eos_token_id: vocab - 1,
    pad_token_id: vocab - 1,
  });
}

/** A CLIPModel: the text tower above and a ViT with 8-pixel patches on 32×32 images (4-pixel patches see too little of a silhouette: contrastive training never found the shapes). */
export function toyClipConfig(): ClipModelConfig {
  return clipModelConfigSchema.parse({
    architectures: ['CLIPModel'],
    model_type: 'clip',
    projection_dim: TOY_TEXT_WIDTH,
    logit_scale_init_value: 2.6592,
    text_config: toyTextConfig(),
    vision_config: {
      hidden_size: TOY_TEXT_WIDTH,
      intermediate_size: 4 * TOY_TEXT_WIDTH,
      projection_dim: TOY_TEXT_WIDTH,
      num_hidden_layers: 2,
      num_attention_heads: 4,
      num_channels: 3,
      image_size: TOY_IMAGE_SIZE,
      patch_size: 8,
      hidden_act: 'quick_gelu',
      layer_norm_eps: 1e-5,
    },
  });
}

/** The SD 1.x configs of the toy generator; `scalingFactor` comes from the trained VAE's latent spread. */
export function toyModelConfigs(scalingFactor = 1): ModelConfigs {
  return {
    textEncoder: toyTextConfig(),
    vae: vaeConfigSchema.parse({
      _class_name: 'AutoencoderKL',
      in_channels: 3,
      out_channels: 3,
      down_block_types: Array(3).fill('DownEncoderBlock2D'),
      up_block_types: Array(3).fill('UpDecoderBlock2D'),
      block_out_channels: [16, 32, 64],
      layers_per_block: 1,
      latent_channels: 4,
      norm_num_groups: 8,
      sample_size: TOY_IMAGE_SIZE,
      scaling_factor: scalingFactor,
    }),
    unet: unetConfigSchema.parse({
      _class_name: 'UNet2DConditionModel',
      sample_size: TOY_IMAGE_SIZE / 4,
      in_channels: 4,
      out_channels: 4,
      down_block_types: ['CrossAttnDownBlock2D', 'CrossAttnDownBlock2D', 'DownBlock2D'],
      up_block_types: ['UpBlock2D', 'CrossAttnUpBlock2D', 'CrossAttnUpBlock2D'],
      block_out_channels: [32, 64, 64],
      layers_per_block: 1,
      attention_head_dim: 4,
      cross_attention_dim: TOY_TEXT_WIDTH,
      norm_num_groups: 8,
      use_linear_projection: false,
      upcast_attention: false,
    }),
    scheduler: schedulerConfigSchema.parse({ ...SD_SCHEDULER_DEFAULTS }),
  };
}
