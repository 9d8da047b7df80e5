/**
 * Which tensors have a shape that is fixed once the graph inputs' shapes are: the analysis behind folding
 * torch's Shape → Gather → Unsqueeze → Concat chains. A tensor's shape is fixed when its node's inputs have
 * fixed shapes and every input that decides the output *shape* (Reshape's target, Slice's bounds...) has a
 * value known before running — a constant or itself a folded shape value.
 */
import type { IGraphProto } from './graphIndex';

/** Op type → indices of inputs whose values (not just shapes) decide the output shape. */
const SHAPE_DECIDING_INPUTS: Readonly<Record<string, readonly number[]>> = {
  Reshape: [1],
  Expand: [1],
  Tile: [1],
  ConstantOfShape: [0],
  Range: [0, 1, 2],
  Slice: [1, 2, 3, 4],
  Pad: [1, 3],
  Resize: [2, 3],
  Upsample: [1],
  OneHot: [1],
  Squeeze: [1],
  Unsqueeze: [1],
  Split: [1],
  TopK: [1],
  ReduceSum: [1],
  ReduceMean: [1],
  ReduceMax: [1],
  ReduceMin: [1],
  ReduceProd: [1],
  ReduceL1: [1],
  ReduceL2: [1],
  ReduceSumSquare: [1],
  ReduceLogSum: [1],
  ReduceLogSumExp: [1],
  CenterCropPad: [1],
  MaxUnpool: [2],
};

/** Ops whose output shape depends on data values in ways the table cannot express. */
const DATA_DEPENDENT = new Set([
  'NonZero',
  'Unique',
  'Compress',
  'NonMaxSuppression',
  'Loop',
  'If',
  'Scan',
  'StringSplit',
]);

/**
 * Walks the graph in order and returns the tensors whose shapes are fixed, given that `fixedInputs` (graph
 * inputs with fully static dims) are, and the tensors whose values are static (`constants` plus everything
 * `isFoldable` nodes compute from static values, with Shape/Size of fixed-shape tensors counted as static).
 */
export function staticAnalysis(
  graph: IGraphProto,
  fixedInputs: ReadonlySet<string>,
  constants: ReadonlySet<string>,
  isFoldable: (opType: string, domain: string) => boolean,
): { fixedShape: Set<string>; staticValue: Set<string> } {
  const fixedShape = new Set<string>([...fixedInputs, ...constants]);
  const staticValue = new Set<string>(constants);
  for (const node of graph.node ?? []) {
    const op = node.opType ?? '';
    const domain = node.domain && node.domain !== 'ai.onnx' ? node.domain : '';
    const inputs = (node.input ?? []).filter((n) => n !== '');
    const outputs = (node.output ?? []).filter((n) => n !== '');
    if ((op === 'Shape' || op === 'Size') && !domain && fixedShape.has(inputs[0] ?? '')) {
      for (const o of outputs) {
        staticValue.add(o);
        fixedShape.add(o);
      }
      continue;
    }
    if (inputs.length > 0 && inputs.every((n) => staticValue.has(n)) && isFoldable(op, domain)) {
      for (const o of outputs) {
        staticValue.add(o);
        fixedShape.add(o);
      }
      continue;
    }
    if (domain || DATA_DEPENDENT.has(op)) continue;
    const deciding = SHAPE_DECIDING_INPUTS[op] ?? [];
    const ok = (node.input ?? []).every(
      (n, i) => n === '' || (fixedShape.has(n) && (!deciding.includes(i) || staticValue.has(n))),
    );
    if (ok) for (const o of outputs) fixedShape.add(o);
  }
  return { fixedShape, staticValue };
}
