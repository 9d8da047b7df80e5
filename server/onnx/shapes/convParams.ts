/**
 * Convolution and pooling attributes resolved to explicit per-axis numbers (auto_pad turned into pads where
 * the input size is known), and the output-size arithmetic shared by shape inference and the Conv rules.
 */
import type { NodeProto } from '../proto';
import { attrInts, attrString } from '../attributes';
import { dimAdd, dimApply, dimMul, type SymDim } from './symbolicDims';

export interface ConvParams {
  readonly strides: readonly number[];
  readonly dilations: readonly number[];
  /** Explicit pads [begin..., end...]; meaningful when autoPad is NOTSET or VALID. */
  readonly pads: readonly number[];
  readonly kernel: readonly number[];
  readonly autoPad: 'NOTSET' | 'SAME_UPPER' | 'SAME_LOWER' | 'VALID';
}

export function readConvParams(
  node: NodeProto,
  spatialRank: number,
  weightSpatial: readonly SymDim[],
): ConvParams {
  const a = node.attribute;
  const kernel =
    attrInts(a, 'kernel_shape') ??
    weightSpatial.map((d) => {
      if (typeof d !== 'number')
        throw new Error(`kernel size of ${node.opType} "${node.name}" is not static`);
      return d;
    });
  const ones = Array.from({ length: spatialRank }, () => 1);
  const autoPad = attrString(a, 'auto_pad', 'NOTSET') as ConvParams['autoPad'];
  return {
    strides: attrInts(a, 'strides') ?? ones,
    dilations: attrInts(a, 'dilations') ?? ones,
    pads:
      autoPad === 'VALID'
        ? [...ones.map(() => 0), ...ones.map(() => 0)]
        : (attrInts(a, 'pads') ?? [...ones.map(() => 0), ...ones.map(() => 0)]),
    kernel,
    autoPad,
  };
}

/** Explicit [begin, end] pads of spatial axis i for an input of size `d` (resolving SAME_*). */
export function explicitPads(p: ConvParams, i: number, d: SymDim): [number, number] | undefined {
  const n = p.kernel.length;
  if (p.autoPad === 'NOTSET' || p.autoPad === 'VALID') return [p.pads[i]!, p.pads[i + n]!];
  const s = p.strides[i]!;
  const k = (p.kernel[i]! - 1) * p.dilations[i]! + 1;
  if (typeof d !== 'number') {
    // stride 1: the total padding k-1 does not depend on the input size
    if (s !== 1) return undefined;
    const total = k - 1;
    const small = Math.floor(total / 2);
    return p.autoPad === 'SAME_UPPER' ? [small, total - small] : [total - small, small];
  }
  const out = Math.ceil(d / s);
  const total = Math.max(0, (out - 1) * s + k - d);
  const small = Math.floor(total / 2);
  return p.autoPad === 'SAME_UPPER' ? [small, total - small] : [total - small, small];
}

/** Conv/pool output size along spatial axis i. */
export function convOutputDim(d: SymDim, p: ConvParams, i: number): SymDim {
  const s = p.strides[i]!;
  const k = (p.kernel[i]! - 1) * p.dilations[i]! + 1;
  if (p.autoPad === 'SAME_UPPER' || p.autoPad === 'SAME_LOWER') {
    if (s === 1) return d;
    return typeof d === 'number' ? Math.ceil(d / s) : dimApply('ceildiv', d, s);
  }
  const total = p.pads[i]! + p.pads[i + p.kernel.length]! - k;
  if (typeof d === 'number') return Math.floor((d + total) / s) + 1;
  if (s === 1) return dimAdd(d, total + 1);
  return dimApply('conv', d, total, s);
}

/** ConvTranspose output size along spatial axis i (without an output_shape attribute). */
export function convTransposeOutputDim(d: SymDim, p: ConvParams, i: number, outputPadding: number): SymDim {
  const s = p.strides[i]!;
  const k = (p.kernel[i]! - 1) * p.dilations[i]! + 1;
  if (p.autoPad === 'SAME_UPPER' || p.autoPad === 'SAME_LOWER') return dimMul(d, s);
  const extra = outputPadding + k - p.pads[i]! - p.pads[i + p.kernel.length]!;
  if (typeof d === 'number') return s * (d - 1) + extra;
  if (s === 1) return dimAdd(d, extra - 1);
  return dimApply('convT', d, s, extra);
}
