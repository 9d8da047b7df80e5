/**
 * transformers CLIP config schemas (CLIPTextConfig for the SD text encoder, CLIPVisionConfig and CLIPConfig
 * for the scoring model). Missing keys take transformers v4.33 defaults; unknown keys are kept.
 */
import { z } from 'zod';

/** transformers CLIPTextConfig. */
export const clipTextConfigSchema = z.looseObject({
  vocab_size: z.number().int().positive().default(49408),
  hidden_size: z.number().int().positive().default(512),
  intermediate_size: z.number().int().positive().default(2048),
  projection_dim: z.number().int().positive().default(512),
  num_hidden_layers: z.number().int().positive().default(12),
  num_attention_heads: z.number().int().positive().default(8),
  max_position_embeddings: z.number().int().positive().default(77),
  /** "quick_gelu" (OpenAI CLIP, SD 1.x) or "gelu" (OpenCLIP, SD 2.x). */
  hidden_act: z.string().default('quick_gelu'),
  layer_norm_eps: z.number().positive().default(1e-5),
  pad_token_id: z.number().int().default(1),
  bos_token_id: z.number().int().default(49406),
  /** Pooling takes the first position holding this id; 2 selects transformers' legacy argmax rule. */
  eos_token_id: z.number().int().default(49407),
});
export type ClipTextConfig = z.infer<typeof clipTextConfigSchema>;

/** transformers CLIPVisionConfig. */
export const clipVisionConfigSchema = z.looseObject({
  hidden_size: z.number().int().positive().default(768),
  intermediate_size: z.number().int().positive().default(3072),
  projection_dim: z.number().int().positive().default(512),
  num_hidden_layers: z.number().int().positive().default(12),
  num_attention_heads: z.number().int().positive().default(12),
  num_channels: z.number().int().positive().default(3),
  image_size: z.number().int().positive().default(224),
  patch_size: z.number().int().positive().default(32),
  hidden_act: z.string().default('quick_gelu'),
  layer_norm_eps: z.number().positive().default(1e-5),
});
export type ClipVisionConfig = z.infer<typeof clipVisionConfigSchema>;

/** transformers CLIPConfig (text + vision towers and their projections). */
export const clipModelConfigSchema = z.looseObject({
  projection_dim: z.number().int().positive().default(512),
  logit_scale_init_value: z.number().default(2.6592),
  text_config: clipTextConfigSchema.prefault({}),
  vision_config: clipVisionConfigSchema.prefault({}),
});
export type ClipModelConfig = z.infer<typeof clipModelConfigSchema>;
