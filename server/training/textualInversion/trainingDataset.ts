/**
 * The training set after its one-time VAE pass: per image (and per mirrored image when flips are on) the
 * posterior mean and std, so a step only draws latent = (mean + std · z) · scaling_factor. diffusers
 * re-encodes every step; caching the moments gives the same distribution at a fraction of the cost.
 */
import { createHash } from 'node:crypto';
import type { ImageTensor } from '../../image/imageIO';
import type { LatentEncoder } from './latentEncoder';
import { squareImage, toVaePixels } from './trainingImages';

interface Posterior {
  readonly mean: Float32Array;
  readonly std: Float32Array;
}

/** SHA-256 of the image batch (shape and pixels): tells a resume whether it trains on the same images. */
export function imagesFingerprint(images: ImageTensor): string {
  const hash = createHash('sha256').update(images.shape.join('x'));
  hash.update(new Uint8Array(images.data.buffer, images.data.byteOffset, images.data.byteLength));
  return hash.digest('hex');
}

/** Encoded training images. */
export class TrainingDataset {
  private constructor(
    private readonly plain: readonly Posterior[],
    private readonly mirrored: readonly Posterior[] | undefined,
    /** [channels, h, w] of one latent. */
    readonly latentDims: readonly [number, number, number],
    readonly scalingFactor: number,
    readonly fingerprint: string,
  ) {}

  /**
   * Crops, resizes and encodes every image once (and its mirror image when `withFlips`). `resolution` must
   * be a multiple of `sizeMultiple` (the VAE downscale times the UNet's, 64 for SD).
   */
  static async encode(
    images: ImageTensor,
    encoder: LatentEncoder,
    resolution: number,
    options: { withFlips: boolean; sizeMultiple?: number; signal?: AbortSignal },
  ): Promise<TrainingDataset> {
    const multiple = options.sizeMultiple ?? encoder.downscale * 8;
    if (!Number.isInteger(resolution) || resolution < multiple || resolution % multiple !== 0) {
      throw new Error(
        `resolution ${resolution} must be a positive multiple of ${multiple} (VAE and UNet downsampling)`,
      );
    }
    const [count] = images.shape;
    if (count < 1) throw new Error('the training image batch is empty; connect at least one image');
    const plain: Posterior[] = [];
    const mirrored: Posterior[] = [];
    let dims: readonly [number, number, number] = [0, 0, 0];
    const encode = async (hwc: Float32Array, flip: boolean): Promise<Posterior> => {
      options.signal?.throwIfAborted();
      const posterior = await encoder.encode(toVaePixels(hwc, resolution, flip), resolution);
      dims = posterior.dims;
      return { mean: posterior.mean, std: posterior.logvar.map((v) => Math.exp(0.5 * v)) };
    };
    for (let i = 0; i < count; i++) {
      const hwc = squareImage(images, i, resolution);
      plain.push(await encode(hwc, false));
      if (options.withFlips) mirrored.push(await encode(hwc, true));
    }
    const fingerprint = createHash('sha256')
      .update(`${imagesFingerprint(images)}@${resolution}`)
      .digest('hex');
    return new TrainingDataset(
      plain,
      options.withFlips ? mirrored : undefined,
      dims,
      encoder.scalingFactor,
      fingerprint,
    );
  }

  /** Number of training images. */
  get count(): number {
    return this.plain.length;
  }

  /** Elements of one latent. */
  get latentSize(): number {
    return this.latentDims[0] * this.latentDims[1] * this.latentDims[2];
  }

  /** (mean + std · z) · scaling_factor of image `index` (mirrored when `flip`), written into `out`. */
  latentSample(index: number, flip: boolean, z: Float32Array, out: Float32Array, offset = 0): void {
    const source = flip ? this.mirrored : this.plain;
    if (!source) throw new Error('this dataset was encoded without mirrored images; flips are off');
    const { mean, std } = source[index]!;
    const scale = this.scalingFactor;
    for (let i = 0; i < mean.length; i++) out[offset + i] = Math.fround((mean[i]! + std[i]! * z[i]!) * scale);
  }
}
