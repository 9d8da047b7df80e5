/**
 * Recomputation in the backward pass: attention probabilities P = Softmax(MatMul(q, k) [+ mask]) are the
 * largest activations of a transformer ([B, heads, S, S]), while q and k are small and kept for the score
 * MatMul's own gradient anyway. With recomputation the backward rules read a copy of P computed again from q
 * and k (new nodes emitted among the backward nodes, on first read), so the forward P is freed right after
 * the forward P·v.
 */
import { onnx, type NodeProto } from '../proto';
import type { GraphBuilder } from '../graphBuilder';
import type { GraphFacts } from '../shapes/shapeInference';
import type { GraphOps } from './graphOps';

/** One Softmax that recomputation may apply to, with what the policy may judge it by. */
export interface RecomputeSite {
  readonly softmax: NodeProto;
  /** Elements of the Softmax output when its shape is static. */
  readonly elements: number | undefined;
}

/**
 * What to recompute: `'attention'` every Softmax whose input is a MatMul (directly or through one Add of a
 * mask), or a predicate choosing among those Softmax nodes (e.g. by size).
 */
export type RecomputePolicy = 'attention' | ((site: RecomputeSite) => boolean);

/** The forward nodes that compute one recomputed tensor, inputs first (MatMul, optional Add, Softmax). */
type Chain = readonly NodeProto[];

/**
 * The attention chains `policy` picks among `nodes`: the Softmax output name → its chain. A chain's
 * intermediate outputs must have no other consumer (else the forward keeps them anyway, and the
 * recomputation would save nothing).
 */
export function findRecomputable(
  nodes: readonly NodeProto[],
  facts: GraphFacts,
  policy: RecomputePolicy,
): Map<string, Chain> {
  const producers = new Map<string, NodeProto>();
  const consumers = new Map<string, number>();
  for (const n of nodes) {
    n.output.forEach((o) => o && producers.set(o, n));
    for (const i of n.input) if (i) consumers.set(i, (consumers.get(i) ?? 0) + 1);
  }
  const singleUse = (n: NodeProto | undefined): n is NodeProto =>
    !!n && n.output.length === 1 && consumers.get(n.output[0]!) === 1;
  const chains = new Map<string, Chain>();
  for (const softmax of nodes) {
    if (softmax.opType !== 'Softmax' || (softmax.domain ?? '') !== '') continue;
    let source = producers.get(softmax.input[0] ?? '');
    const chain: NodeProto[] = [softmax];
    if (source?.opType === 'Add' && singleUse(source)) {
      const [a, b] = source.input.map((t) => producers.get(t ?? ''));
      const scores = a?.opType === 'MatMul' ? a : b?.opType === 'MatMul' ? b : undefined;
      chain.unshift(source);
      source = scores;
    }
    if (source?.opType !== 'MatMul' || (source.domain ?? '') !== '' || !singleUse(source)) continue;
    chain.unshift(source);
    const out = softmax.output[0] ?? '';
    const dims = facts.get(out).dims;
    const elements = dims?.every((d) => typeof d === 'number')
      ? dims.reduce<number>((p, d) => p * (d as number), 1)
      : undefined;
    if (policy === 'attention' || policy({ softmax, elements })) chains.set(out, chain);
  }
  return chains;
}

/**
 * Hands the backward rules the recomputed copy of a chosen tensor: emitted among the backward nodes the
 * first time a rule reads it, under fresh names.
 *
 * Node order alone does not make onnxruntime run the copy late: its default execution order is a
 * depth-first walk from the outputs that visits a node's newest input first, which put the copies right
 * after the forward pass (measured on a three-layer attention graph) and kept them alive as long as the
 * originals. So the copy depends on the gradient reaching the reading node: the MatMul's first input goes
 * through Where(IsNaN(g[0]), q, q), which is q exactly and cannot run before g exists. The gate also keeps
 * onnxruntime's CommonSubexpressionElimination from merging the copy back into the forward nodes, which it
 * does with ungated copies.
 */
export class Recomputer {
  private readonly copies = new Map<string, string>();

  constructor(
    private readonly chains: ReadonlyMap<string, Chain>,
    private readonly ops: GraphOps,
    private readonly builder: GraphBuilder,
    private readonly facts: GraphFacts,
  ) {}

  /**
   * The tensor backward rules read for forward tensor `name`: its recomputed copy, or `name` itself.
   * `after` is a tensor the copy must not be computed before (the gradient reaching the reading node).
   */
  valueOf(name: string, after?: string): string {
    const chain = this.chains.get(name);
    if (!chain) return name;
    let copy = this.copies.get(name);
    if (!copy) {
      copy = this.emit(chain, after);
      this.copies.set(name, copy);
    }
    return copy;
  }

  /** `x` itself, computed only once `after` exists. */
  private gate(x: string, after: string): string {
    const first = this.ops.op('Gather', [
      this.ops.op('Reshape', [after, this.ops.ints([-1])]),
      this.ops.tensorConstant([0], [], 'int64'),
    ]);
    return this.ops.op('Where', [this.ops.op('IsNaN', [first]), x, x]);
  }

  private emit(chain: Chain, after: string | undefined): string {
    const renamed = new Map<string, string>();
    const head = chain[0]!.input[0];
    if (after && head) renamed.set(head, this.gate(head, after));
    for (const n of chain) {
      const node = onnx.NodeProto.create({
        ...n,
        name: this.builder.fresh(`recompute/${n.name || n.opType}`),
        input: n.input.map((t) => renamed.get(t) ?? t),
        output: n.output.map((o) => {
          const fresh = this.builder.fresh(`recompute/${o}`);
          renamed.set(o, fresh);
          return fresh;
        }),
      });
      this.builder.addNode(node);
      this.facts.add(node);
    }
    return renamed.get(chain[chain.length - 1]!.output[0]!)!;
  }
}
