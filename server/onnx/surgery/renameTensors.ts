/**
 * Renaming tensors everywhere they appear: graph inputs/outputs, value_info, initializers, node inputs and
 * outputs, and outer-scope reads inside subgraphs. `prefixNames` applies one prefix to every name, so two
 * exports (which both use torch's `/Constant_output_0`-style names) can be merged without clashes.
 */
import { onnx, type ModelProto } from '../proto';
import { copyNode, definedNames, graphOf, withGraph, type IGraphProto } from './graphIndex';

type Renamer = (name: string) => string;

function renameGraph(graph: IGraphProto, rename: Renamer, renameNodes: Renamer | undefined): IGraphProto {
  const r = (n: string | null | undefined): string => (n ? rename(n) : '');
  return {
    ...graph,
    input: (graph.input ?? []).map((v) => onnx.ValueInfoProto.create({ ...v, name: r(v.name) })),
    output: (graph.output ?? []).map((v) => onnx.ValueInfoProto.create({ ...v, name: r(v.name) })),
    valueInfo: (graph.valueInfo ?? []).map((v) => onnx.ValueInfoProto.create({ ...v, name: r(v.name) })),
    initializer: (graph.initializer ?? []).map((t) => onnx.TensorProto.create({ ...t, name: r(t.name) })),
    node: (graph.node ?? []).map((node) =>
      copyNode(node, {
        name: renameNodes && node.name ? renameNodes(node.name) : node.name,
        input: (node.input ?? []).map(r),
        output: (node.output ?? []).map(r),
        attribute: (node.attribute ?? []).map((a) =>
          a.g || a.graphs?.length
            ? onnx.AttributeProto.create({
                ...a,
                ...(a.g ? { g: onnx.GraphProto.create(renameGraph(a.g, rename, renameNodes)) } : {}),
                ...(a.graphs?.length
                  ? {
                      graphs: a.graphs.map((g) =>
                        onnx.GraphProto.create(renameGraph(g, rename, renameNodes)),
                      ),
                    }
                  : {}),
              })
            : a,
        ),
      }),
    ),
  };
}

/**
 * Renames tensors by `mapping` (old → new). Throws if a new name is already used by a tensor that keeps its
 * name, or if two tensors would get the same name.
 */
export function renameTensors(model: ModelProto, mapping: Readonly<Record<string, string>>): ModelProto {
  const graph = graphOf(model);
  const names = definedNames(graph);
  for (const old of Object.keys(mapping)) {
    if (!names.has(old))
      throw new Error(`cannot rename "${old}": no tensor of that name in graph "${graph.name}"`);
  }
  const taken = new Set([...names].filter((n) => !(n in mapping)));
  const targets = new Set<string>();
  for (const [old, name] of Object.entries(mapping)) {
    if (taken.has(name) || targets.has(name)) {
      throw new Error(`cannot rename "${old}" to "${name}": that name is already used; choose another name`);
    }
    targets.add(name);
  }
  const renamed = renameGraph(graph, (n) => mapping[n] ?? n, undefined);
  return withGraph(model, renamed);
}

/** Prefixes every tensor name and node name (an empty name, meaning an absent optional input, stays empty). */
export function prefixNames(model: ModelProto, prefix: string): ModelProto {
  if (!prefix) return model;
  const add: Renamer = (n) => `${prefix}${n}`;
  return withGraph(model, renameGraph(graphOf(model), add, add));
}
