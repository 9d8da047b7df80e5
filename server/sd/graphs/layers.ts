/**
 * Layer helpers shared by every SD graph builder: each emits the ONNX nodes of one torch module, reading its
 * weights by key (e.g. `linear(b, x, 'to_q', 320, 320)` reads `to_q.weight` / `to_q.bias`). Only standard
 * opset-17 ops are used, so the autodiff rules cover every graph built here.
 */
import { float } from '../../onnx/attributes';
import type { GraphBuilder } from '../../onnx/graphBuilder';
import type { WeightBinder } from './weightBinder';

/** The graph under construction plus the weights it binds. */
export interface ModelBuild {
  readonly g: GraphBuilder;
  readonly w: WeightBinder;
}

export interface LinearOptions {
  readonly bias?: boolean;
}

/** torch.nn.Linear on the last axis: x · Wᵀ + b (weight `${key}.weight` [out, in]). */
export function linear(
  b: ModelBuild,
  x: string,
  key: string,
  inFeatures: number,
  outFeatures: number,
  options: LinearOptions = {},
): string {
  const y = b.g.op('MatMul', [x, b.w.linearWeight(`${key}.weight`, inFeatures, outFeatures)]);
  return options.bias === false ? y : b.g.op('Add', [y, b.w.tensor(`${key}.bias`, [outFeatures])]);
}

export interface ConvOptions {
  readonly kernel?: number;
  readonly stride?: number;
  readonly padding?: number;
  readonly bias?: boolean;
}

/** torch.nn.Conv2d with square kernel, stride and symmetric padding (NCHW). */
export function conv2d(
  b: ModelBuild,
  x: string,
  key: string,
  inChannels: number,
  outChannels: number,
  options: ConvOptions = {},
): string {
  const kernel = options.kernel ?? 3;
  const stride = options.stride ?? 1;
  const padding = options.padding ?? (kernel - 1) / 2;
  const inputs = [x, b.w.tensor(`${key}.weight`, [outChannels, inChannels, kernel, kernel])];
  if (options.bias !== false) inputs.push(b.w.tensor(`${key}.bias`, [outChannels]));
  return b.g.op('Conv', inputs, {
    kernel_shape: [kernel, kernel],
    strides: [stride, stride],
    pads: [padding, padding, padding, padding],
  });
}

/** torch.nn.LayerNorm over the last axis. */
export function layerNorm(b: ModelBuild, x: string, key: string, width: number, eps: number): string {
  return b.g.op(
    'LayerNormalization',
    [x, b.w.tensor(`${key}.weight`, [width]), b.w.tensor(`${key}.bias`, [width])],
    {
      axis: -1,
      epsilon: float(eps),
    },
  );
}

/**
 * torch.nn.GroupNorm on NCHW: normalise [N, G, C/G·H·W] with InstanceNormalization (as torch.onnx exports
 * it; measured as fast as opset-18 GroupNormalization and a ReduceMean chain on ORT CPU, and exact to
 * 1e-6), then the per-channel affine.
 */
export function groupNorm(
  b: ModelBuild,
  x: string,
  key: string,
  channels: number,
  groups: number,
  eps: number,
): string {
  if (channels % groups !== 0) {
    throw new Error(
      `${b.w.label}: GroupNorm "${key}" has ${channels} channels, not divisible by norm_num_groups ${groups}`,
    );
  }
  const g = b.g;
  const grouped = g.op('Reshape', [x, ints(g, [0, groups, -1])]);
  const ones = sharedConstant(g, `ones${groups}`, () =>
    g.constant(new Float32Array(groups).fill(1), [groups], 'float32', 'gn_ones'),
  );
  const zeros = sharedConstant(g, `zeros${groups}`, () =>
    g.constant(new Float32Array(groups), [groups], 'float32', 'gn_zeros'),
  );
  const normed = g.op('InstanceNormalization', [grouped, ones, zeros], { epsilon: float(eps) });
  const restored = g.op('Reshape', [normed, g.op('Shape', [x])]);
  const scaled = g.op('Mul', [restored, b.w.channelVector(`${key}.weight`, channels)]);
  return g.op('Add', [scaled, b.w.channelVector(`${key}.bias`, channels)]);
}

/** Elementwise activations by their transformers/diffusers config names. */
export function activation(g: GraphBuilder, x: string, kind: string): string {
  switch (kind) {
    case 'silu':
    case 'swish':
      return g.op('Mul', [x, g.op('Sigmoid', [x])]);
    case 'quick_gelu':
      // x · σ(1.702 x)
      return g.op('Mul', [x, g.op('Sigmoid', [g.op('Mul', [x, scalar(g, 1.702)])])]);
    case 'gelu':
      // exact: x · ½(1 + erf(x / √2))
      return g.op('Mul', [
        g.op('Mul', [x, scalar(g, 0.5)]),
        g.op('Add', [g.op('Erf', [g.op('Mul', [x, scalar(g, Math.SQRT1_2)])]), scalar(g, 1)]),
      ]);
    default:
      throw new Error(`unsupported activation "${kind}"; expected one of silu, gelu, quick_gelu`);
  }
}

/** NCHW [N, C, H, W] → tokens [N, H·W, C]. */
export function toTokens(g: GraphBuilder, x: string, channels: number): string {
  return g.op('Reshape', [g.op('Transpose', [x], { perm: [0, 2, 3, 1] }), ints(g, [0, -1, channels])]);
}

/** Tokens [N, H·W, C] → NCHW shaped like `like` (an NCHW tensor with the same N, H, W). */
export function fromTokens(g: GraphBuilder, tokens: string, like: string, channels: number): string {
  const shape = g.op('Shape', [like]);
  const nhw = g.op('Concat', [sliceShape(g, shape, 0, 1), sliceShape(g, shape, 2, 4), ints(g, [channels])], {
    axis: 0,
  });
  return g.op('Transpose', [g.op('Reshape', [tokens, nhw])], { perm: [0, 3, 1, 2] });
}

/** Elements [start, end) of a 1-D shape tensor. */
export function sliceShape(g: GraphBuilder, shape: string, start: number, end: number): string {
  return g.op('Slice', [shape, ints(g, [start]), ints(g, [end]), ints(g, [0])]);
}

const shared = new WeakMap<GraphBuilder, Map<string, string>>();

/** A constant made once per graph under `key` (later calls return the same tensor). */
export function sharedConstant(g: GraphBuilder, key: string, make: () => string): string {
  let table = shared.get(g);
  if (!table) shared.set(g, (table = new Map()));
  let name = table.get(key);
  if (name === undefined) table.set(key, (name = make()));
  return name;
}

/** A float32 scalar constant, shared within the graph. */
export function scalar(g: GraphBuilder, value: number): string {
  return sharedConstant(g, `scalar:${value}`, () => g.scalar(value));
}

/** A 1-D int64 constant, shared within the graph. */
export function ints(g: GraphBuilder, values: readonly number[]): string {
  return sharedConstant(g, `ints:${values.join(',')}`, () => g.ints(values));
}
