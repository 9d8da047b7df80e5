import { onnx, type ModelProto } from '../proto';
import { GraphBuilder } from '../graphBuilder';
import { defaultOpset, definedNames, graphOf, withGraph } from './graphIndex';
import { removeDeadNodes } from './removeDeadNodes';

export interface ExtendOptions {
  /** Prefix for names the builder generates (default "ext/"). */
  readonly prefix?: string;
  /** Keep the model's existing outputs next to the new ones (default false: only `g.output(...)`s remain). */
  readonly keepOutputs?: boolean;
}

/**
 * Appends nodes to a model with a `GraphBuilder` that can read any tensor of the model by name — e.g. an MSE
 * loss after the UNet output. New `g.input`s, initializers and outputs are added; when the existing outputs
 * are dropped, nodes that only fed them are removed.
 */
export function extendModel(
  model: ModelProto,
  build: (g: GraphBuilder) => void,
  options: ExtendOptions = {},
): ModelProto {
  const graph = graphOf(model);
  const g = new GraphBuilder({ opset: defaultOpset(model), prefix: options.prefix ?? 'ext/' });
  g.reserve(definedNames(graph));
  g.reserve((graph.node ?? []).map((n) => n.name ?? ''));
  build(g);
  if (!g.outputs.length && !options.keepOutputs) {
    throw new Error(
      'extendModel: the builder declared no output; call g.output(...) or pass {keepOutputs: true}',
    );
  }
  const extended = withGraph(model, {
    node: [...(graph.node ?? []), ...g.nodes.map((n) => onnx.NodeProto.create(n))],
    input: [...(graph.input ?? []), ...g.inputs],
    output: [...(options.keepOutputs ? (graph.output ?? []) : []), ...g.outputs],
    initializer: [...(graph.initializer ?? []), ...g.initializers],
  });
  return options.keepOutputs ? extended : removeDeadNodes(extended);
}
