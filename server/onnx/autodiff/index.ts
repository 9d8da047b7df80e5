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
} from './gradientRules';
export type { RuleContext } from './ruleContext';
export {
  checkGradients,
  normalRandom,
  type GradientCheckOptions,
  type GradientComparison,
} from './gradientCheck';
export { GraphFacts } from '../shapes/shapeInference';
export type { TensorFacts } from '../shapes/shapeTypes';
export type { SymDim } from '../shapes/symbolicDims';
