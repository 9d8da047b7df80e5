/**
 * The frozen networks a textual-inversion run differentiates through, in one shape whatever they were
 * loaded from: a text encoder that takes token embeddings (its lookup cut away), the UNet, and the frozen
 * token-embedding table. Adapters here build it from an ONNX export folder (diffusers' `onnx/` layout)
 * from an opened checkpoint (`ModelWeights`, via the SD graph builders) and from the studio's `FrozenModel`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadModel } from '../../onnx/modelIO';
import type { ModelProto } from '../../onnx/proto';
import { readTensor } from '../../onnx/tensorProto';
import { consumerMap, graphOf, inlineExternalData, tensorToInput } from '../../onnx/surgery';
import { buildTextEncoder, buildUNet } from '../../sd/graphs';
import type { ModelWeights } from '../../sd/weights/modelWeights';
import type { FrozenModel, FrozenModelSource } from '../../sd/model/frozenModel';
import { contentKey } from '../../sd/model/contentKey';
import type { ModelWithBase } from '../../sd/model/modelComponents';

/** The frozen token-embedding table: row i is the embedding of token id i. */
export interface TokenTable {
  readonly data: Float32Array;
  /** [vocab, hidden] */
  readonly dims: readonly [number, number];
}

/** The graphs of a training step, all weights inline. */
export interface TrainingGraphs {
  /**
   * Text encoder whose token embeddings are an input: `embedsInput` [batch, sequence, hidden] → `hiddenOutput`
   * [batch, sequence, hidden] (the UNet conditioning). It may also read `input_ids` (int32/int64), e.g. for shapes.
   */
  readonly textEncoder: ModelProto;
  readonly embedsInput: string;
  readonly hiddenOutput: string;
  /** UNet: `sample` [B, C, h, w], `timestep` float32 [B], `encoder_hidden_states` → first output. */
  readonly unet: ModelProto;
}

/** Everything the training-step graph is built from. */
export interface TrainableModel {
  /** The graphs, made on demand (a real UNet is gigabytes; only a session build needs them). */
  graphs(): TrainingGraphs;
  readonly tokenTable: TokenTable;
  /** Token sequence length the text encoder was made for (max_position_embeddings, 77 for SD). */
  readonly sequenceLength: number;
  /** Latent channels of the UNet input. */
  readonly latentChannels: number;
  /** Identifies the weights, so built graphs and sessions can be cached per model. */
  readonly cacheKey: string;
  /**
   * Content fingerprint of the model files (UNet and text encoder), recorded in a run's checkpoint: models
   * that share a text encoder (a fine-tune, the toy SD 2.x twin) have the same token table, so the table
   * alone cannot tell them apart. Undefined for weights that have no file.
   */
  readonly weightsFingerprint?: string;
  /**
   * A folder keyed by the weights' content where built training sessions are kept across restarts
   * (the frozen model's build cache); without it every start builds again.
   */
  readonly cacheDir?: string;
  /**
   * How another process opens the same weights: with it (and `cacheDir`) the training-step session is built
   * in a child process, so the gigabytes of graph-building garbage never live in the training process.
   */
  readonly source?: FrozenModelSource;
}

/** The sampled content fingerprint (contentKey.ts) of the models' files; undefined when one has none. */
function filesFingerprint(models: readonly FrozenModel[]): string | undefined {
  if (models.some((m) => !fs.existsSync(m.info.path))) return undefined;
  return models.map((m) => contentKey(m.info.path, [m.info.format])).join('+');
}

/** The Gather that looks `input_ids` up in a 2-D initializer (the token-embedding table). */
export function findTokenEmbeddingLookup(
  model: ModelProto,
  idsInput = 'input_ids',
): { output: string; table: string } {
  const graph = graphOf(model);
  const consumers = consumerMap(graph);
  const tables = new Set(
    (graph.initializer ?? []).filter((t) => (t.dims ?? []).length === 2).map((t) => t.name ?? ''),
  );
  const derived = new Set<string>([idsInput]);
  const queue = [idsInput];
  while (queue.length) {
    for (const node of consumers.get(queue.pop()!) ?? []) {
      const [data, indices] = node.input ?? [];
      if (node.opType === 'Gather' && tables.has(data ?? '') && derived.has(indices ?? '')) {
        return { output: node.output![0]!, table: data! };
      }
      // shape reads of the ids lead to position ids, not to token rows
      if (node.opType === 'Shape' || node.opType === 'Size') continue;
      for (const o of node.output ?? []) {
        if (!derived.has(o)) {
          derived.add(o);
          queue.push(o);
        }
      }
    }
  }
  throw new Error(
    `text encoder has no Gather of "${idsInput}" into a 2-D embedding table; is it a CLIP text encoder export?`,
  );
}

