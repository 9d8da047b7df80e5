/**
 * The transformer stack both CLIP towers share (transformers `CLIPEncoder`): pre-LayerNorm self-attention
 * and MLP blocks with residuals, plus the pieces around it (position embeddings, causal mask).
 */
import { attention } from './attention';
import { activation, ints, layerNorm, linear, sliceShape, type ModelBuild } from './layers';

export interface ClipStackSpec {
  readonly hidden: number;
  readonly heads: number;
  readonly intermediate: number;
  readonly act: string;
  readonly eps: number;
  /** How many blocks to run, from block 0. */
  readonly layers: number;
  /** Key prefix of the blocks, e.g. `text_model.encoder` (blocks are `${prefix}.layers.${i}`). */
  readonly prefix: string;
  /** Additive attention mask (causal for text), broadcastable to [B, heads, S, S]. */
  readonly mask?: string;
}

/** Runs `spec.layers` CLIP encoder blocks on [B, S, hidden] tokens. */
export function clipStack(b: ModelBuild, x: string, spec: ClipStackSpec): string {
  if (spec.hidden % spec.heads !== 0) {
    throw new Error(
      `${b.w.label}: hidden_size ${spec.hidden} is not divisible by num_attention_heads ${spec.heads}`,
    );
  }
  let h = x;
  for (let i = 0; i < spec.layers; i++) h = clipBlock(b, h, `${spec.prefix}.layers.${i}`, spec);
  return h;
}

function clipBlock(b: ModelBuild, x: string, key: string, spec: ClipStackSpec): string {
  const g = b.g;
  const normed1 = layerNorm(b, x, `${key}.layer_norm1`, spec.hidden, spec.eps);
  const attended = attention(b, normed1, {
    heads: spec.heads,
    headDim: spec.hidden / spec.heads,
    queryDim: spec.hidden,
    keys: {
      q: `${key}.self_attn.q_proj`,
      k: `${key}.self_attn.k_proj`,
      v: `${key}.self_attn.v_proj`,
      out: `${key}.self_attn.out_proj`,
    },
    qkvBias: true,
    mask: spec.mask,
  });
  const mid = g.op('Add', [x, attended]);
  const normed2 = layerNorm(b, mid, `${key}.layer_norm2`, spec.hidden, spec.eps);
  const up = activation(g, linear(b, normed2, `${key}.mlp.fc1`, spec.hidden, spec.intermediate), spec.act);
  return g.op('Add', [mid, linear(b, up, `${key}.mlp.fc2`, spec.intermediate, spec.hidden)]);
}

/** The first S rows of a position-embedding table [P, hidden], S = dim 1 of `tokens` ([B, S, …]). */
export function positionRows(b: ModelBuild, table: string, tokens: string): string {
  const g = b.g;
  const length = sliceShape(g, g.op('Shape', [tokens]), 1, 2);
  return g.op('Slice', [table, ints(g, [0]), length, ints(g, [0])]);
}

/**
 * An additive causal mask for sequences of up to `maxLength`, cut to the length S of `tokens`: 0 on and below
 * the diagonal, float32's lowest value above it (as transformers builds it).
 */
export function causalMask(b: ModelBuild, tokens: string, maxLength: number): string {
  const g = b.g;
  const full = new Float32Array(maxLength * maxLength);
  for (let i = 0; i < maxLength; i++)
    for (let j = i + 1; j < maxLength; j++) full[i * maxLength + j] = -3.4028234663852886e38;
  const table = g.constant(full, [maxLength, maxLength], 'float32', 'causal_mask');
  const length = sliceShape(g, g.op('Shape', [tokens]), 1, 2);
  const ends = g.op('Concat', [length, length], { axis: 0 });
  return g.op('Slice', [table, ints(g, [0, 0]), ends, ints(g, [0, 1])]);
}
