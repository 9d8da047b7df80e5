/**
 * Configs of the toy shapes-world models: the real SD 1.x / CLIP classes at small widths. Images are 32×32,
 * the VAE downsamples by 4 (8×8×4 latents), the text encoder is the text tower of a CLIP trained on the
 * world, and the scoring CLIP is a second CLIP trained with every shape named. The SD 2.x twin has SD 2.x's
 * structure at the same widths: an OpenCLIP-style text tower (exact gelu, "!" padding, the penultimate
 * block's states), linear projections and a constant head width in the UNet, and v-prediction.
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
import type { ModelFamily } from '../../sd/weights/modelFamily';
import { toyVocabulary } from './toyVocabulary';

/** Image side of the toy world. */
export const TOY_IMAGE_SIZE = 32;
/** Width of the text towers = the UNet's context width. */
export const TOY_TEXT_WIDTH = 64;

/** Channels per attention head of the SD 2.x twin's UNet (SD 2.x keeps the head width constant: 64). */
export const TOY_SD2_HEAD_CHANNELS = 16;

/**
 * The CLIP text tower config with the toy vocabulary's size and ids: SD 1.x's CLIPTextModel, or for `sd2` the
 * OpenCLIP tower as diffusers holds it (exact gelu, pad id 0 = "!"); its checkpoint holds one block more, the
 * last, which SD 2.x never runs.
 */
export function toyTextConfig(family: ModelFamily = 'sd1') {
  const vocab = toyVocabulary().encoder.size;
  const sd2 = family === 'sd2';
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
    hidden_act: sd2 ? 'gelu' : 'quick_gelu',
    layer_norm_eps: 1e-5,
    bos_token_id: vocab - 2,
    eos_token_id: vocab - 1,
    pad_token_id: sd2 ? 0 : vocab - 1,
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

/**
 * The configs of the toy generator (SD 1.x, or its SD 2.x twin); `scalingFactor` comes from the trained VAE's
 * latent spread.
 */
export function toyModelConfigs(scalingFactor = 1, family: ModelFamily = 'sd1'): ModelConfigs {
  const sd2 = family === 'sd2';
  const blockOut = [32, 64, 64];
  return {
    textEncoder: toyTextConfig(family),
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
      block_out_channels: blockOut,
      layers_per_block: 1,
      // diffusers' attention_head_dim is the number of heads (SD 2.x lists one per level)
      attention_head_dim: sd2 ? blockOut.map((c) => c / TOY_SD2_HEAD_CHANNELS) : 4,
      cross_attention_dim: TOY_TEXT_WIDTH,
      norm_num_groups: 8,
      use_linear_projection: sd2,
      upcast_attention: false,
    }),
    scheduler: schedulerConfigSchema.parse({
      ...SD_SCHEDULER_DEFAULTS,
      prediction_type: sd2 ? 'v_prediction' : 'epsilon',
    }),
  };
}
