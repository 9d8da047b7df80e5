import type { ModelProto } from '../proto';
import { valueInfo } from '../graphBuilder';
import { onnx } from '../proto';
import { graphOf, requireTensor, withGraph } from './graphIndex';
import { inferElementTypes } from './elementTypes';

export interface ExposeOptions {
  /** Keep only the exposed tensors as outputs (default false: they are added after the existing outputs). */
  readonly replaceOutputs?: boolean;
}

/**
 * Makes intermediate tensors graph outputs, so a session can fetch them (e.g. to debug or to fold them).
 * Their element type is declared where it can be inferred; onnxruntime infers shapes itself.
 */
export function exposeTensors(
  model: ModelProto,
  names: readonly string[],
  options: ExposeOptions = {},
): ModelProto {
  const graph = graphOf(model);
  for (const name of names) requireTensor(graph, name);
  const types = inferElementTypes(graph);
  const existing = options.replaceOutputs ? [] : (graph.output ?? []);
  const present = new Set(existing.map((v) => v.name ?? ''));
  const added = [...new Set(names)]
    .filter((n) => !present.has(n))
    .map((n) => {
      const type = types.get(n);
      return type ? valueInfo(n, type) : onnx.ValueInfoProto.create({ name: n });
    });
  return withGraph(model, { output: [...existing, ...added] });
}
