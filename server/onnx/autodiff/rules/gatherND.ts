/**
 * GatherND's gradient: the output gradient is scattered back to the gathered positions with ScatterND
 * (reduction add, so positions gathered twice sum up). With batch_dims = 1 each index tuple gets its batch
 * row prepended, which turns the scatter into the batch_dims = 0 form ScatterND takes.
 */
import type { RuleContext } from '../ruleContext';
import type { GradientTable } from './types';

function gatherNDBackward(c: RuleContext): string {
  if (c.opset < 16) c.fail('its gradient needs ScatterND with reduction "add" (opset 16 or newer)');
  const x = c.input(0);
  const raw = c.input(1);
  const indices = c.type(raw) === 'int64' ? raw : c.op('Cast', [raw], { to: 7 });
  const batchDims = c.attrInt('batch_dims', 0);
  const zeros = c.zerosLike(x, c.floatType);
  if (batchDims === 0) return c.op('ScatterND', [zeros, indices, c.grad()], { reduction: 'add' });
  if (batchDims !== 1) c.fail(`batch_dims ${batchDims} is not supported (0 or 1 are)`);
  const rank = c.rank(indices) ?? c.fail('the rank of its indices is unknown');
  // row b of the batch as an index column shaped like the indices with a last axis of 1
  const batch = c.op('Gather', [c.shapeOf(x), c.tensorConstant([0], [], 'int64')]);
  const rows = c.op('Range', [c.tensorConstant([0], [], 'int64'), batch, c.tensorConstant([1], [], 'int64')]);
  const column = c.op('Reshape', [rows, c.ints([-1, ...Array<number>(rank - 1).fill(1)])]);
  const lead = c.op('Slice', [c.shapeOf(indices), c.ints([0]), c.ints([-1])]);
  const columnShape = c.op('Concat', [lead, c.ints([1])], { axis: 0 });
  const full = c.op('Concat', [c.op('Expand', [column, columnShape]), indices], { axis: -1 });
  return c.op('ScatterND', [zeros, full, c.grad()], { reduction: 'add' });
}

export const gatherNDRules = {
  GatherND: { inputs: [0], backward: (c) => [gatherNDBackward(c)] },
} satisfies GradientTable;
