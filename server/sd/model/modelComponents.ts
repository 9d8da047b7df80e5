/**
 * What a frozen model needs from its source, whatever the format: the ONNX graph of each component (a file
 * or an in-memory model), the graphs the trainer differentiates, and the token-embedding table. Built
 * sources (checkpoints, diffusers folders) and ONNX export folders implement it.
 */
import type { ModelProto } from '../../onnx/proto';
import { graphOf, removeDeadNodes, withGraph } from '../../onnx/surgery';
import type { GraphLocation } from './graphCache';

/** The inference graphs of a frozen model. */
export type ComponentName = 'text_encoder' | 'text_encoder_embeds' | 'unet' | 'vae_encoder' | 'vae_decoder';

/**
 * Graph contracts (names as in diffusers' ONNX export):
 * - `text_encoder`: `input_ids` int [B, S] → `last_hidden_state` [B, S, H], `pooler_output` [B, H].
 * - `text_encoder_embeds`: `inputs_embeds` [B, S, H] (and `input_ids`, for pooling) → the same outputs.
 * - `unet`: `sample` [B, C, h, w], `timestep` [B], `encoder_hidden_states` [B, S, H] → `out_sample`.
 * - `vae_encoder`: `sample` [B, 3, H, W] in [-1, 1] → `moments` [B, 2C, h, w] (mean, then logvar).
 * - `vae_decoder`: `latent_sample` [B, C, h, w] (already divided by the scaling factor) → `sample`.
 */
export const COMPONENT_NAMES: readonly ComponentName[] = [
  'text_encoder',
  'text_encoder_embeds',
  'unet',
  'vae_encoder',
  'vae_decoder',
];

/** A model message plus the folder its external-data references are relative to. */
export interface ModelWithBase {
  readonly model: ModelProto;
  /** Folder of external data files (undefined when every tensor is inline). */
  readonly baseDir?: string;
}

/** A graph location, and the folder external data of an in-memory model is relative to. */
export type ComponentLocation = GraphLocation & { readonly baseDir?: string };

/** One source of frozen-model graphs. */
export interface ModelComponents {
  /** Where the inference graph of `name` is (built or cut on first call, then remembered). */
  locate(name: ComponentName): ComponentLocation;
  /** Text encoder over token embeddings, pooling removed: `inputs_embeds` (+ `input_ids` if the graph still reads them) → `last_hidden_state`. */
  trainingTextEncoder(): ModelWithBase;
  /** UNet with plain (differentiable) ops. */
  trainingUNet(): ModelWithBase;
  /** The token-embedding table [vocab, hidden] as float32. */
  tokenEmbeddings(): Float32Array;
  /** Closes weight files (graphs already built or cached stay valid). */
  close(): void;
  /** The on-disk build cache folder of these weights (keyed by their content), when there is one. */
  readonly cacheDir?: string;
}

/**
 * A text encoder reduced to what training needs: only `last_hidden_state` is kept as output, and every node
 * and input that no longer feeds it is removed (an `input_ids` used only for pooling disappears).
 */
export function withoutPooling(model: ModelProto): ModelProto {
  const outputs = (graphOf(model).output ?? []).filter((o) => o.name === 'last_hidden_state');
  if (outputs.length !== 1) throw new Error('text encoder graph has no "last_hidden_state" output');
  return removeDeadNodes(withGraph(model, { output: outputs }), { pruneInputs: true });
}
