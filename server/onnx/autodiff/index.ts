/**
 * Reverse-mode autodiff over ONNX graphs with standard ops only. `vjp` builds gradient models; the table
 * of gradient rules is `gradientRules`; `checkGradients` compares a vjp with finite differences on
 * onnxruntime.
 */
export { vjp, defaultOpset, type VjpOptions } from './vjp';
export {
  gradientRules,
  notDifferentiable,
  type GradientRule,
  type GradientTable,
  type RuleEntry,
} from './rules';
export type { RuleContext } from './ruleContext';
export {
  checkGradients,
  normalRandom,
  type GradientCheckOptions,
  type GradientComparison,
} from './gradientCheck';
export { GraphFacts, type TensorFacts } from './shapeInference';
export type { SymDim } from './symbolicDims';
