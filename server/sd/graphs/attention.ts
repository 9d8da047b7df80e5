/**
 * Multi-head scaled dot-product attention as plain MatMul/Softmax nodes, shared by the CLIP towers
 * (q/k/v/out_proj with biases, causal mask for text), the UNet's transformer blocks (to_q/to_k/to_v without
 * bias, to_out.0) and the VAE's mid-block attention.
 */
import { float } from '../../onnx/attributes';
import { linear, ints, scalar, type ModelBuild } from './layers';

export interface AttentionSpec {
  readonly heads: number;
  readonly headDim: number;
  /** Width of the query tokens (and of the output). */
  readonly queryDim: number;
  /** Width of the key/value tokens (cross-attention context); defaults to `queryDim`. */
  readonly contextDim?: number;
  /** Weight keys of the four projections (without `.weight`). */
  readonly keys: { readonly q: string; readonly k: string; readonly v: string; readonly out: string };
  /** Whether q/k/v have biases (the output projection always has one). */
  readonly qkvBias: boolean;
  /** Additive mask broadcastable to [batch, heads, queries, keys] (e.g. causal). */
  readonly mask?: string;
  /** `standard` (default): opset-17 MatMul/Softmax; `fused`: onnxruntime's com.microsoft MultiHeadAttention. */
  readonly kernel?: AttentionKernel;
}

/**
 * How attention is emitted. `fused` is faster and never materialises the [B, heads, S, T] score tensor on
 * ORT CPU/CUDA, but is a contrib op: use it for inference graphs, not for graphs autodiff must differentiate.
 */
export type AttentionKernel = 'standard' | 'fused';

/** Opset imports a model needs for `kernel` (pass to `GraphBuilder.toModel`). */
export function attentionOpsets(kernel: AttentionKernel | undefined): Record<string, number> {
  return kernel === 'fused' ? { 'com.microsoft': 1 } : {};
}

/** softmax(q·kᵀ/√d + mask)·v over `heads` heads; `x` is [B, S, queryDim], `context` [B, T, contextDim]. */
export function attention(b: ModelBuild, x: string, spec: AttentionSpec, context: string = x): string {
  const g = b.g;
  const inner = spec.heads * spec.headDim;
  const contextDim = spec.contextDim ?? spec.queryDim;
  const bias = { bias: spec.qkvBias };
  const q = linear(b, x, spec.keys.q, spec.queryDim, inner, bias);
  const k = linear(b, context, spec.keys.k, contextDim, inner, bias);
  const v = linear(b, context, spec.keys.v, contextDim, inner, bias);
  if (spec.kernel === 'fused') {
    if (spec.mask)
      throw new Error('fused attention does not take an additive mask here; use the standard kernel');
    const [fused] = g.opN(
      'MultiHeadAttention',
      [q, k, v],
      1,
      { num_heads: spec.heads, scale: float(1 / Math.sqrt(spec.headDim)) },
      undefined,
      'com.microsoft',
    );
    return linear(b, fused!, spec.keys.out, inner, spec.queryDim);
  }
  const splitHeads = ints(g, [0, 0, spec.heads, spec.headDim]);
  // scaling q (S·d values) is cheaper than scaling the S·T scores and equal up to rounding
  const qh = g.op(
    'Transpose',
    [g.op('Reshape', [g.op('Mul', [q, scalar(g, 1 / Math.sqrt(spec.headDim))]), splitHeads])],
    { perm: [0, 2, 1, 3] },
  );
  const kh = g.op('Transpose', [g.op('Reshape', [k, splitHeads])], { perm: [0, 2, 3, 1] });
  const vh = g.op('Transpose', [g.op('Reshape', [v, splitHeads])], { perm: [0, 2, 1, 3] });
  let scores = g.op('MatMul', [qh, kh]);
  if (spec.mask) scores = g.op('Add', [scores, spec.mask]);
  const weights = g.op('Softmax', [scores], { axis: -1 });
  const heads = g.op('MatMul', [weights, vh]);
  const merged = g.op('Reshape', [
    g.op('Transpose', [heads], { perm: [0, 2, 1, 3] }),
    ints(g, [0, 0, inner]),
  ]);
  return linear(b, merged, spec.keys.out, inner, spec.queryDim);
}