/**
 * Training models from a diffusers ONNX export folder (`text_encoder/model.onnx`, `unet/model.onnx` with its
 * external weights): the text encoder is cut at its token lookup and the UNet's weights are read in.
 */
export function trainableModelFromOnnxExport(onnxDir: string): TrainableModel {
  const te = loadModel(path.join(onnxDir, 'text_encoder', 'model.onnx'));
  const { output, table } = findTokenEmbeddingLookup(te.model);
  const tableTensor = graphOf(te.model).initializer!.find((t) => t.name === table)!;
  const value = readTensor(tableTensor, te.baseDir);
  if (value.type !== 'float32') {
    throw new Error(
      `token embedding table "${table}" is ${value.type}; training needs a float32 text encoder export`,
    );
  }
  const dims: [number, number] = [value.dims[0]!, value.dims[1]!];
  const cut = tensorToInput(te.model, output, {
    name: 'inputs_embeds',
    type: 'float32',
    shape: ['batch', 'sequence', dims[1]],
  });
  const unetFile = path.join(onnxDir, 'unet', 'model.onnx');
  const unetGraph = loadModel(unetFile).model;
  const sampleInput = graphOf(unetGraph).input?.find((v) => v.name === 'sample');
  const channels = Number(sampleInput?.type?.tensorType?.shape?.dim?.[1]?.dimValue ?? 4);
  return {
    graphs: () => {
      const unet = loadModel(unetFile);
      return {
        textEncoder: cut,
        embedsInput: 'inputs_embeds',
        hiddenOutput: 'last_hidden_state',
        unet: inlineExternalData(unet.model, unet.baseDir),
      };
    },
    tokenTable: { data: value.data as Float32Array, dims },
    sequenceLength: positionCount(cut) ?? 77,
    latentChannels: channels,
    cacheKey: `onnx:${path.resolve(onnxDir)}`,
  };
}

/** Rows of the position-embedding table (the longest sequence the encoder takes), when it can be found. */
function positionCount(model: ModelProto): number | undefined {
  const positions = (graphOf(model).initializer ?? []).find(
    (t) => /position_embedding/.test(t.name ?? '') && (t.dims ?? []).length === 2,
  );
  return positions ? Number(positions.dims![0]) : undefined;
}

/**
 * Training models from an opened SD checkpoint (diffusers folder or single file): the text encoder is
 * built with an embeddings input (no pooled branch), the UNet as for sampling.
 */
export function trainableModelFromWeights(model: ModelWeights): TrainableModel {
  const te = buildTextEncoder(model.configs.textEncoder, model.textEncoder, {
    input: 'embeddings',
    pooled: false,
  });
  return {
    graphs: () => ({
      textEncoder: te.model,
      embedsInput: 'inputs_embeds',
      hiddenOutput: 'last_hidden_state',
      unet: buildUNet(model.configs.unet, model.unet).model,
    }),
    tokenTable: { data: te.tokenEmbedding.data, dims: te.tokenEmbedding.dims },
    sequenceLength: model.configs.textEncoder.max_position_embeddings,
    latentChannels: model.configs.unet.in_channels,
    cacheKey: `checkpoint:${path.resolve(model.path)}`,
  };
}

/**
 * Training models of studio `FrozenModel`s (any source format): the training text encoder and token table of
 * `text` (the CLIP input), the UNet of `unet` (the MODEL input; usually the same model). External weights
 * are read in when the graph is built.
 */
export function trainableModelFromFrozen(unet: FrozenModel, text: FrozenModel = unet): TrainableModel {
  const inline = ({ model: m, baseDir }: ModelWithBase): ModelProto =>
    baseDir ? inlineExternalData(m, baseDir) : m;
  const key = (m: FrozenModel) => `${m.info.format}:${path.resolve(m.info.path)}`;
  return {
    graphs: () => ({
      textEncoder: inline(text.differentiableComponents().textEncoderEmbeds),
      embedsInput: 'inputs_embeds',
      hiddenOutput: 'last_hidden_state',
      unet: inline(unet.differentiableComponents().unet),
    }),
    tokenTable: { data: text.tokenEmbeddings(), dims: [text.info.vocabSize, text.info.textHiddenSize] },
    sequenceLength: text.info.maxLength,
    latentChannels: unet.info.latentChannels,
    cacheKey: unet === text ? `frozen:${key(unet)}` : `frozen:${key(unet)}+${key(text)}`,
    // read when a run is prepared, not by every caller (it reads 2.5 MB of each model file)
    get weightsFingerprint() {
      return filesFingerprint(unet === text ? [unet] : [unet, text]);
    },
    cacheDir: unet === text ? unet.cacheDir : undefined,
    source: unet === text ? unet.source : undefined,
  };
}
