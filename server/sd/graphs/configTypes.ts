/**
 * The config fields the graph builders read, named exactly as in transformers' / diffusers' config.json, so
 * a parsed config (e.g. from server/sd/weights) is accepted as is. Optional fields carry the library
 * defaults noted beside them.
 */

/** transformers CLIPTextConfig. */
export interface ClipTextConfig {
  readonly vocab_size: number;
  readonly hidden_size: number;
  readonly intermediate_size: number;
  readonly num_hidden_layers: number;
  readonly num_attention_heads: number;
  readonly max_position_embeddings: number;
  /** "quick_gelu" (SD 1.x, OpenAI CLIP) or "gelu" (SD 2.x, OpenCLIP). */
  readonly hidden_act: string;
  readonly layer_norm_eps: number;
  /** Pooling takes the first position holding this id; default 2 means transformers' legacy argmax rule. */
  readonly eos_token_id?: number;
}

/** transformers CLIPVisionConfig. */
export interface ClipVisionConfig {
  readonly hidden_size: number;
  readonly intermediate_size: number;
  readonly num_hidden_layers: number;
  readonly num_attention_heads: number;
  readonly image_size: number;
  readonly patch_size: number;
  /** Default 3. */
  readonly num_channels?: number;
  readonly hidden_act: string;
  readonly layer_norm_eps: number;
}

/** transformers CLIPConfig (the scoring model). */
export interface ClipModelConfig {
  readonly projection_dim: number;
  readonly text_config: ClipTextConfig;
  readonly vision_config: ClipVisionConfig;
}

/** diffusers UNet2DConditionModel config (the SD 1.x / 2.x subset). */
export interface UNetConfig {
  readonly in_channels: number;
  readonly out_channels: number;
  readonly block_out_channels: readonly number[];
  readonly down_block_types: readonly string[];
  readonly up_block_types: readonly string[];
  /** Default "UNetMidBlock2DCrossAttn". */
  readonly mid_block_type?: string | null;
  readonly layers_per_block: number | readonly number[];
  /** Default 1. */
  readonly transformer_layers_per_block?: number | readonly number[];
  /** diffusers ≤ 0.21 naming: the number of heads per block (an int or one entry per down block). */
  readonly attention_head_dim: number | readonly number[];
  /** When set, the heads per block (newer configs); takes precedence over `attention_head_dim`. */
  readonly num_attention_heads?: number | readonly number[] | null;
  readonly cross_attention_dim: number | readonly number[];
  readonly norm_num_groups: number;
  readonly norm_eps: number;
  readonly flip_sin_to_cos: boolean;
  readonly freq_shift: number;
  /** Default false: 1x1-conv proj_in/proj_out (SD 1.x); true: Linear (SD 2.x). */
  readonly use_linear_projection?: boolean;
  /** Attention in float32 for fp16 models; the graphs compute in float32 anyway. */
  readonly upcast_attention?: boolean;
  /** Default 1. */
  readonly downsample_padding?: number;
  /** Default 1. */
  readonly mid_block_scale_factor?: number;
  /** Default "silu". */
  readonly act_fn?: string;
  /** Default 3. */
  readonly conv_in_kernel?: number;
  /** Default 3. */
  readonly conv_out_kernel?: number;
  /** Default false. */
  readonly center_input_sample?: boolean;
  /** Default false. */
  readonly only_cross_attention?: boolean | readonly boolean[];
  /** Fields of other UNet variants; the builder refuses them when set. */
  readonly class_embed_type?: string | null;
  readonly addition_embed_type?: string | null;
  readonly time_embedding_type?: string;
  readonly resnet_time_scale_shift?: string;
}

/** diffusers AutoencoderKL config. */
export interface VaeConfig {
  readonly in_channels: number;
  readonly out_channels: number;
  readonly latent_channels: number;
  readonly block_out_channels: readonly number[];
  readonly down_block_types: readonly string[];
  readonly up_block_types: readonly string[];
  readonly layers_per_block: number;
  readonly norm_num_groups: number;
  /** Default "silu". */
  readonly act_fn?: string;
  /** Latents for the UNet = mean (or sample) × scaling_factor; the builders leave scaling to the caller. */
  readonly scaling_factor?: number;
}
