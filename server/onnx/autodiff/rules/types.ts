/**
 * The shape of the gradient table: each ONNX op type maps to a rule, to `notDifferentiable` (integer,
 * shape, comparison and index paths, sampling), or is missing — and a missing op on a path that needs a
 * gradient is an error naming the op, the node and the path from the loss.
 */
import type { NodeProto } from '../../proto';
import type { RuleContext } from '../ruleContext';

/** The gradient of each input (by index); undefined where an input needs none. */
export type InputGradients = readonly (string | undefined)[];

export interface GradientRule {
  /**
   * Indices of the inputs a gradient can flow into (default: all). The others (shapes, axes, indices,
   * masks) are treated as constants, so gradients never flow into shape computations.
   */
  readonly inputs?: readonly number[] | ((node: NodeProto, opset: number) => readonly number[]);
  /** Indices of the outputs whose gradients the rule understands (default: all). */
  readonly outputs?: readonly number[];
  /** Emits the backward nodes through `c` and returns the gradient of every input `c.needs(i)` asks for. */
  backward(c: RuleContext): InputGradients;
}

export const notDifferentiable = 'notDifferentiable' as const;

export type RuleEntry = GradientRule | typeof notDifferentiable;

export type GradientTable = Readonly<Record<string, RuleEntry>>;

/** The differentiable input indices of a node under a rule. */
export function differentiableInputs(rule: GradientRule, node: NodeProto, opset: number): readonly number[] {
  if (!rule.inputs) return node.input.map((_, i) => i);
  return typeof rule.inputs === 'function' ? rule.inputs(node, opset) : rule.inputs;
}
