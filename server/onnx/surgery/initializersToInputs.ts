/**
 * Turns initializers into graph inputs of the same name, type and shape, so their values are fed at run time
 * instead of stored: how weight training makes a model's weights variables (and differentiable inputs).
 */
import type { ModelProto } from '../proto';
import { elementTypeOf } from '../dataTypes';
import { dimsOf } from '../tensorProto';
import { valueInfo } from '../graphBuilder';
import { graphOf, withGraph } from './graphIndex';

/** A copy of `model` in which every initializer named in `names` is a graph input instead. */
export function initializersToInputs(model: ModelProto, names: Iterable<string>): ModelProto {
  const graph = graphOf(model);
  const wanted = new Set(names);
  const initializers = graph.initializer ?? [];
  const byName = new Map(initializers.map((t) => [t.name ?? '', t]));
  const missing = [...wanted].filter((n) => !byName.has(n));
  if (missing.length) {
    throw new Error(
      `cannot turn ${missing.length} tensor(s) into inputs, the model has no initializer named ${missing
        .slice(0, 5)
        .map((n) => `"${n}"`)
        .join(', ')}${missing.length > 5 ? ', …' : ''}; list initializer names (graph.initializer)`,
    );
  }
  const inputs = [...wanted].map((name) => {
    const t = byName.get(name)!;
    return valueInfo(name, elementTypeOf(t.dataType ?? 1), dimsOf(t));
  });
  return withGraph(model, {
    input: [...(graph.input ?? []), ...inputs],
    initializer: initializers.filter((t) => !wanted.has(t.name ?? '')),
  });
}
