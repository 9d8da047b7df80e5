/**
 * The one ONNX graph a textual-inversion step runs: token embeddings (frozen table + learnable placeholder
 * rows) → text encoder → UNet → MSE against the target → loss, plus d loss / d placeholder rows from our
 * autodiff. One session run returns the loss and the [num_vectors, hidden] gradient, so only the batch
 * goes in and two small tensors come out.
 */
import type { ModelProto } from '../../onnx/proto';
import { GraphBuilder } from '../../onnx/graphBuilder';
import { elementTypeOf } from '../../onnx/dataTypes';
import {
  constantNodesToInitializers,
  defaultOpset,
  extendModel,
  foldShapes,
  graphOf,
  mergeModels,
  removeDeadNodes,
  renameTensors,
  splitAttentionQueries,
} from '../../onnx/surgery';
import { vjp } from '../../onnx/autodiff/vjp';
import type { RecomputePolicy } from '../../onnx/autodiff/recompute';
import type { TrainingGraphs, TrainableModel } from './trainableModel';

/** Graph input and output names of the training-step graph. */
export const STEP_IO = {
  /** float32 [numVectors, hidden]: the only learnable tensor. */
  rows: 'placeholder_rows',
  /** int32 [numVectors]: the token id each row stands for. */
  placeholderIds: 'placeholder_ids',
  /** int32 [batch, sequence]: prompt ids, placeholders included. */
  inputIds: 'input_ids',
  /** float32 [batch, channels, h, w]: add_noise(x0, noise, t). */
  noisyLatents: 'noisy_latents',
  /** float32 [batch]: the integer training timesteps. */
  timesteps: 'timesteps',
  /** float32 [batch, channels, h, w]: noise (epsilon), velocity (v_prediction) or x0 (sample). */
  target: 'target',
  /** float32 scalar: mean squared error over every element. */
  loss: 'loss',
  /** float32 [numVectors, hidden]: d loss / d placeholder_rows. */
  grad: 'grad_placeholder_rows',
  /** float32 [batch, channels, h, w], only in graphs built with `exposePrediction`. */
  prediction: 'model_pred',
} as const;

/** The fixed sizes one built graph accepts. */
export interface TrainingStepShape {
  readonly batch: number;
  readonly numVectors: number;
  readonly latentHeight: number;
  readonly latentWidth: number;
}

export interface TrainingStepGraphOptions {
  /** Also output the UNet prediction (`model_pred`), for checks; training itself does not need it. */
  readonly exposePrediction?: boolean;
  /**
   * Recompute attention probabilities in the backward pass (vjp's `recompute`) instead of keeping them
   * from the forward pass; off by default.
   */
  readonly recompute?: RecomputePolicy;
  /**
   * Split attention whose probabilities have more elements than this into chunks of queries that do not
   * (splitAttentionQueries); default: whole.
   */
  readonly attentionChunkElements?: number;
}

/**
 * token_embeddings = table[min(ids, vocab-1)] · keep + onehot(ids == placeholder_ids) · rows, where keep
 * is 0 at placeholder positions: the placeholder rows reach the encoder through a MatMul, so their gradient
 * is onehotᵀ · g and the frozen table never gets a gradient.
 */
function embeddingModel(
  models: TrainableModel,
  shape: TrainingStepShape,
  opset: number,
  teIdsType?: 'int32' | 'int64',
): ModelProto {
  const [vocab, hidden] = models.tokenTable.dims;
  const { batch, numVectors } = shape;
  const sequence = models.sequenceLength;
  const g = new GraphBuilder({ name: 'token_embeddings', opset, prefix: 'emb/' });
  const rows = g.input(STEP_IO.rows, 'float32', [numVectors, hidden]);
  const placeholderIds = g.input(STEP_IO.placeholderIds, 'int32', [numVectors]);
  const ids = g.input(STEP_IO.inputIds, 'int32', [batch, sequence]);
  const table = g.initializer('token_table', {
    type: 'float32',
    dims: [vocab, hidden],
    data: models.tokenTable.data,
  });
  const hits = g.op(
    'Cast',
    [g.op('Equal', [g.op('Reshape', [ids, g.ints([batch, sequence, 1])]), placeholderIds])],
    { to: 1 },
  );
  const placeholderPart = g.op('MatMul', [hits, rows]);
  const keep = g.op('Sub', [
    g.scalar(1),
    g.op('MatMul', [hits, g.constant(new Float32Array(numVectors).fill(1), [numVectors, 1])]),
  ]);
  const frozen = g.op(
    'Gather',
    [table, g.op('Min', [ids, g.constant([vocab - 1], [], 'int32', 'last_id')])],
    { axis: 0 },
  );
  const tokens = g.op('Add', [g.op('Mul', [frozen, keep]), placeholderPart]);
  g.output(tokens, 'float32', [batch, sequence, hidden], 'token_embeddings');
  if (teIdsType === 'int64')
    g.output(g.op('Cast', [ids], { to: 7 }), 'int64', [batch, sequence], 'input_ids_int64');
  return g.toModel();
}

