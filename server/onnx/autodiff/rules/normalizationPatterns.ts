/**
 * Recognises the normalisations torch exports op by op (LayerNorm as ReduceMean, Sub, Pow, ReduceMean,
 * Add, Sqrt, Div), so Sub and Div can return closed-form gradients and fold the mean and variance paths
 * into them instead of differentiating every step: about 7 backward ops per LayerNorm instead of 16.
 */
import { attrInt, attrInts } from '../../attributes';
import type { NodeProto } from '../../proto';
import type { RuleContext } from '../ruleContext';

/** Axes of a forward ReduceMean with keepdims=1 over `of`, or undefined when `node` is not one. */
export function meanAxes(c: RuleContext, node: NodeProto | undefined, of: string): number[] | undefined {
  if (!node || node.opType !== 'ReduceMean' || node.input[0] !== of) return undefined;
  if (attrInt(node.attribute, 'keepdims', 1) !== 1) return undefined;
  const axes =
    c.opset < 18 ? attrInts(node.attribute, 'axes') : node.input[1] ? c.intsOf(node.input[1]) : undefined;
  return axes && axes.length > 0 ? axes : undefined;
}

/** For y = c / s: the normalised axes when s = √(mean(c², axes) + constant). */
export function rmsNormalizedAxes(c: RuleContext): number[] | undefined {
  const [centred, scale] = [c.input(0), c.input(1)];
  const sqrt = c.producer(scale);
  if (sqrt?.opType !== 'Sqrt') return undefined;
  let variance = sqrt.input[0]!;
  const add = c.producer(variance);
  if (add?.opType === 'Add') {
    const constant = add.input.findIndex((t) => c.numbersOf(t)?.length === 1);
    if (constant < 0) return undefined;
    variance = add.input[1 - constant]!;
  }
  const mean = c.producer(variance);
  const square = mean && c.producer(mean.input[0]!);
  if (!square) return undefined;
  const isSquare =
    (square.opType === 'Pow' && square.input[0] === centred && c.numbersOf(square.input[1]!)?.[0] === 2) ||
    (square.opType === 'Mul' && square.input[0] === centred && square.input[1] === centred);
  return isSquare ? meanAxes(c, mean, square.output[0]!) : undefined;
}
