/** What every SD graph builder returns, and the one place a build is finished. */
import type { ModelProto } from '../../onnx/proto';
import type { ModelBuild } from './layers';

/** A built model with its graph input/output names. */
export interface BuiltGraph {
  readonly model: ModelProto;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /**
   * Checkpoint keys the graph read, sorted. Keys of the source missing here went unused (e.g. a text
   * tower's last block under `layers`, or the other half of a VAE).
   */
  readonly weightKeys: readonly string[];
}

/** Checks the weights (throwing one error that lists every problem) and makes the model. */
export function finishGraph(
  b: ModelBuild,
  outputNames: readonly string[],
  extraOpsets: Record<string, number> = {},
): BuiltGraph {
  const weightKeys = b.w.finish();
  return {
    model: b.g.toModel(extraOpsets),
    inputNames: b.g.inputs.map((i) => i.name),
    outputNames,
    weightKeys,
  };
}
