/**
 * The gradient table: every op type autodiff knows, listed here one by one as a rule (with the file it lives
 * in, one op family per file under rules/) or as `notDifferentiable`. Ops missing here fail only when a
 * gradient has to flow through them, with the op type, the node and the path from the loss.
 */
import { notDifferentiable, type GradientTable } from './rules/types';
import { elementwiseRules } from './rules/elementwise';
import { unaryMathRules } from './rules/unaryMath';
import { softmaxRules } from './rules/softmax';
import { reductionRules } from './rules/reductions';
import { matmulRules } from './rules/matmul';
import { einsumRules } from './rules/einsum';
import { convRules } from './rules/conv';
import { normalizationRules } from './rules/normalization';
import { shapeOpRules } from './rules/shapeOps';
import { indexingRules } from './rules/indexing';
import { resizeRules } from './rules/resize';
import { gatherNDRules } from './rules/gatherND';

/** The built-in gradient table, keyed by ONNX op type. */
export const gradientRules: GradientTable = {
  Add: elementwiseRules.Add, // rules/elementwise.ts
  Sub: elementwiseRules.Sub, // rules/elementwise.ts
  Mul: elementwiseRules.Mul, // rules/elementwise.ts
  Div: elementwiseRules.Div, // rules/elementwise.ts
  Pow: elementwiseRules.Pow, // rules/elementwise.ts
  Sum: elementwiseRules.Sum, // rules/elementwise.ts
  Mean: elementwiseRules.Mean, // rules/elementwise.ts
  Where: elementwiseRules.Where, // rules/elementwise.ts
  Expand: elementwiseRules.Expand, // rules/elementwise.ts
  Identity: elementwiseRules.Identity, // rules/elementwise.ts
  Cast: elementwiseRules.Cast, // rules/elementwise.ts
  Dropout: elementwiseRules.Dropout, // rules/elementwise.ts
  Neg: unaryMathRules.Neg, // rules/unaryMath.ts
  Sqrt: unaryMathRules.Sqrt, // rules/unaryMath.ts
  Reciprocal: unaryMathRules.Reciprocal, // rules/unaryMath.ts
  Exp: unaryMathRules.Exp, // rules/unaryMath.ts
  Log: unaryMathRules.Log, // rules/unaryMath.ts
  Erf: unaryMathRules.Erf, // rules/unaryMath.ts
  Sin: unaryMathRules.Sin, // rules/unaryMath.ts
  Cos: unaryMathRules.Cos, // rules/unaryMath.ts
  Abs: unaryMathRules.Abs, // rules/unaryMath.ts
  Tanh: unaryMathRules.Tanh, // rules/unaryMath.ts
  Sigmoid: unaryMathRules.Sigmoid, // rules/unaryMath.ts
  Relu: unaryMathRules.Relu, // rules/unaryMath.ts
  LeakyRelu: unaryMathRules.LeakyRelu, // rules/unaryMath.ts
  Elu: unaryMathRules.Elu, // rules/unaryMath.ts
  Softplus: unaryMathRules.Softplus, // rules/unaryMath.ts
  HardSigmoid: unaryMathRules.HardSigmoid, // rules/unaryMath.ts
  Clip: unaryMathRules.Clip, // rules/unaryMath.ts
  Gelu: unaryMathRules.Gelu, // rules/unaryMath.ts
  Softmax: softmaxRules.Softmax, // rules/softmax.ts
  LogSoftmax: softmaxRules.LogSoftmax, // rules/softmax.ts
  ReduceSum: reductionRules.ReduceSum, // rules/reductions.ts
  ReduceMean: reductionRules.ReduceMean, // rules/reductions.ts
  ReduceSumSquare: reductionRules.ReduceSumSquare, // rules/reductions.ts
  ReduceL2: reductionRules.ReduceL2, // rules/reductions.ts
  ReduceL1: reductionRules.ReduceL1, // rules/reductions.ts
  ReduceLogSumExp: reductionRules.ReduceLogSumExp, // rules/reductions.ts
  ReduceMax: reductionRules.ReduceMax, // rules/reductions.ts
  ReduceMin: reductionRules.ReduceMin, // rules/reductions.ts
  MatMul: matmulRules.MatMul, // rules/matmul.ts
  Gemm: matmulRules.Gemm, // rules/matmul.ts
  Einsum: einsumRules.Einsum, // rules/einsum.ts
  Conv: convRules.Conv, // rules/conv.ts
  ConvTranspose: convRules.ConvTranspose, // rules/conv.ts
  InstanceNormalization: normalizationRules.InstanceNormalization, // rules/normalization.ts
  LayerNormalization: normalizationRules.LayerNormalization, // rules/normalization.ts
  GroupNormalization: normalizationRules.GroupNormalization, // rules/normalization.ts
  BatchNormalization: normalizationRules.BatchNormalization, // rules/normalization.ts
  Reshape: shapeOpRules.Reshape, // rules/shapeOps.ts
  Flatten: shapeOpRules.Flatten, // rules/shapeOps.ts
  Squeeze: shapeOpRules.Squeeze, // rules/shapeOps.ts
  Unsqueeze: shapeOpRules.Unsqueeze, // rules/shapeOps.ts
  Transpose: shapeOpRules.Transpose, // rules/shapeOps.ts
  Concat: shapeOpRules.Concat, // rules/shapeOps.ts
  Split: shapeOpRules.Split, // rules/shapeOps.ts
  Slice: indexingRules.Slice, // rules/indexing.ts
  Pad: indexingRules.Pad, // rules/indexing.ts
  Gather: indexingRules.Gather, // rules/indexing.ts
  Trilu: indexingRules.Trilu, // rules/indexing.ts
  Resize: resizeRules.Resize, // rules/resize.ts
  GatherND: gatherNDRules.GatherND, // rules/gatherND.ts
  // integer, shape, comparison, index and sampling ops: no gradient flows through them
  Shape: notDifferentiable,
  Size: notDifferentiable,
  Constant: notDifferentiable,
  ConstantOfShape: notDifferentiable,
  Range: notDifferentiable,
  EyeLike: notDifferentiable,
  OneHot: notDifferentiable,
  NonZero: notDifferentiable,
  Equal: notDifferentiable,
  Less: notDifferentiable,
  LessOrEqual: notDifferentiable,
  Greater: notDifferentiable,
  GreaterOrEqual: notDifferentiable,
  Not: notDifferentiable,
  And: notDifferentiable,
  Or: notDifferentiable,
  Xor: notDifferentiable,
  IsNaN: notDifferentiable,
  IsInf: notDifferentiable,
  ArgMax: notDifferentiable,
  ArgMin: notDifferentiable,
  Floor: notDifferentiable,
  Ceil: notDifferentiable,
  Round: notDifferentiable,
  Sign: notDifferentiable,
  Mod: notDifferentiable,
  BitShift: notDifferentiable,
  RandomNormal: notDifferentiable,
  RandomNormalLike: notDifferentiable,
  RandomUniform: notDifferentiable,
  RandomUniformLike: notDifferentiable,
  Multinomial: notDifferentiable,
  Bernoulli: notDifferentiable,
};

export { notDifferentiable, type GradientRule, type GradientTable, type RuleEntry } from './rules/types';
