/**
 * diffusers Transformer2DModel (continuous input) with BasicTransformerBlocks: GroupNorm, proj_in (1x1 conv
 * for SD 1.x, Linear on tokens for SD 2.x), self-attention, cross-attention on the text states, GEGLU
 * feed-forward, proj_out and the outer residual.
 */
import type { GraphBuilder } from '../../onnx/graphBuilder';
import { attention, type AttentionKernel } from './attention';
import {
  activation,
  conv2d,
  fromTokens,
  groupNorm,
  layerNorm,
  linear,
  toTokens,
  type ModelBuild,
} from './layers';

export interface SpatialTransformerSpec {
  readonly channels: number;
  readonly heads: number;
  readonly headDim: number;
  /** Width of `context` (config `cross_attention_dim`). */
  readonly contextDim: number;
  readonly groups: number;
  readonly useLinearProjection: boolean;
  /** Number of BasicTransformerBlocks (`transformer_layers_per_block`). */
  readonly layers: number;
  /** The text conditioning [B, T, contextDim]. */
  readonly context: string;
  readonly kernel?: AttentionKernel;
}

// Transformer2DModel fixes its GroupNorm eps; BasicTransformerBlock's LayerNorms use the torch default.
const GROUP_NORM_EPS = 1e-6;
const LAYER_NORM_EPS = 1e-5;

/** Transformer2DModel on NCHW `x`; returns NCHW of the same shape. */
export function spatialTransformer(
  b: ModelBuild,
  x: string,
  key: string,
  spec: SpatialTransformerSpec,
): string {
  const g = b.g;
  const inner = spec.heads * spec.headDim;
  const normed = groupNorm(b, x, `${key}.norm`, spec.channels, spec.groups, GROUP_NORM_EPS);
  let tokens = spec.useLinearProjection
    ? linear(b, toTokens(g, normed, spec.channels), `${key}.proj_in`, spec.channels, inner)
    : toTokens(g, conv2d(b, normed, `${key}.proj_in`, spec.channels, inner, { kernel: 1 }), inner);
  for (let i = 0; i < spec.layers; i++)
    tokens = basicTransformerBlock(b, tokens, `${key}.transformer_blocks.${i}`, inner, spec);
  const out = spec.useLinearProjection
    ? fromTokens(g, linear(b, tokens, `${key}.proj_out`, inner, spec.channels), x, spec.channels)
    : conv2d(b, fromTokens(g, tokens, x, inner), `${key}.proj_out`, inner, spec.channels, { kernel: 1 });
  return g.op('Add', [out, x]);
}

function basicTransformerBlock(
  b: ModelBuild,
  x: string,
  key: string,
  dim: number,
  spec: SpatialTransformerSpec,
): string {
  const g = b.g;
  const projections = (name: string) => ({
    q: `${key}.${name}.to_q`,
    k: `${key}.${name}.to_k`,
    v: `${key}.${name}.to_v`,
    out: `${key}.${name}.to_out.0`,
  });
  const base = {
    heads: spec.heads,
    headDim: spec.headDim,
    queryDim: dim,
    qkvBias: false,
    kernel: spec.kernel,
  };
  const selfAttended = attention(b, layerNorm(b, x, `${key}.norm1`, dim, LAYER_NORM_EPS), {
    ...base,
    keys: projections('attn1'),
  });
  let h = g.op('Add', [selfAttended, x]);
  const crossAttended = attention(
    b,
    layerNorm(b, h, `${key}.norm2`, dim, LAYER_NORM_EPS),
    { ...base, contextDim: spec.contextDim, keys: projections('attn2') },
    spec.context,
  );
  h = g.op('Add', [crossAttended, h]);
  return g.op('Add', [geglu(b, layerNorm(b, h, `${key}.norm3`, dim, LAYER_NORM_EPS), `${key}.ff`, dim), h]);
}

/**
 * FeedForward with GEGLU: `net.0.proj` [2·inner, dim] yields (value, gate) halves, value · gelu(gate), then
 * `net.2`. The projection is bound as two MatMuls (rows split at build time) instead of a Slice at run time.
 */
function geglu(b: ModelBuild, x: string, key: string, dim: number): string {
  const g = b.g;
  const inner = dim * 4;
  const projKey = `${key}.net.0.proj`;
  const half = (part: 0 | 1, suffix: string) => {
    const weight = b.w.derived(
      `${projKey}.weight`,
      [2 * inner, dim],
      (d) => transposeRows(d, part * inner, inner, dim),
      [dim, inner],
      `.T${suffix}`,
      (gb, raw) => gb.op('Transpose', [sliceRows(gb, raw, part * inner, inner)], { perm: [1, 0] }),
    );
    const bias = b.w.derived(
      `${projKey}.bias`,
      [2 * inner],
      (d) => d.slice(part * inner, (part + 1) * inner),
      [inner],
      suffix,
      (gb, raw) => sliceRows(gb, raw, part * inner, inner),
    );
    return g.op('Add', [g.op('MatMul', [x, weight]), bias]);
  };
  const gated = g.op('Mul', [half(0, '.value'), activation(g, half(1, '.gate'), 'gelu')]);
  return linear(b, gated, `${key}.net.2`, inner, dim);
}

/** Rows [start, start + count) of a tensor along axis 0, as graph ops. */
function sliceRows(g: GraphBuilder, raw: string, start: number, count: number): string {
  return g.op('Slice', [raw, g.ints([start]), g.ints([start + count]), g.ints([0])]);
}

/** Rows [start, start + count) of a row-major [·, cols] matrix, transposed to [cols, count]. */
function transposeRows(data: Float32Array, start: number, count: number, cols: number): Float32Array {
  const out = new Float32Array(count * cols);
  for (let r = 0; r < count; r++) {
    const base = (start + r) * cols;
    for (let c = 0; c < cols; c++) out[c * count + r] = data[base + c]!;
  }
  return out;
}
