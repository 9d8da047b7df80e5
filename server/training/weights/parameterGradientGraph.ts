/**
 * Weight training with our own autodiff: a loss model whose weights are initializers becomes one model that
 * takes the chosen weights as inputs and returns the loss plus d loss / d weight for each of them. One
 * session call per step then gives everything an optimizer needs.
 */
import type { ModelProto } from '../../onnx/proto';
import { readTensor } from '../../onnx/tensorProto';
import {
  constantNodesToInitializers,
  foldShapes,
  graphOf,
  initializersToInputs,
  removeDeadNodes,
} from '../../onnx/surgery';
import { vjp } from '../../onnx/autodiff/vjp';

/** A trainable tensor: its value (updated in place by the optimizer) and its shape. */
export interface Parameter {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

export interface ParameterGraphSpec {
  /** The forward model: data inputs → scalar loss, weights as float32 initializers. */
  readonly model: ModelProto;
  /** Name of the scalar loss output. */
  readonly loss: string;
  /** Static shapes of every data input (the graph is specialised to them). */
  readonly inputShapes: Readonly<Record<string, readonly number[]>>;
  /** The initializers that learn (the model's weights, not its constants). */
  readonly parameters: readonly string[];
}

/** The gradient model and the initial values of its parameter inputs. */
export interface ParameterGraph {
  readonly model: ModelProto;
  /** Parameter name → initial value, in the model's initializer order. */
  readonly parameters: Map<string, Parameter>;
  readonly loss: string;
  /** Output name of d loss / d `name`. */
  readonly gradName: (name: string) => string;
}

const gradName = (name: string): string => `grad/${name}`;

/** Builds the loss + gradient model of `spec`, parameters as inputs. */
export async function buildParameterGradientGraph(spec: ParameterGraphSpec): Promise<ParameterGraph> {
  const graph = graphOf(spec.model);
  const outputs = (graph.output ?? []).map((o) => o.name ?? '');
  if (!outputs.includes(spec.loss))
    throw new Error(`loss "${spec.loss}" is not an output of the model (outputs: ${outputs.join(', ')})`);
  const wanted = new Set(spec.parameters);
  const parameters = new Map<string, Parameter>();
  for (const t of graph.initializer ?? []) {
    const name = t.name ?? '';
    if (!wanted.has(name)) continue;
    if (t.dataType !== 1)
      throw new Error(`parameter "${name}" is not float32; only float32 weights can be trained`);
    const value = readTensor(t);
    parameters.set(name, { data: Float32Array.from(value.data as Float32Array), dims: value.dims });
  }
  const missing = spec.parameters.filter((n) => !parameters.has(n));
  if (missing.length)
    throw new Error(`the loss model has no initializer for parameter(s) ${missing.slice(0, 5).join(', ')}`);
  if (parameters.size === 0) throw new Error('no parameter to train; list the weights in `parameters`');
  const asInputs = initializersToInputs(spec.model, parameters.keys());
  const shapes: Record<string, readonly number[]> = { ...spec.inputShapes };
  for (const [name, p] of parameters) shapes[name] = p.dims;
  const folded = await foldShapes(constantNodesToInitializers(asInputs), shapes);
  const forward = removeDeadNodes(folded, { pruneInputs: false });
  const model = vjp(forward, {
    of: [spec.loss],
    wrt: [...parameters.keys()],
    seedScalarLoss: true,
    gradName,
    inputShapes: shapes,
  });
  return { model, parameters, loss: spec.loss, gradName };
}
