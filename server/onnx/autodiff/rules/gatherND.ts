/**
 * GatherND's gradient: the output gradient is added back at the gathered positions, so positions gathered
 * twice sum up. With batch_dims = 1 each index tuple gets its batch row prepended (the batch_dims = 0 form).
 * When x's shape is known, every tuple becomes one row index into x seen as [positions, rest…] and the rows
 * are added with `addRows` (ScatterND races on repeated tuples over threads: see there). Without a static
 * shape, ScatterND (add) remains, exact for tuples that do not repeat.
 */
import type { RuleContext } from '../ruleContext';
import { allNumeric } from '../../shapes/symbolicDims';
import type { GradientTable } from './types';
import { addRows } from './addRows';

/** The batch_dims = 0 tuples of the gathered positions: with batch_dims = 1, (b, tuple…) per row b. */
function positionTuples(c: RuleContext, indices: string, batchDims: number): string {
  if (batchDims === 0) return indices;
  if (batchDims !== 1) c.fail(`batch_dims ${batchDims} is not supported (0 or 1 are)`);
  const rank = c.rank(indices) ?? c.fail('the rank of its indices is unknown');
  // row b of the batch as an index column shaped like the indices with a last axis of 1
  const batch = c.op('Gather', [c.shapeOf(c.input(0)), c.tensorConstant([0], [], 'int64')]);
  const rows = c.op('Range', [c.tensorConstant([0], [], 'int64'), batch, c.tensorConstant([1], [], 'int64')]);
  const column = c.op('Reshape', [rows, c.ints([-1, ...Array<number>(rank - 1).fill(1)])]);
  const lead = c.op('Slice', [c.shapeOf(indices), c.ints([0]), c.ints([-1])]);
  const columnShape = c.op('Concat', [lead, c.ints([1])], { axis: 0 });
  return c.op('Concat', [c.op('Expand', [column, columnShape]), indices], { axis: -1 });
}

function gatherNDBackward(c: RuleContext): string {
  if (c.opset < 16) c.fail('its gradient needs a scatter with reduction "add" (opset 16 or newer)');
  const x = c.input(0);
  const raw = c.input(1);
  const indices = c.type(raw) === 'int64' ? raw : c.op('Cast', [raw], { to: 7 });
  const batchDims = c.attrInt('batch_dims', 0);
  const tuples = positionTuples(c, indices, batchDims);
  const xd = c.dims(x);
  const tupleLength = c.dims(indices)?.at(-1);
  if (!allNumeric(xd) || typeof tupleLength !== 'number') {
    return c.op('ScatterND', [c.zerosLike(x, c.floatType), tuples, c.grad()], { reduction: 'add' });
  }
  const k = tupleLength + batchDims;
  const lead = xd.slice(0, k);
  const rest = xd.slice(k);
  const strides = lead.map((_, j) => lead.slice(j + 1).reduce((a, b) => a * b, 1));
  const inRange = c.op('Where', [
    c.op('Less', [tuples, c.ints([0])]),
    c.op('Add', [tuples, c.ints(lead)]),
    tuples,
  ]);
  const row = c.op('ReduceSum', [c.op('Mul', [inRange, c.ints(strides)]), c.ints([-1])], { keepdims: 0 });
  const updates = c.op('Reshape', [c.grad(), c.ints([-1, ...rest])]);
  const positions = lead.reduce((a, b) => a * b, 1);
  const zeros = c.op('Reshape', [c.zerosLike(x, c.floatType), c.ints([positions, ...rest])]);
  return c.op('Reshape', [addRows(c, zeros, row, updates, rest.length + 1), c.ints(xd)]);
}

export const gatherNDRules = {
  GatherND: { inputs: [0], backward: (c) => [gatherNDBackward(c)] },
} satisfies GradientTable;
