/**
 * The finite-difference cases of the gradient rules: one ONNX op per case, several shapes, broadcasting,
 * opset variants and attribute combinations, with inputs kept in each op's domain. Cases run in float64
 * where onnxruntime's CPU provider has a double kernel for the op, else in float32.
 */
import { float, type Attributes } from '../attributes';

export type Domain = 'any' | 'positive' | 'awayFromZero';

export type InputSpec =
  /** A float input; differentiated unless `frozen` (then a random initializer). */
  | { readonly shape: readonly number[]; readonly domain?: Domain; readonly frozen?: boolean }
  | { readonly ints: readonly number[]; readonly dims?: readonly number[] }
  | { readonly bools: readonly number[]; readonly dims: readonly number[] }
  /** A float constant in the case's float type (e.g. an exponent or a clip bound). */
  | { readonly value: number | readonly number[]; readonly dims?: readonly number[] }
  /** A float32 constant whatever the case's type (Resize scales). */
  | { readonly float32: readonly number[] }
  | { readonly absent: true };

export interface RuleCase {
  readonly name: string;
  readonly op: string;
  readonly inputs: readonly InputSpec[];
  readonly attrs?: Attributes;
  readonly opset?: number;
  readonly type?: 'float64' | 'float32';
  /** Number of outputs to differentiate (default 1). */
  readonly outputs?: number;
}

const x = (shape: readonly number[], domain: Domain = 'any'): InputSpec => ({ shape, domain });
const frozen = (shape: readonly number[]): InputSpec => ({ shape, frozen: true });
const ints = (values: readonly number[], dims?: readonly number[]): InputSpec => ({ ints: values, dims });
const f32 = (c: Omit<RuleCase, 'type'>): RuleCase => ({ ...c, type: 'float32' });

