/**
 * The facts about a frozen model that sampling, conditioning and training need, in one flat record that
 * every source format can fill (ONNX exports carry no diffusers configs, so these are read from graphs).
 */
import type { PredictionType } from '../weights/diffusersConfigs';
import type { ModelWeights } from '../weights/modelWeights';
import type { ModelFamily } from '../weights/modelFamily';

/** Where a frozen model came from. */
export type FrozenModelFormat = 'ldm' | 'diffusers' | 'onnx';

/** What callers may rely on, whatever the format. */
export interface FrozenModelInfo {
  readonly format: FrozenModelFormat;
  /** The file or folder that was loaded. */
  readonly path: string;
  readonly family: ModelFamily;
  /** Observations the family rests on. */
  readonly familyReasons: readonly string[];
  /** How UNet outputs are read (and the training target). */
  readonly predictionType: PredictionType;
  /** Width of the text encoder's hidden states (= embedding vectors, UNet context width). */
  readonly textHiddenSize: number;
  /** Rows of the token-embedding table. */
  readonly vocabSize: number;
  /** Token sequence length the text encoder was trained with (77). */
  readonly maxLength: number;
  readonly latentChannels: number;
  /** Image size / latent size (8 for SD). */
  readonly vaeScaleFactor: number;
  /** UNet latents = VAE mean × this (0.18215 for SD 1.x / 2.x). */
  readonly scalingFactor: number;
  /** Default latent size (image size / vaeScaleFactor) the model was trained at. */
  readonly sampleSize: number;
  /** Latent height and width must be multiples of this (2^UNet downsamplings). */
  readonly latentMultiple: number;
  /** Values taken from defaults rather than from the files. */
  readonly assumptions: readonly string[];
}

/** The info of a checkpoint or diffusers folder, from its configs. */
export function infoFromLoaded(loaded: ModelWeights): FrozenModelInfo {
  const { unet, vae, textEncoder } = loaded.configs;
  return {
    format: loaded.format,
    path: loaded.path,
    family: loaded.family,
    familyReasons: loaded.familyReasons,
    predictionType: loaded.predictionType,
    textHiddenSize: textEncoder.hidden_size,
    vocabSize: textEncoder.vocab_size,
    maxLength: textEncoder.max_position_embeddings,
    latentChannels: vae.latent_channels,
    vaeScaleFactor: 2 ** (vae.block_out_channels.length - 1),
    scalingFactor: vae.scaling_factor,
    sampleSize: unet.sample_size ?? Math.round(vae.sample_size / 2 ** (vae.block_out_channels.length - 1)),
    latentMultiple: 2 ** (unet.block_out_channels.length - 1),
    assumptions: loaded.assumptions,
  };
}
