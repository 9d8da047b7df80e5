/**
 * Graph walks over an API prompt: links, ancestor closure, cycle detection (Tarjan) and a deterministic
 * dependency order (Kahn, ties broken by node id) for execution.
 */
import type { PromptLink } from '../../protocol/wireSchemas';

/** The minimal node shape the walks need. */
export interface GraphNode {
  inputs: Record<string, unknown>;
}
export type Graph = Record<string, GraphNode>;

/** A value is a link when it is `[source id, output index]`; numeric ids are accepted and stringified. */
export function asLink(value: unknown): PromptLink | null {
  if (!Array.isArray(value) || value.length !== 2) return null;
  const [source, slot] = value as unknown[];
  if ((typeof source !== 'string' && typeof source !== 'number') || typeof slot !== 'number') return null;
  if (!Number.isInteger(slot) || slot < 0) return null;
  return [String(source), slot];
}

/** Ids of the nodes this node's inputs link to (existing ones only), in input order. */
export function linkedSources(graph: Graph, id: string): string[] {
  const node = graph[id];
  if (!node) return [];
  const sources: string[] = [];
  for (const value of Object.values(node.inputs)) {
    const link = asLink(value);
    if (link && graph[link[0]] && !sources.includes(link[0])) sources.push(link[0]);
  }
  return sources;
}

/** The roots plus everything they depend on. */
export function ancestorClosure(graph: Graph, roots: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const stack = roots.filter((id) => graph[id]);
  while (stack.length) {
    const id = stack.pop() as string;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...linkedSources(graph, id));
  }
  return seen;
}

/** Nodes (within `ids`) that lie on a dependency cycle, each cycle as a list. */
export function findCycles(graph: Graph, ids: ReadonlySet<string>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const cycles: string[][] = [];

  const visit = (id: string): void => {
    index.set(id, counter);
    low.set(id, counter);
    counter += 1;
    stack.push(id);
    onStack.add(id);
    for (const next of linkedSources(graph, id)) {
      if (!ids.has(next)) continue;
      if (!index.has(next)) {
        visit(next);
        low.set(id, Math.min(low.get(id) as number, low.get(next) as number));
      } else if (onStack.has(next)) {
        low.set(id, Math.min(low.get(id) as number, index.get(next) as number));
      }
    }
    if (low.get(id) === index.get(id)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop() as string;
        onStack.delete(member);
        component.push(member);
      } while (member !== id);
      const selfLoop = component.length === 1 && linkedSources(graph, id).includes(id);
      if (component.length > 1 || selfLoop) cycles.push(component.sort(compareNodeIds));
    }
  };
  for (const id of [...ids].sort(compareNodeIds)) if (!index.has(id)) visit(id);
  return cycles;
}

/** Numeric ids in numeric order, then the rest lexically. */
export function compareNodeIds(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  const aNum = a !== '' && Number.isFinite(na);
  const bNum = b !== '' && Number.isFinite(nb);
  if (aNum && bNum) return na - nb;
  if (aNum !== bNum) return aNum ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Dependencies first; among ready nodes the smallest id first. Throws on a cycle (validate first). */
export function dependencyOrder(graph: Graph, ids: ReadonlySet<string>): string[] {
  const pending = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const id of ids) {
    const sources = linkedSources(graph, id).filter((s) => ids.has(s));
    pending.set(id, sources.length);
    for (const source of sources) dependents.set(source, [...(dependents.get(source) ?? []), id]);
  }
  const ready = [...ids].filter((id) => pending.get(id) === 0);
  const order: string[] = [];
  while (ready.length) {
    ready.sort(compareNodeIds);
    const id = ready.shift() as string;
    order.push(id);
    for (const next of dependents.get(id) ?? []) {
      const left = (pending.get(next) as number) - 1;
      pending.set(next, left);
      if (left === 0) ready.push(next);
    }
  }
  if (order.length !== ids.size) {
    const stuck = [...ids].filter((id) => !order.includes(id));
    throw new Error(
      `dependency cycle among nodes ${stuck.join(', ')}; validate the prompt before ordering it`,
    );
  }
  return order;
}
