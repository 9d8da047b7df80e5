/**
 * Adds rows of updates into rows of a zero tensor, rows picked more than once summing up: the scatter behind
 * Gather's and GatherND's gradients. It uses ScatterElements (add) with each row's index repeated along the
 * row, not ScatterND: onnxruntime's CPU ScatterND splits its updates over threads, so rows picked twice race
 * and updates are lost (token-embedding gradients off by up to 3.3 with 2 threads, different on every run;
 * microsoft/onnxruntime#18048). ScatterElements adds them in order.
 */
import type { RuleContext } from '../ruleContext';

/**
 * `zeros` [rows, rest…] plus `updates` [n, rest…], update i added to row `rowIndex`[i] (int64, n values in any
 * shape); `rank` is the rank of both tensors. Needs opset 16 (ScatterElements with a reduction).
 */
export function addRows(
  c: RuleContext,
  zeros: string,
  rowIndex: string,
  updates: string,
  rank: number,
): string {
  const column = c.op('Reshape', [rowIndex, c.ints([-1, ...Array<number>(rank - 1).fill(1)])]);
  const indices = c.op('Expand', [column, c.shapeOf(updates)]);
  return c.op('ScatterElements', [zeros, indices, updates], { axis: 0, reduction: 'add' });
}
