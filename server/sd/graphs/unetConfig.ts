/**
 * Resolves a UNet2DConditionModel config into per-down-block settings the way diffusers 0.21 does (ints
 * broadcast to lists; `num_attention_heads` falling back to `attention_head_dim`, which in 0.21 means the
 * number of heads), and refuses variants the builder does not implement with a message naming the field.
 */
import type { UNetConfig } from './configTypes';

/** Settings indexed by down block; up block i uses entry `n - 1 - i`, the mid block entry `n - 1`. */
export interface UNetBlocks {
  readonly heads: readonly number[];
  readonly layers: readonly number[];
  readonly transformerLayers: readonly number[];
  readonly crossAttentionDim: readonly number[];
  readonly downAttention: readonly boolean[];
  readonly upAttention: readonly boolean[];
  /** Transformer2DModels in the mid block (UNetMidBlock2DCrossAttn: 1). */
  readonly midAttentions: number;
  readonly act: string;
}

const DOWN_TYPES: Record<string, boolean> = { CrossAttnDownBlock2D: true, DownBlock2D: false };
const UP_TYPES: Record<string, boolean> = { CrossAttnUpBlock2D: true, UpBlock2D: false };

function perBlock<T>(value: T | readonly T[], n: number, field: string): readonly T[] {
  if (!Array.isArray(value)) return Array.from({ length: n }, () => value as T);
  if (value.length !== n)
    throw new Error(
      `unet config: ${field} has ${value.length} entries but there are ${n} down blocks; give one per block`,
    );
  return value as readonly T[];
}

/** Per-block settings of `config`; throws for unsupported UNet variants. */
export function resolveUNetBlocks(config: UNetConfig): UNetBlocks {
  const n = config.block_out_channels.length;
  const unsupported: string[] = [];
  if (config.class_embed_type) unsupported.push(`class_embed_type "${config.class_embed_type}"`);
  if (config.addition_embed_type) unsupported.push(`addition_embed_type "${config.addition_embed_type}"`);
  if (config.time_embedding_type && config.time_embedding_type !== 'positional')
    unsupported.push(`time_embedding_type "${config.time_embedding_type}"`);
  if (config.resnet_time_scale_shift && config.resnet_time_scale_shift !== 'default')
    unsupported.push(`resnet_time_scale_shift "${config.resnet_time_scale_shift}"`);
  const onlyCross = config.only_cross_attention;
  if (onlyCross === true || (Array.isArray(onlyCross) && onlyCross.some(Boolean)))
    unsupported.push('only_cross_attention');
  const mid = config.mid_block_type ?? 'UNetMidBlock2DCrossAttn';
  if (mid !== 'UNetMidBlock2DCrossAttn') unsupported.push(`mid_block_type "${mid}"`);
  if (config.down_block_types.length !== n || config.up_block_types.length !== n) {
    unsupported.push(
      `${config.down_block_types.length} down / ${config.up_block_types.length} up block types for ${n} block_out_channels`,
    );
  }
  const downAttention = config.down_block_types.map((t) => {
    if (!(t in DOWN_TYPES))
      unsupported.push(`down block "${t}" (expected CrossAttnDownBlock2D or DownBlock2D)`);
    return DOWN_TYPES[t] ?? false;
  });
  const upAttention = config.up_block_types.map((t) => {
    if (!(t in UP_TYPES)) unsupported.push(`up block "${t}" (expected CrossAttnUpBlock2D or UpBlock2D)`);
    return UP_TYPES[t] ?? false;
  });
  if (unsupported.length)
    throw new Error(`unet config not supported by the SD 1.x/2.x UNet builder: ${unsupported.join('; ')}`);

  const heads = perBlock(config.num_attention_heads ?? config.attention_head_dim, n, 'attention_head_dim');
  config.block_out_channels.forEach((c, i) => {
    if (c % heads[i]! !== 0)
      throw new Error(
        `unet config: block ${i} has ${c} channels, not divisible by its ${heads[i]} attention heads`,
      );
  });
  return {
    heads,
    layers: perBlock(config.layers_per_block, n, 'layers_per_block'),
    transformerLayers: perBlock(config.transformer_layers_per_block ?? 1, n, 'transformer_layers_per_block'),
    crossAttentionDim: perBlock(config.cross_attention_dim, n, 'cross_attention_dim'),
    downAttention,
    upAttention,
    midAttentions: 1,
    act: config.act_fn ?? 'silu',
  };
}
