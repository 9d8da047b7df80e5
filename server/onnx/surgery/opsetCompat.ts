/**
 * Raising a graph's default-domain opset is safe only if none of its ops changed signature or meaning in
 * between (e.g. ReduceMean's axes moved from attribute to input at 18). Merging an opset-14 export with a
 * builder graph at 17 raises the export; this table is what makes that a checked step rather than a hope.
 */
import type { IGraphProto } from './graphIndex';

/** Op type → opset versions at which existing nodes would be read differently. */
const BREAKING_CHANGES: Readonly<Record<string, readonly number[]>> = {
  Slice: [10],
  TopK: [10],
  Upsample: [10],
  Pad: [11],
  Clip: [11],
  Resize: [11],
  Dropout: [12],
  ReduceSum: [13],
  Split: [13],
  Squeeze: [13],
  Unsqueeze: [13],
  Softmax: [13],
  LogSoftmax: [13],
  Hardmax: [13],
  ReduceMean: [18],
  ReduceMax: [18],
  ReduceMin: [18],
  ReduceProd: [18],
  ReduceL1: [18],
  ReduceL2: [18],
  ReduceLogSum: [18],
  ReduceLogSumExp: [18],
  ReduceSumSquare: [18],
  GroupNormalization: [21],
};

/** Op types of `graph` (and its subgraphs) that would change meaning going from opset `from` to `to`. */
export function opsetUpgradeConflicts(graph: IGraphProto, from: number, to: number): string[] {
  const conflicts = new Set<string>();
  const visit = (g: IGraphProto): void => {
    for (const node of g.node ?? []) {
      if (node.domain && node.domain !== 'ai.onnx') continue;
      const op = node.opType ?? '';
      const at = (BREAKING_CHANGES[op] ?? []).find((v) => v > from && v <= to);
      if (at !== undefined) conflicts.add(`${op} (changed at opset ${at})`);
      for (const a of node.attribute ?? [])
        for (const sub of [...(a.g ? [a.g] : []), ...(a.graphs ?? [])]) visit(sub);
    }
  };
  visit(graph);
  return [...conflicts];
}

/** Throws unless every op of `graph` means the same at opset `to` as at `from`. */
export function assertOpsetUpgrade(graph: IGraphProto, from: number, to: number, label: string): void {
  if (to <= from) return;
  const conflicts = opsetUpgradeConflicts(graph, from, to);
  if (conflicts.length) {
    throw new Error(
      `cannot raise ${label} from opset ${from} to ${to}: ${conflicts.join(', ')}; build the other graph at opset ${from} instead`,
    );
  }
}