function inputType(model: ModelProto, name: string): 'int32' | 'int64' | undefined {
  const v = graphOf(model).input?.find((i) => i.name === name);
  if (!v) return undefined;
  const type = elementTypeOf(v.type?.tensorType?.elemType ?? 0);
  if (type !== 'int32' && type !== 'int64')
    throw new Error(`text encoder input "${name}" is ${type}; expected int32 or int64 ids`);
  return type;
}

/** The forward graph: inputs as in `STEP_IO`, output `loss` (and `model_pred` when asked). Shapes static. */
export async function buildTrainingLossGraph(
  models: TrainableModel,
  shape: TrainingStepShape,
  options: TrainingStepGraphOptions = {},
): Promise<ModelProto> {
  const { batch, numVectors, latentHeight, latentWidth } = shape;
  for (const [name, v] of Object.entries(shape)) {
    if (!Number.isInteger(v) || v < 1)
      throw new Error(`training step ${name} must be a positive integer, got ${v}`);
  }
  const graphs: TrainingGraphs = models.graphs();
  const opset = Math.max(13, defaultOpset(graphs.textEncoder));
  const teIds = inputType(graphs.textEncoder, 'input_ids');
  const embeddings = embeddingModel(models, shape, opset, teIds);
  const connect: Record<string, string> = { [graphs.embedsInput]: 'token_embeddings' };
  if (teIds) connect.input_ids = teIds === 'int64' ? 'input_ids_int64' : STEP_IO.inputIds;
  const conditioned = mergeModels(embeddings, graphs.textEncoder, { connect, secondPrefix: 'te/' });
  const unetOutput = graphOf(graphs.unet).output?.[0]?.name;
  if (!unetOutput) throw new Error('UNet model has no output');
  const joined = mergeModels(conditioned, graphs.unet, {
    connect: { encoder_hidden_states: `te/${graphs.hiddenOutput}` },
    secondPrefix: 'unet/',
  });
  const latentShape = [batch, models.latentChannels, latentHeight, latentWidth];
  const withLoss = extendModel(joined, (g) => {
    const target = g.input(STEP_IO.target, 'float32', latentShape);
    const diff = g.op('Sub', [`unet/${unetOutput}`, target]);
    g.output(g.op('ReduceMean', [g.op('Mul', [diff, diff])], { keepdims: 0 }), 'float32', [], STEP_IO.loss);
    if (options.exposePrediction) g.output(`unet/${unetOutput}`, 'float32', latentShape, STEP_IO.prediction);
  });
  const named = renameTensors(withLoss, {
    'unet/sample': STEP_IO.noisyLatents,
    'unet/timestep': STEP_IO.timesteps,
  });
  const present = new Set((graphOf(named).input ?? []).map((v) => v.name ?? ''));
  const shapes: Record<string, readonly number[]> = {
    [STEP_IO.rows]: [numVectors, models.tokenTable.dims[1]],
    [STEP_IO.placeholderIds]: [numVectors],
    [STEP_IO.inputIds]: [batch, models.sequenceLength],
    [STEP_IO.noisyLatents]: latentShape,
    [STEP_IO.timesteps]: [batch],
    [STEP_IO.target]: latentShape,
  };
  const unexpected = [...present].filter((n) => !(n in shapes));
  if (unexpected.length) {
    throw new Error(
      `training step graph has unexpected inputs ${unexpected.join(', ')}; the text encoder / UNet take more inputs than SD's`,
    );
  }
  const folded = await foldShapes(constantNodesToInitializers(named), shapes);
  const chunked = options.attentionChunkElements
    ? splitAttentionQueries(folded, { chunkElements: options.attentionChunkElements })
    : folded;
  return removeDeadNodes(chunked, { pruneInputs: false });
}

/**
 * The training-step graph: `buildTrainingLossGraph` plus the vector-Jacobian product, outputs `loss` and
 * `grad_placeholder_rows` (and `model_pred` with `exposePrediction`).
 */
export async function buildTrainingStepGraph(
  models: TrainableModel,
  shape: TrainingStepShape,
  options: TrainingStepGraphOptions = {},
): Promise<ModelProto> {
  const forward = await buildTrainingLossGraph(models, shape, options);
  return vjp(forward, {
    of: [STEP_IO.loss],
    wrt: [STEP_IO.rows],
    seedScalarLoss: true,
    ...(options.recompute ? { recompute: options.recompute } : {}),
  });
}
