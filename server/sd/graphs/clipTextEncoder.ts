/**
 * CLIP text encoder (transformers `CLIPTextModel`) as ONNX: token + position embeddings, pre-LN causal
 * blocks, final LayerNorm, and the pooled state at the first EOS position. Two input variants: token ids
 * (the embedding Gather inside the graph) and token embeddings (the Gather cut away, so textual inversion
 * can feed its own rows; the table is returned to the caller instead of being stored in the graph).
 */
import { onnxTypeCode } from '../../onnx/dataTypes';
import { GraphBuilder } from '../../onnx/graphBuilder';
import { finishGraph, type BuiltGraph } from './builtGraph';
import { causalMask, clipStack, positionRows } from './clipTransformer';
import type { ClipTextConfig } from './configTypes';
import { layerNorm, type ModelBuild } from './layers';
import { WeightBinder, type WeightReader } from './weightBinder';

export interface TextEncoderOptions {
  /** `ids` (default): input `input_ids`; `embeddings`: input `inputs_embeds` [batch, sequence, hidden]. */
  readonly input?: 'ids' | 'embeddings';
  /** Element type of `input_ids` (default int32, as the diffusers ONNX export). */
  readonly idsType?: 'int32' | 'int64';
  /**
   * Blocks to run, from the first (default: config `num_hidden_layers`). A checkpoint holding the whole
   * OpenCLIP tower builds SD 2.x conditioning with `layers: total - 1`; ComfyUI's "clip skip" is the same.
   */
  readonly layers?: number;
  /** Apply `final_layer_norm` to the last block's output (default true; SD 1.x and 2.x both do). */
  readonly finalLayerNorm?: boolean;
  /**
   * Emit `pooler_output` (default true). With `input: 'embeddings'` it needs the ids to find the EOS
   * position, so the graph then also takes `input_ids`.
   */
  readonly pooled?: boolean;
  /** Key prefix of the weights (default `text_model.`, as in CLIPTextModel and CLIPModel). */
  readonly keyPrefix?: string;
}

/** A built text encoder. */
export interface TextEncoderGraph extends BuiltGraph {
  /** Graph inputs: `input_ids` and/or `inputs_embeds`. */
  readonly inputNames: readonly string[];
  /** `last_hidden_state` [batch, sequence, hidden], and `pooler_output` [batch, hidden] when pooled. */
  readonly outputNames: readonly string[];
  /** The token-embedding table [vocab, hidden] (row i = embedding of id i), under its checkpoint key. */
  readonly tokenEmbedding: {
    readonly key: string;
    readonly dims: readonly [number, number];
    readonly data: Float32Array;
  };
}

/** Builds a CLIP text encoder graph from its config and weights. */
export function buildTextEncoder(
  config: ClipTextConfig,
  weights: WeightReader,
  options: TextEncoderOptions = {},
): TextEncoderGraph {
  const g = new GraphBuilder({ name: 'text_encoder' });
  const w = new WeightBinder(g, weights, 'text_encoder');
  const tower = textTower({ g, w }, config, options);
  const hidden = config.hidden_size;
  const outputNames = [
    g.output(tower.lastHiddenState, 'float32', ['batch', 'sequence', hidden], 'last_hidden_state'),
  ];
  if (tower.pooled) outputNames.push(g.output(tower.pooled, 'float32', ['batch', hidden], 'pooler_output'));
  return {
    ...finishGraph({ g, w }, outputNames),
    tokenEmbedding: { key: tower.embeddingKey, dims: [config.vocab_size, hidden], data: tower.table },
  };
}

/** The tensors of a text tower added to a graph under construction. */
export interface TextTower {
  readonly lastHiddenState: string;
  readonly pooled: string | undefined;
  readonly embeddingKey: string;
  readonly table: Float32Array;
}

/** Adds the text tower's inputs and nodes to `b` (see `buildTextEncoder` for the options). */
export function textTower(
  b: ModelBuild,
  config: ClipTextConfig,
  options: TextEncoderOptions = {},
): TextTower {
  const { g, w } = b;
  const prefix = options.keyPrefix ?? 'text_model.';
  const hidden = config.hidden_size;
  const embeddingKey = `${prefix}embeddings.token_embedding.weight`;
  const idsType = options.idsType ?? 'int32';
  const pooled = options.pooled ?? true;
  const byIds = (options.input ?? 'ids') === 'ids';
  const layers = options.layers ?? config.num_hidden_layers;
  if (!Number.isInteger(layers) || layers < 1 || layers > config.num_hidden_layers) {
    throw new Error(
      `text encoder: layers ${layers} is out of range; expected 1..${config.num_hidden_layers} (num_hidden_layers)`,
    );
  }

  const ids = byIds || pooled ? g.input('input_ids', idsType, ['batch', 'sequence']) : undefined;
  const table = w.read(embeddingKey, [config.vocab_size, hidden]);
  const tokens = byIds
    ? g.op(
        'Gather',
        [
          g.initializer(embeddingKey, { type: 'float32', dims: [config.vocab_size, hidden], data: table }),
          ids!,
        ],
        { axis: 0 },
      )
    : g.input('inputs_embeds', 'float32', ['batch', 'sequence', hidden]);
  const positions = w.tensor(`${prefix}embeddings.position_embedding.weight`, [
    config.max_position_embeddings,
    hidden,
  ]);
  const embedded = g.op('Add', [tokens, positionRows(b, positions, tokens)]);
  const states = clipStack(b, embedded, {
    hidden,
    heads: config.num_attention_heads,
    intermediate: config.intermediate_size,
    act: config.hidden_act,
    eps: config.layer_norm_eps,
    layers,
    prefix: `${prefix}encoder`,
    mask: causalMask(b, tokens, config.max_position_embeddings),
  });
  const last =
    options.finalLayerNorm === false
      ? states
      : layerNorm(b, states, `${prefix}final_layer_norm`, hidden, config.layer_norm_eps);
  return {
    lastHiddenState: last,
    pooled: pooled ? eosState(b, last, ids!, idsType, config.eos_token_id ?? 2) : undefined,
    embeddingKey,
    table,
  };
}

/**
 * The hidden state at the pooling position of each row: the first position holding `eosId` (transformers
 * ≥ 4.31), or with the legacy `eos_token_id` 2 the position of the largest id. ArgMax returns the first
 * maximal index, which gives exactly these rules.
 */
export function eosState(
  b: ModelBuild,
  states: string,
  ids: string,
  idsType: 'int32' | 'int64',
  eosId: number,
): string {
  const g = b.g;
  const key = eosId === 2 ? ids : g.op('Equal', [ids, g.constant([eosId], [], idsType, 'eos_id')]);
  const position = g.op('ArgMax', [g.op('Cast', [key], { to: onnxTypeCode('int32') })], {
    axis: -1,
    keepdims: 1,
  });
  return g.op('GatherND', [states, position], { batch_dims: 1 });
}
