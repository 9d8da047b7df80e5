/**
 * Reverse-mode autodiff over ONNX graphs: `vjp` returns a model that computes the original outputs plus
 * the gradients of chosen outputs w.r.t. chosen inputs, using standard ONNX ops only (so it runs on stock
 * onnxruntime, CPU or CUDA). A short walk over the gradient table (rules/): differentiate the nodes between
 * `wrt` and `of` in reverse order, summing the gradient contributions of each tensor once.
 */
import {
  onnx,
  type GraphProto,
  type ModelProto,
  type NodeProto,
  type TensorProto,
  type ValueInfoProto,
} from '../proto';
import { GraphBuilder } from '../graphBuilder';
import { typedArrayOf } from '../dataTypes';
import { GraphFacts } from '../shapes/shapeInference';
import { SHAPE_RULES } from '../shapes/shapeRules';
import { GraphOps, type EmitState } from './graphOps';
import { RuleContext } from './ruleContext';
import { analyzePaths } from './pathAnalysis';
import { differentiableInputs, type GradientTable } from './rules/types';
import { gradientRules } from './gradientRules';
import type { SymDim } from '../shapes/symbolicDims';
import { pinInput, typedInfo } from './tensorInfo';
import { pruneDead, topologicalOrder } from './onnxNodeOrder';
import { GradientAccumulator } from './gradientAccumulator';
import { findRecomputable, Recomputer, type RecomputePolicy } from './recompute';

export interface VjpOptions {
  /** Output (or intermediate) tensors to differentiate. */
  readonly of: readonly string[];
  /** Graph inputs, initializers (or intermediate tensors) to differentiate with respect to. */
  readonly wrt: readonly string[];
  /** `of` is one scalar loss; its cotangent is 1 instead of an input. */
  readonly seedScalarLoss?: boolean;
  /** Name of the gradient output of a `wrt` tensor (default "grad_" + name). */
  readonly gradName?: (wrt: string) => string;
  /** Name of the cotangent input of an `of` tensor (default "grad_" + name). */
  readonly cotangentName?: (of: string) => string;
  /** Keep the model's original outputs (default true). */
  readonly keepOutputs?: boolean;
  /** Pin input dims (e.g. batch 2) so more shapes are static; the model then only accepts those shapes. */
  readonly inputShapes?: Readonly<Record<string, readonly SymDim[]>>;
  /** The gradient table (default: every built-in rule). */
  readonly rules?: GradientTable;
  /**
   * Recompute attention probabilities in the backward pass instead of keeping them from the forward pass
   * (default off; see recompute.ts): less memory for one more q·kᵀ and Softmax per attention.
   */
  readonly recompute?: RecomputePolicy;
}

const defaultName = (name: string): string => `grad_${name}`;

/** The model's opset for the default ONNX domain. */
export function defaultOpset(model: ModelProto): number {
  const entry = (model.opsetImport ?? []).find((o) => !o.domain || o.domain === 'ai.onnx');
  if (!entry) throw new Error('model imports no default-domain opset; is it an ONNX model?');
  return Number(entry.version);
}

/**
 * Builds the vector-Jacobian-product model of `model`: its inputs plus one cotangent input per `of`
 * (unless `seedScalarLoss`), its outputs (unless `keepOutputs` is false) plus one gradient per `wrt`.
 */
