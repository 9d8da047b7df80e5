/**
 * The gradient table: every op type autodiff knows, as a rule or as `notDifferentiable`. Ops missing here
 * fail only when a gradient has to flow through them.
 */
import { notDifferentiable, type GradientTable } from './types';
import { elementwiseRules } from './elementwise';
import { unaryMathRules } from './unaryMath';
import { reductionRules } from './reductions';
import { matmulRules } from './matmul';
import { einsumRules } from './einsum';
import { convRules } from './conv';
import { normalizationRules } from './normalization';
import { shapeOpRules } from './shapeOps';
import { indexingRules } from './indexing';
import { resizeRules } from './resize';
import { gatherNDRules } from './gatherND';

/** Integer, shape, comparison, index and sampling ops: no gradient flows through them. */
const NOT_DIFFERENTIABLE = [
  'Shape',
  'Size',
  'Constant',
  'ConstantOfShape',
  'Range',
  'EyeLike',
  'OneHot',
  'NonZero',
  'Equal',
  'Less',
  'LessOrEqual',
  'Greater',
  'GreaterOrEqual',
  'Not',
  'And',
  'Or',
  'Xor',
  'IsNaN',
  'IsInf',
  'ArgMax',
  'ArgMin',
  'Floor',
  'Ceil',
  'Round',
  'Sign',
  'Mod',
  'BitShift',
  'RandomNormal',
  'RandomNormalLike',
  'RandomUniform',
  'RandomUniformLike',
  'Multinomial',
  'Bernoulli',
];

const families: readonly GradientTable[] = [
  elementwiseRules,
  unaryMathRules,
  reductionRules,
  matmulRules,
  einsumRules,
  convRules,
  normalizationRules,
  shapeOpRules,
  indexingRules,
  resizeRules,
  gatherNDRules,
];

function merge(tables: readonly GradientTable[]): GradientTable {
  const out: Record<string, GradientTable[string]> = Object.fromEntries(
    NOT_DIFFERENTIABLE.map((op) => [op, notDifferentiable]),
  );
  for (const table of tables) {
    for (const [op, entry] of Object.entries(table)) {
      if (op in out) throw new Error(`gradient table lists op "${op}" twice`);
      out[op] = entry;
    }
  }
  return out;
}

/** The built-in gradient table, keyed by ONNX op type. */
export const gradientRules: GradientTable = merge(families);

export { notDifferentiable, type GradientRule, type GradientTable, type RuleEntry } from './types';
