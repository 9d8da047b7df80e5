/**
 * What the trainer needs from a VAE: the encoder's posterior (mean, log-variance) of one image, so the
 * training images are encoded once and every step draws a fresh latent sample from the cached moments.
 */
import type { FrozenModel } from '../../sd/model/frozenModel';

/** Posterior of one image: [channels, h, w] each, unscaled; logvar already clamped to [-30, 20]. */
export interface LatentPosterior {
  readonly mean: Float32Array;
  readonly logvar: Float32Array;
  readonly dims: readonly [channels: number, height: number, width: number];
}

/** A VAE encoder seen from training. */
export interface LatentEncoder {
  /** UNet latents = sample × this (0.18215 for SD). */
  readonly scalingFactor: number;
  /** Image size / latent size (8 for SD). */
  readonly downscale: number;
  /** Posterior of `pixels` [1, 3, size, size] in [-1, 1]. */
  encode(pixels: Float32Array, size: number): Promise<LatentPosterior>;
  /**
   * Frees what encoding holds (a 512 px VAE encoder session keeps ~1 GB of activation arena); called once
   * the training images are encoded, so it is not resident beside the training step.
   */
  release?(): Promise<void>;
}

/** The VAE encoder of a studio model. */
export function frozenLatentEncoder(model: FrozenModel): LatentEncoder {
  return {
    scalingFactor: model.info.scalingFactor,
    downscale: model.info.vaeScaleFactor,
    encode: async (pixels, size) => {
      const { mean, logvar } = await model.vaeEncodeMoments({ data: pixels, dims: [1, 3, size, size] });
      const [, c, h, w] = mean.dims as [number, number, number, number];
      return { mean: mean.data, logvar: logvar.data, dims: [c, h, w] };
    },
    release: () => model.release(['vae_encoder']),
  };
}