export function vjp(model: ModelProto, options: VjpOptions): ModelProto {
  const graph = model.graph;
  if (!graph) throw new Error('model has no graph');
  const opset = defaultOpset(model);
  const table = options.rules ?? gradientRules;
  const gradName = options.gradName ?? defaultName;
  const cotangentName = options.cotangentName ?? defaultName;
  const { of, wrt } = options;
  if (of.length === 0 || wrt.length === 0)
    throw new Error('vjp needs at least one "of" output and one "wrt" input');
  if (options.seedScalarLoss && of.length !== 1) {
    throw new Error(
      `seedScalarLoss needs exactly one "of" tensor (the loss), got ${of.length}: ${of.join(', ')}`,
    );
  }

  const nodes = topologicalOrder(graph.node as NodeProto[]);
  const known = new Set<string>([
    ...(graph.input ?? []).map((v) => v.name ?? ''),
    ...(graph.initializer ?? []).map((t) => t.name ?? ''),
    ...nodes.flatMap((n) => n.output),
  ]);
  for (const name of [...of, ...wrt]) {
    if (!known.has(name))
      throw new Error(
        `vjp: no tensor named "${name}" in the graph; inputs are ${(graph.input ?? []).map((v) => v.name).join(', ')}`,
      );
  }

  const facts = new GraphFacts(graph as GraphProto, opset, SHAPE_RULES, options.inputShapes);
  for (const w of wrt) {
    const t = facts.get(w).type;
    if (t && t !== 'float32' && t !== 'float16' && t !== 'float64')
      throw new Error(
        `vjp: cannot differentiate w.r.t. "${w}" of type ${t}; only float tensors have gradients`,
      );
  }
  const analysis = analyzePaths(nodes, table, facts, opset, of, wrt);

  const builder = new GraphBuilder({ opset, prefix: 'grad/' });
  builder.reserve(known);
  builder.reserve(nodes.map((n) => n.name ?? ''));
  const state: EmitState = { builder, facts, opset, shapes: new Map(), constants: new Map() };
  const ops = new GraphOps(state);

  const valueInfos = new Map<string, ValueInfoProto>(
    [...(graph.input ?? []), ...(graph.output ?? [])].map((v) => [v.name ?? '', v as ValueInfoProto]),
  );
  const infoFor = (tensor: string, as: string): ValueInfoProto =>
    typedInfo(
      as,
      facts.get(tensor).type,
      facts.get(tensor).dims,
      valueInfos.get(tensor),
      (graph.initializer as TensorProto[]).find((t) => t.name === tensor),
    );

  const gradients = new GradientAccumulator(ops, facts);
  const cotangentInputs: ValueInfoProto[] = [];
  for (const o of of) {
    const type = facts.get(o).type ?? 'float32';
    if (options.seedScalarLoss) {
      const one = { value: { type, dims: [1], data: typedArrayOf(type, [1]) } };
      gradients.add(o, ops.op('ConstantOfShape', [ops.shapeOf(o)], one));
    } else {
      const name = cotangentName(o);
      if (known.has(name)) {
        throw new Error(
          `vjp: cotangent input name "${name}" is already a tensor of the graph; pass cotangentName`,
        );
      }
      builder.reserve([name]);
      cotangentInputs.push(infoFor(o, name));
      gradients.add(o, name);
    }
  }

  const forward = nodes.map((n) =>
    onnx.NodeProto.create({ ...n, input: [...n.input], output: [...n.output] }),
  );
  const producers = new Map<string, NodeProto>();
  forward.forEach((n) => n.output.forEach((o) => o && producers.set(o, n)));
  const cloneOf = new Map(nodes.map((n, i) => [n, forward[i]!]));
  const recomputer = new Recomputer(
    options.recompute ? findRecomputable(nodes, facts, options.recompute) : new Map(),
    ops,
    builder,
    facts,
  );
  for (const { node, rule } of analysis.backward) {
    // nothing reached this node's outputs (e.g. a rule above folded this path into another input): all zero
    if (!node.output.some((o) => gradients.reached(o))) continue;
    const clone = cloneOf.get(node)!;
    const inputs = differentiableInputs(rule, node, opset);
    const needs = (i: number): boolean => inputs.includes(i) && analysis.needed.has(node.input[i] ?? '');
    const c: RuleContext = new RuleContext(state, clone, {
      gradientOf: (t) => gradients.gradientOf(t),
      needs,
      producer: (t) => producers.get(t),
      exposeOutput: (i) => {
        while (clone.output.length <= i) clone.output.push('');
        if (!clone.output[i]) clone.output[i] = builder.fresh(`${node.name || node.opType}_out${i}`);
        facts.add(clone);
        return clone.output[i]!;
      },
      valueOf: (t, after) => recomputer.valueOf(t, after),
    });
    const unsupported = node.output.findIndex(
      (o, i) => gradients.reached(o) && rule.outputs && !rule.outputs.includes(i),
    );
    if (unsupported >= 0)
      c.fail(`the gradient of output ${unsupported} ("${node.output[unsupported]}") is not supported`);
    const grads = rule.backward(c);
    node.input.forEach((t, i) => {
      if (!needs(i) || c.isFolded(i)) return;
      const g = grads[i] ?? c.fail(`its rule returned no gradient for input ${i} ("${t}")`);
      gradients.add(t, g);
    });
  }

  const outputs: ValueInfoProto[] =
    options.keepOutputs === false ? [] : [...(graph.output as ValueInfoProto[])];
  for (const w of wrt) {
    const name = gradName(w);
    if (known.has(name) || outputs.some((o) => o.name === name))
      throw new Error(`vjp: gradient output name "${name}" is already taken; pass gradName`);
    const g = gradients.gradientOf(w) ?? ops.zerosLike(w, facts.get(w).type ?? 'float32');
    builder.addNode(
      onnx.NodeProto.create({
        opType: 'Identity',
        name: builder.fresh(`Identity_${name}`),
        input: [g],
        output: [name],
      }),
    );
    outputs.push(infoFor(w, name));
  }

  const allNodes = pruneDead(
    [...forward, ...builder.nodes],
    outputs.map((o) => o.name ?? ''),
  );
  const used = new Set(allNodes.flatMap((n) => n.input));
  const newGraph = onnx.GraphProto.create({
    ...graph,
    node: allNodes,
    input: [
      ...(graph.input ?? []).map((v) => pinInput(v as ValueInfoProto, options.inputShapes)),
      ...cotangentInputs,
    ],
    output: outputs,
    initializer: [...(graph.initializer ?? []), ...builder.initializers].filter((t) =>
      used.has(t.name ?? ''),
    ),
  });
  return onnx.ModelProto.create({ ...model, graph: newGraph });
}