// prettier-ignore
export const RULE_CASES: readonly RuleCase[] = [
  // broadcasting arithmetic
  { name: 'Add same shape', op: 'Add', inputs: [x([2, 3]), x([2, 3])] },
  { name: 'Add [2,3,4]+[4]', op: 'Add', inputs: [x([2, 3, 4]), x([4])] },
  { name: 'Add [2,1,4]+[3,1]', op: 'Add', inputs: [x([2, 1, 4]), x([3, 1])] },
  { name: 'Sub [2,3]-[3]', op: 'Sub', inputs: [x([2, 3]), x([3])] },
  { name: 'Sub [3,1]-[1,4]', op: 'Sub', inputs: [x([3, 1]), x([1, 4])] },
  { name: 'Mul same shape', op: 'Mul', inputs: [x([2, 3]), x([2, 3])] },
  { name: 'Mul [2,3,4]*[3,1]', op: 'Mul', inputs: [x([2, 3, 4]), x([3, 1])] },
  { name: 'Mul by a frozen tensor', op: 'Mul', inputs: [x([2, 3]), frozen([3])] },
  { name: 'Div [2,3]/[3]', op: 'Div', inputs: [x([2, 3]), x([3], 'awayFromZero')] },
  { name: 'Div scalar/[2,2]', op: 'Div', inputs: [x([]), x([2, 2], 'awayFromZero')] },
  { name: 'Pow tensor exponent', op: 'Pow', inputs: [x([2, 3], 'positive'), x([3])] },
  { name: 'Pow x^2', op: 'Pow', inputs: [x([2, 3]), { value: 2 }] },
  { name: 'Pow x^0.5', op: 'Pow', inputs: [x([4], 'positive'), { value: 0.5 }] },
  { name: 'Pow x^3', op: 'Pow', inputs: [x([4]), { value: 3 }] },
  { name: 'Sum of three with broadcast', op: 'Sum', inputs: [x([2, 3]), x([3]), x([2, 1])] },
  f32({ name: 'Mean of two', op: 'Mean', inputs: [x([2, 3]), x([2, 3])] }),
  { name: 'Where with broadcast', op: 'Where', inputs: [{ bools: [1, 0, 1, 0, 0, 1], dims: [2, 3] }, x([2, 3]), x([3])] },
  { name: 'Expand [3,1] to [2,3,4]', op: 'Expand', inputs: [x([3, 1]), ints([2, 3, 4])] },
  { name: 'Identity', op: 'Identity', inputs: [x([2, 3])] },
  f32({ name: 'Cast float32 to float64', op: 'Cast', inputs: [x([2, 3])], attrs: { to: 11 } }),
  { name: 'Dropout (inference)', op: 'Dropout', inputs: [x([2, 3])] },
  // one-input math
  { name: 'Neg', op: 'Neg', inputs: [x([5])] },
  { name: 'Sqrt', op: 'Sqrt', inputs: [x([2, 3], 'positive')] },
  { name: 'Reciprocal', op: 'Reciprocal', inputs: [x([2, 3], 'awayFromZero')] },
  { name: 'Exp', op: 'Exp', inputs: [x([2, 3])] },
  { name: 'Log', op: 'Log', inputs: [x([2, 3], 'positive')] },
  f32({ name: 'Erf', op: 'Erf', inputs: [x([2, 3])] }),
  { name: 'Sin', op: 'Sin', inputs: [x([2, 3])] },
  f32({ name: 'Cos', op: 'Cos', inputs: [x([2, 3])] }),
  { name: 'Abs', op: 'Abs', inputs: [x([2, 3], 'awayFromZero')] },
  { name: 'Tanh', op: 'Tanh', inputs: [x([2, 3])] },
  { name: 'Sigmoid', op: 'Sigmoid', inputs: [x([2, 3])] },
  { name: 'Relu', op: 'Relu', inputs: [x([2, 3], 'awayFromZero')] },
  f32({ name: 'LeakyRelu', op: 'LeakyRelu', inputs: [x([2, 3], 'awayFromZero')], attrs: { alpha: 0.1 } }),
  f32({ name: 'Elu', op: 'Elu', inputs: [x([2, 3], 'awayFromZero')], attrs: { alpha: 0.7 } }),
  f32({ name: 'Softplus', op: 'Softplus', inputs: [x([2, 3])] }),
  f32({ name: 'HardSigmoid', op: 'HardSigmoid', inputs: [x([2, 3])], attrs: { alpha: 0.2, beta: 0.5 } }),
  { name: 'Clip with min and max', op: 'Clip', inputs: [x([3, 4], 'awayFromZero'), { value: -0.6 }, { value: 0.8 }] },
  { name: 'Clip with max only', op: 'Clip', inputs: [x([3, 4], 'awayFromZero'), { absent: true }, { value: 0.8 }] },
  f32({ name: 'Gelu exact', op: 'Gelu', inputs: [x([2, 5])], opset: 20 }),
  f32({ name: 'Gelu tanh', op: 'Gelu', inputs: [x([2, 5])], opset: 20, attrs: { approximate: 'tanh' } }),
  { name: 'Softmax last axis', op: 'Softmax', inputs: [x([2, 3, 4])], attrs: { axis: -1 } },
  { name: 'Softmax axis 1', op: 'Softmax', inputs: [x([2, 3, 4])], attrs: { axis: 1 } },
  { name: 'Softmax opset 11 (2-D coerced)', op: 'Softmax', inputs: [x([2, 3, 4])], attrs: { axis: 1 }, opset: 11 },
  { name: 'LogSoftmax', op: 'LogSoftmax', inputs: [x([2, 3, 4])], attrs: { axis: -1 } },
  // reductions
  { name: 'ReduceSum axes input, keepdims 0', op: 'ReduceSum', inputs: [x([2, 3, 4]), ints([1])], attrs: { keepdims: 0 } },
  { name: 'ReduceSum opset 11 attribute axes', op: 'ReduceSum', inputs: [x([2, 3, 4])], attrs: { axes: [0, 2], keepdims: 0 }, opset: 11 },
  { name: 'ReduceSum all axes', op: 'ReduceSum', inputs: [x([2, 3])] },
  { name: 'ReduceMean attribute axes [-1]', op: 'ReduceMean', inputs: [x([2, 3, 4])], attrs: { axes: [-1] } },
  { name: 'ReduceMean opset 18 axes input', op: 'ReduceMean', inputs: [x([2, 3, 4]), ints([0, 2])], attrs: { keepdims: 0 }, opset: 18 },
  { name: 'ReduceL2', op: 'ReduceL2', inputs: [x([2, 3, 4], 'awayFromZero')], attrs: { axes: [1], keepdims: 0 } },
  { name: 'ReduceSumSquare', op: 'ReduceSumSquare', inputs: [x([2, 3])], attrs: { axes: [1] } },
  { name: 'ReduceLogSumExp', op: 'ReduceLogSumExp', inputs: [x([2, 3])], attrs: { axes: [0], keepdims: 0 } },
  { name: 'ReduceMax', op: 'ReduceMax', inputs: [x([3, 4])], attrs: { axes: [1], keepdims: 0 } },
  { name: 'ReduceMin all axes', op: 'ReduceMin', inputs: [x([3, 4])], attrs: { keepdims: 0 } },
  { name: 'ReduceL1', op: 'ReduceL1', inputs: [x([3, 4], 'awayFromZero')], attrs: { axes: [0] } },
  // products
  { name: 'MatMul [2,3]@[3,4]', op: 'MatMul', inputs: [x([2, 3]), x([3, 4])] },
  { name: 'MatMul [2,5,3]@[3,4] (weight folding)', op: 'MatMul', inputs: [x([2, 5, 3]), x([3, 4])] },
  { name: 'MatMul batch broadcast [2,1,4,3]@[5,3,2]', op: 'MatMul', inputs: [x([2, 1, 4, 3]), x([5, 3, 2])] },
  { name: 'MatMul vector@matrix', op: 'MatMul', inputs: [x([3]), x([3, 4])] },
  { name: 'MatMul batch@vector', op: 'MatMul', inputs: [x([2, 3, 4]), x([4])] },
  { name: 'MatMul vector@vector', op: 'MatMul', inputs: [x([3]), x([3])] },
  { name: 'Gemm alpha beta, C broadcast', op: 'Gemm', inputs: [x([3, 4]), x([4, 5]), x([5])], attrs: { alpha: float(0.5), beta: float(2) } },
  { name: 'Gemm transA', op: 'Gemm', inputs: [x([4, 3]), x([4, 5]), x([3, 5])], attrs: { transA: 1 } },
  { name: 'Gemm transB', op: 'Gemm', inputs: [x([3, 4]), x([5, 4]), x([1, 5])], attrs: { transB: 1 } },
  { name: 'Gemm transA transB, no C', op: 'Gemm', inputs: [x([4, 3]), x([5, 4])], attrs: { transA: 1, transB: 1, alpha: 1.5 } },
  { name: 'Einsum batched matmul', op: 'Einsum', inputs: [x([2, 3, 4]), x([2, 4, 5])], attrs: { equation: 'bij,bjk->bik' } },
  { name: 'Einsum attention scores', op: 'Einsum', inputs: [x([1, 2, 3, 4]), x([1, 2, 5, 4])], attrs: { equation: 'bhqd,bhkd->bhqk' } },
  { name: 'Einsum implicit output', op: 'Einsum', inputs: [x([3, 4]), x([4, 2])], attrs: { equation: 'ij,jk' } },
  { name: 'Einsum label summed in one operand', op: 'Einsum', inputs: [x([3, 4]), x([4])], attrs: { equation: 'ij,j->j' } },
  { name: 'Einsum with ellipsis', op: 'Einsum', inputs: [x([2, 3, 4]), x([4, 5])], attrs: { equation: '...j,jk->...k' } },
  // convolutions (float32: no double kernels)
  { name: 'GatherND batch_dims 1 (pooled EOS state)', op: 'GatherND', inputs: [x([3, 4, 2]), ints([2, 0, 3], [3, 1])], attrs: { batch_dims: 1 }, opset: 17 },
  { name: 'GatherND repeated index tuples add up', op: 'GatherND', inputs: [x([3, 2]), ints([1, 0, 1, 1, 1, 0], [3, 2])], opset: 17 },
  { name: 'GatherND negative indices, rows of a 3-D tensor', op: 'GatherND', inputs: [x([3, 2, 2]), ints([-1, 0, 2, -2, 0, 1, -1, 0], [4, 2])], opset: 17 },
  f32({ name: 'Conv 3x3 pad 1 with bias', op: 'Conv', inputs: [x([2, 2, 5, 5]), x([3, 2, 3, 3]), x([3])], attrs: { pads: [1, 1, 1, 1] } }),
  f32({ name: 'Conv 1x1 (GEMM weight gradient)', op: 'Conv', inputs: [x([2, 3, 4, 4]), x([5, 3, 1, 1])] }),
  f32({ name: 'Conv 3x3 stride 2 pad 1, odd size (dilated-g data gradient)', op: 'Conv', inputs: [x([2, 3, 7, 7]), x([4, 3, 3, 3]), x([4])], attrs: { strides: [2, 2], pads: [1, 1, 1, 1] } }),
  f32({ name: 'Conv stride 2 uneven size', op: 'Conv', inputs: [x([1, 2, 6, 7]), x([3, 2, 3, 3])], attrs: { strides: [2, 2], pads: [1, 0, 1, 0] } }),
  f32({ name: 'Conv dilation 2', op: 'Conv', inputs: [x([1, 2, 7, 7]), x([2, 2, 3, 3])], attrs: { dilations: [2, 2], pads: [2, 2, 2, 2] } }),
  f32({ name: 'Conv groups 2', op: 'Conv', inputs: [x([1, 4, 5, 5]), x([6, 2, 3, 3]), x([6])], attrs: { group: 2, pads: [1, 1, 1, 1] } }),
  f32({ name: 'Conv 1-D stride 3', op: 'Conv', inputs: [x([2, 3, 11]), x([4, 3, 3])], attrs: { strides: [3] } }),
  f32({ name: 'Conv SAME_UPPER stride 2', op: 'Conv', inputs: [x([1, 2, 6, 5]), x([2, 2, 3, 3])], attrs: { strides: [2, 2], auto_pad: 'SAME_UPPER' } }),
  f32({ name: 'Conv frozen weights', op: 'Conv', inputs: [x([1, 2, 5, 5]), frozen([3, 2, 3, 3]), frozen([3])], attrs: { pads: [1, 1, 1, 1], strides: [2, 2] } }),
  f32({ name: 'ConvTranspose stride 2, output_padding', op: 'ConvTranspose', inputs: [x([1, 2, 3, 3]), x([2, 3, 3, 3]), x([3])], attrs: { strides: [2, 2], pads: [1, 1, 1, 1], output_padding: [1, 1] } }),
  f32({ name: 'ConvTranspose groups 2, dilation 2', op: 'ConvTranspose', inputs: [x([1, 4, 3, 4]), x([4, 1, 2, 2])], attrs: { group: 2, dilations: [2, 2] } }),
  f32({ name: 'AveragePool via Resize block sum: Resize nearest x2', op: 'Resize', inputs: [x([1, 2, 3, 4]), { absent: true }, { float32: [1, 1, 2, 2] }], attrs: { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' } }),
  f32({ name: 'Resize nearest x1.5 half_pixel', op: 'Resize', inputs: [x([1, 1, 4, 4]), { absent: true }, { float32: [1, 1, 1.5, 1.5] }], attrs: { mode: 'nearest' } }),
  f32({ name: 'Resize linear x2 half_pixel', op: 'Resize', inputs: [x([1, 2, 3, 4]), { absent: true }, { float32: [1, 1, 2, 2] }], attrs: { mode: 'linear' } }),
  f32({ name: 'Resize linear align_corners to sizes', op: 'Resize', inputs: [x([1, 1, 3, 4]), { absent: true }, { absent: true }, ints([1, 1, 5, 7])], attrs: { mode: 'linear', coordinate_transformation_mode: 'align_corners' } }),
  f32({ name: 'Resize linear on a non-trailing axis', op: 'Resize', inputs: [x([1, 3, 2, 2]), { absent: true }, { float32: [1, 2, 1, 1] }], attrs: { mode: 'linear' } }),
  // normalisation
  f32({ name: 'InstanceNormalization', op: 'InstanceNormalization', inputs: [x([2, 3, 4, 5]), x([3]), x([3])], attrs: { epsilon: 1e-5 } }),
  f32({ name: 'InstanceNormalization frozen affine', op: 'InstanceNormalization', inputs: [x([2, 3, 6]), frozen([3]), frozen([3])] }),
  { name: 'LayerNormalization last axis', op: 'LayerNormalization', inputs: [x([2, 3, 4]), x([4]), x([4])], opset: 17 },
  { name: 'LayerNormalization axis 1', op: 'LayerNormalization', inputs: [x([2, 3, 4]), x([3, 4]), x([3, 4])], attrs: { axis: 1 }, opset: 17 },
  { name: 'GroupNormalization opset 18 (per-group scale)', op: 'GroupNormalization', inputs: [x([2, 4, 3]), x([2]), x([2])], attrs: { num_groups: 2 }, opset: 18 },
  // opset 21 computes in float32 (stash_type) even for double inputs, so differences need float32 steps
  f32({ name: 'GroupNormalization opset 21 (per-channel scale)', op: 'GroupNormalization', inputs: [x([2, 4, 3]), x([4]), x([4])], attrs: { num_groups: 2 }, opset: 21 }),
  { name: 'BatchNormalization inference', op: 'BatchNormalization', inputs: [x([2, 3, 4]), x([3]), x([3]), frozen([3]), { value: [0.5, 1, 2] }] },
  // moving elements
  { name: 'Transpose perm', op: 'Transpose', inputs: [x([2, 3, 4])], attrs: { perm: [2, 0, 1] } },
  { name: 'Transpose default perm', op: 'Transpose', inputs: [x([2, 3, 4])] },
  { name: 'Reshape', op: 'Reshape', inputs: [x([2, 3, 4]), ints([4, -1])] },
  { name: 'Flatten axis 2', op: 'Flatten', inputs: [x([2, 3, 4])], attrs: { axis: 2 } },
  { name: 'Squeeze axes input', op: 'Squeeze', inputs: [x([2, 1, 3]), ints([1])] },
  { name: 'Squeeze opset 11 attribute', op: 'Squeeze', inputs: [x([2, 1, 3])], attrs: { axes: [1] }, opset: 11 },
  { name: 'Unsqueeze', op: 'Unsqueeze', inputs: [x([2, 3]), ints([0, 3])] },
  { name: 'Concat three on axis 1', op: 'Concat', inputs: [x([2, 1, 3]), x([2, 2, 3]), x([2, 3, 3])], attrs: { axis: 1 } },
  { name: 'Split sizes input', op: 'Split', inputs: [x([2, 6]), ints([2, 4])], attrs: { axis: 1 }, outputs: 2 },
  { name: 'Split opset 18 num_outputs', op: 'Split', inputs: [x([6, 2])], attrs: { axis: 0, num_outputs: 3 }, opset: 18, outputs: 3 },
  { name: 'Slice static', op: 'Slice', inputs: [x([4, 5]), ints([1, 0]), ints([3, -1]), ints([0, 1])] },
  { name: 'Slice steps 2 and -1', op: 'Slice', inputs: [x([5, 4]), ints([0, -1]), ints([5, -5]), ints([0, 1]), ints([2, -1])] },
  { name: 'Pad constant', op: 'Pad', inputs: [x([2, 3]), ints([0, 1, 1, 2])] },
  { name: 'Pad with a negative pad (crop)', op: 'Pad', inputs: [x([3, 4]), ints([1, -1, 0, 2])] },
  { name: 'Gather rows with repeats (one-hot, opset 14)', op: 'Gather', inputs: [x([3, 4]), ints([0, 2, 2, 1], [2, 2])] },
  { name: 'Gather rows with repeats (ScatterElements, opset 17)', op: 'Gather', inputs: [x([3, 4]), ints([0, 2, 2, 1], [2, 2])], opset: 17 },
  { name: 'Gather on axis 1', op: 'Gather', inputs: [x([2, 4, 3]), ints([3, 0, 3])], attrs: { axis: 1 } },
  { name: 'Gather on axis 1 with repeats (ScatterElements, opset 17)', op: 'Gather', inputs: [x([2, 4, 3]), ints([3, 0, 3, 3], [2, 2])], attrs: { axis: 1 }, opset: 17 },
  { name: 'Trilu upper k=1', op: 'Trilu', inputs: [x([3, 4]), { ints: [1], dims: [] }] },
];

/** Finite-difference step and tolerance (max error relative to max |gradient|) by op; float32 cases use their own defaults. */
export const TOLERANCES: Readonly<Record<string, { eps: number; tol: number }>> = {
  float64: { eps: 1e-6, tol: 1e-7 },
  float32: { eps: 1e-2, tol: 1e-3 },
  Conv: { eps: 0.25, tol: 1e-4 },
  ConvTranspose: { eps: 0.25, tol: 1e-4 },
  Resize: { eps: 0.25, tol: 1e-4 },
  Cast: { eps: 0.25, tol: 1e-5 },
  InstanceNormalization: { eps: 5e-3, tol: 1e-3 },
  LayerNormalization: { eps: 1e-6, tol: 1e-6 }, // Mean/InvStdDev are stashed in float32
  Gelu: { eps: 1e-2, tol: 2e-3 },
};
