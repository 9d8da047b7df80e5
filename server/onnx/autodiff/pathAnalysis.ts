/**
 * Which nodes a vjp differentiates: tensors reachable from `wrt` through differentiable inputs (and of a
 * float type) are active; active tensors an `of` output depends on need gradients. Only the nodes between
 * the two sets are differentiated, so ops off the path need no rule — and an op on it without one is
 * reported with the path that leads from the loss to it.
 */
import type { NodeProto } from '../proto';
import type { ElementType } from '../dataTypes';
import type { GraphFacts } from '../shapes/shapeInference';
import {
  differentiableInputs,
  notDifferentiable,
  type GradientRule,
  type GradientTable,
} from './rules/types';

export interface PathAnalysis {
  /** Tensors that depend differentiably on some `wrt`. */
  readonly active: ReadonlySet<string>;
  /** Active tensors some `of` depends on: they need gradients. */
  readonly needed: ReadonlySet<string>;
  /** Nodes to differentiate, in reverse topological order, with their rules. */
  readonly backward: readonly { readonly node: NodeProto; readonly rule: GradientRule }[];
}

const FLOAT_TYPES: ReadonlySet<ElementType> = new Set(['float32', 'float16', 'float64']);

/** The table entry for a node; ops outside the default ONNX domain have none. */
export function ruleEntry(table: GradientTable, node: NodeProto): GradientTable[string] | undefined {
  const domain = node.domain ?? '';
  if (domain !== '' && domain !== 'ai.onnx') return undefined;
  return Object.prototype.hasOwnProperty.call(table, node.opType) ? table[node.opType] : undefined;
}

export function analyzePaths(
  nodes: readonly NodeProto[],
  table: GradientTable,
  facts: GraphFacts,
  opset: number,
  of: readonly string[],
  wrt: readonly string[],
): PathAnalysis {
  const isFloat = (t: string): boolean => {
    const type = facts.get(t).type;
    return type === undefined || FLOAT_TYPES.has(type);
  };
  const diffInputs = (node: NodeProto): readonly number[] => {
    const entry = ruleEntry(table, node);
    if (entry === notDifferentiable) return [];
    return entry ? differentiableInputs(entry, node, opset) : node.input.map((_, i) => i);
  };

  const active = new Set(wrt);
  for (const node of nodes) {
    if (!diffInputs(node).some((i) => active.has(node.input[i] ?? ''))) continue;
    for (const o of node.output) if (o && isFloat(o)) active.add(o);
  }

  const needed = new Set(of.filter((t) => active.has(t)));
  const via = new Map<string, NodeProto>();
  const backward: { node: NodeProto; rule: GradientRule }[] = [];
  for (let k = nodes.length - 1; k >= 0; k--) {
    const node = nodes[k]!;
    if (!node.output.some((o) => needed.has(o))) continue;
    // e.g. the producer of an intermediate wrt tensor: nothing upstream depends on wrt
    if (!diffInputs(node).some((i) => active.has(node.input[i] ?? ''))) continue;
    const entry = ruleEntry(table, node);
    if (entry === notDifferentiable) continue;
    if (!entry) throw new Error(missingRuleMessage(node, via, of));
    backward.push({ node, rule: entry });
    for (const i of differentiableInputs(entry, node, opset)) {
      const t = node.input[i] ?? '';
      if (!active.has(t)) continue;
      needed.add(t);
      if (!via.has(t)) via.set(t, node);
    }
  }
  return { active, needed, backward };
}

function describe(node: NodeProto): string {
  const domain = node.domain && node.domain !== 'ai.onnx' ? `${node.domain}.` : '';
  return `${domain}${node.opType} "${node.name ?? ''}"`;
}

function missingRuleMessage(
  node: NodeProto,
  via: ReadonlyMap<string, NodeProto>,
  of: readonly string[],
): string {
  const chain: string[] = [describe(node)];
  let tensor = node.output.find((o) => via.has(o) || of.includes(o));
  const seen = new Set<string>();
  while (tensor && !of.includes(tensor) && !seen.has(tensor)) {
    seen.add(tensor);
    const consumer = via.get(tensor);
    if (!consumer) break;
    chain.push(describe(consumer));
    tensor = consumer.output.find((o) => via.has(o) || of.includes(o));
  }
  chain.push(`"${tensor ?? '?'}"`);
  chain.reverse();
  const shown =
    chain.length > 12 ? [...chain.slice(0, 6), `… ${chain.length - 11} more …`, ...chain.slice(-5)] : chain;
  const kind =
    node.domain && node.domain !== '' && node.domain !== 'ai.onnx' ? ` of domain "${node.domain}"` : '';
  return (
    `no gradient rule for op ${node.opType}${kind} (node "${node.name ?? ''}"), which lies on the path from the loss: ` +
    `${shown.join(' ← ')}. Add a rule for "${node.opType}" to the gradient table (server/onnx/autodiff/rules/), ` +
    `mark it notDifferentiable if no gradient flows through it, or choose wrt/of so the path avoids it.`
  );
}
