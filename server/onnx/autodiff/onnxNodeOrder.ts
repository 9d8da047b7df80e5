/**
 * Node order helpers for assembling gradient graphs: a topological order (the given one when it already is)
 * and the removal of nodes no output depends on.
 */
import type { NodeProto } from '../proto';

/** Nodes in an order where every tensor is produced before it is used (the given order when it is one). */
export function topologicalOrder(nodes: readonly NodeProto[]): NodeProto[] {
  const produced = new Map<string, number>();
  nodes.forEach((n, i) => n.output.forEach((o) => o && produced.set(o, i)));
  const visited = new Uint8Array(nodes.length);
  const order: NodeProto[] = [];
  const visit = (start: number): void => {
    const stack: [number, boolean][] = [[start, false]];
    while (stack.length) {
      const [i, expanded] = stack.pop()!;
      if (expanded) {
        if (visited[i] !== 2) order.push(nodes[i]!);
        visited[i] = 2;
        continue;
      }
      if (visited[i]) continue;
      visited[i] = 1;
      stack.push([i, true]);
      for (const t of nodes[i]!.input) {
        const p = produced.get(t);
        if (p !== undefined && !visited[p]) stack.push([p, false]);
      }
    }
  };
  nodes.forEach((_, i) => visit(i));
  return order;
}

/** The nodes some output depends on, in their original order. */
export function pruneDead(nodes: readonly NodeProto[], outputs: readonly string[]): NodeProto[] {
  const needed = new Set(outputs);
  const keep: NodeProto[] = [];
  for (let i = nodes.length - 1; i >= 0; i--) {
    const n = nodes[i]!;
    if (!n.output.some((o) => needed.has(o))) continue;
    keep.push(n);
    for (const t of n.input) if (t) needed.add(t);
  }
  return keep.reverse();
}
