/**
 * Shape folding for graphs whose input shapes are fixed: torch exports compute every Reshape target from
 * Shape → Gather → Unsqueeze → Concat chains at run time. Once input dims are bound, those chains have one
 * value; we get it by running the graph once on zero inputs of the bound shapes (fetching the chain ends as
 * extra outputs) and store it as initializers. The result only accepts inputs of exactly those shapes.
 */
import type { ModelProto } from '../proto';
import { ort } from '../sessions';
import { elementTypeOf, typedArrayFromBytes, bytesPerElement } from '../dataTypes';
import { elementCount } from '../tensorProto';
import { graphOf } from './graphIndex';
import { bindInputShapes } from './bindInputShapes';
import { foldStaticTensors, type FoldOptions } from './foldConstants';

/** Binds `shapes` (every input the outputs depend on should be listed) and folds shape computations. */
export async function foldShapes(
  model: ModelProto,
  shapes: Readonly<Record<string, readonly number[]>>,
  options: FoldOptions = {},
): Promise<ModelProto> {
  const bound = bindInputShapes(model, shapes);
  const feeds: Record<string, ort.Tensor> = {};
  for (const v of graphOf(bound).input ?? []) {
    const dims = shapes[v.name ?? ''];
    if (!dims) continue;
    const type = elementTypeOf(v.type?.tensorType?.elemType ?? 0);
    const zeros = typedArrayFromBytes(type, new Uint8Array(elementCount(dims) * bytesPerElement(type)));
    feeds[v.name ?? ''] = new ort.Tensor(type, zeros, [...dims]);
  }
  return foldStaticTensors(bound, { ...options, fixedInputs: new Set(Object.keys(shapes)), feeds });
}
