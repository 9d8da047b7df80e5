/**
 * Constant folding: Constant nodes become initializers, and every node whose inputs are all constant is
 * evaluated once with onnxruntime and replaced by initializers holding its results. `foldStaticTensors` is
 * the shared step that shape folding also uses (with Shape outputs counted as constants).
 */
import type { ModelProto } from '../proto';
import type { ort } from '../sessions';
import { elementCount, makeTensorProto, type TensorValue } from '../tensorProto';
import { constantInitializerNames, copyNode, definedNames, graphOf, withGraph } from './graphIndex';
import { constantNodesToInitializers } from './constantNodes';
import { evaluateTensors } from './evaluateTensors';
import { removeDeadNodes } from './removeDeadNodes';
import { staticAnalysis } from './staticShapes';

const NONDETERMINISTIC = new Set([
  'RandomNormal',
  'RandomUniform',
  'RandomNormalLike',
  'RandomUniformLike',
  'Multinomial',
  'Bernoulli',
]);

/** Whether a node may be replaced by its value when its inputs are constant. */
export function isFoldableOp(opType: string, domain: string): boolean {
  return (
    domain === '' && !NONDETERMINISTIC.has(opType) && !['If', 'Loop', 'Scan', 'Constant'].includes(opType)
  );
}

export interface FoldOptions {
  /** Folder of the model's external data. */
  readonly sourceDir?: string;
  /** Results with more elements stay computed at run time (default 1,000,000). */
  readonly maxElements?: number;
}

export interface FoldStaticOptions extends FoldOptions {
  /** Graph inputs with fully static shapes (their Shape/Size outputs count as constants). */
  readonly fixedInputs?: ReadonlySet<string>;
  /** Feeds used to run the graph when static values depend on computed tensors' shapes. */
  readonly feeds?: Readonly<Record<string, ort.Tensor>>;
}

/** Folds every static tensor that feeds a non-static node or a graph output; see the module note. */
export async function foldStaticTensors(
  model: ModelProto,
  options: FoldStaticOptions = {},
): Promise<ModelProto> {
  const withInits = constantNodesToInitializers(model);
  const graph = graphOf(withInits);
  const constants = constantInitializerNames(graph);
  const { staticValue } = staticAnalysis(graph, options.fixedInputs ?? new Set(), constants, isFoldableOp);

  // The frontier: computed static tensors that a run-time node (or the caller) reads. A static result too
  // large to store (e.g. torch's zero-filled baddbmm input [B·heads, HW, HW]) stays computed at run time;
  // its producer then joins the run-time nodes, so its own static inputs are folded instead.
  const maxElements = options.maxElements ?? 1_000_000;
  const outputs = new Set((graph.output ?? []).map((v) => v.name ?? ''));
  const folded = new Map<string, TensorValue>();
  const tooLarge = new Set<string>();
  for (;;) {
    const frontier = new Set<string>();
    const wanted = (n: string): boolean =>
      n !== '' && staticValue.has(n) && !constants.has(n) && !folded.has(n) && !tooLarge.has(n);
    for (const node of graph.node ?? []) {
      const outs = (node.output ?? []).filter((o) => o !== '');
      const runsAtRuntime = !outs.every((o) => staticValue.has(o)) || outs.some((o) => tooLarge.has(o));
      if (runsAtRuntime) for (const n of node.input ?? []) if (wanted(n)) frontier.add(n);
    }
    for (const o of outputs) if (wanted(o)) frontier.add(o);
    if (!frontier.size) break;
    const values = await evaluateTensors(withInits, [...frontier], {
      feeds: options.feeds,
      sourceDir: options.sourceDir,
    });
    for (const [name, value] of values) {
      if (elementCount(value.dims) <= maxElements) folded.set(name, value);
      else tooLarge.add(name);
    }
  }
  if (!folded.size) return removeDeadNodes(withInits);

  // producers of folded tensors write to fresh dead names; dead-node removal then deletes the static chains
  const names = definedNames(graph);
  const node = (graph.node ?? []).map((n) =>
    (n.output ?? []).some((o) => folded.has(o))
      ? copyNode(n, {
          output: (n.output ?? []).map((o) => {
            if (!folded.has(o)) return o;
            let dead = `${o}__folded`;
            for (let i = 1; names.has(dead); i++) dead = `${o}__folded${i}`;
            return dead;
          }),
        })
      : n,
  );
  const initializer = [
    ...(graph.initializer ?? []),
    ...[...folded].map(([name, value]) => makeTensorProto(name, value)),
  ];
  return removeDeadNodes(withGraph(withInits, { node, initializer }));
}

/**
 * Folds constants: Constant nodes → initializers, then every node computable from initializers alone is
 * evaluated (with onnxruntime) and replaced by its results. Graph inputs are never treated as constant.
 */
export async function foldConstants(model: ModelProto, options: FoldOptions = {}): Promise<ModelProto> {
  return foldStaticTensors(model, options);
}
