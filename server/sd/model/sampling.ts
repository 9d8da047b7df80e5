/**
 * KSampler on a frozen model: the studio's sampler loop (server/diffusion/sample.ts) with the UNet as its
 * model function, classifier-free guidance over [uncond; cond] batches and ComfyUI's `denoise`, plus the
 * LATENT and NOISE value types and the image ↔ latent conversions of VAEEncode / VAEDecode.
 */
import type { ImageTensor } from '../../image/imageIO';
import { sample } from '../../diffusion/sample';
import type { FrozenModel } from './frozenModel';
import type { Conditioning } from './promptEncoding';
import type { FloatTensor } from './tensors';

/** The LATENT value (ComfyUI's `{"samples": tensor}`): VAE-scaled latents [n, c, h, w]. */
export interface Latent {
  readonly samples: Float32Array;
  readonly shape: readonly [n: number, c: number, h: number, w: number];
  /**
   * Set on EmptyLatentImage's zeros: the image size they stand for. EmptyLatentImage knows no model, so the
   * sampler re-makes them for its model's VAE factor and channels (see `latentForModel`).
   */
  readonly emptyFor?: { readonly width: number; readonly height: number };
}

/** Zero latents for `width` × `height` images (EmptyLatentImage). */
export function emptyLatent(width: number, height: number, batch: number, channels = 4, factor = 8): Latent {
  if (width % factor !== 0 || height % factor !== 0) {
    throw new Error(`width ${width} and height ${height} must be multiples of ${factor}`);
  }
  const shape = [batch, channels, height / factor, width / factor] as const;
  return { samples: new Float32Array(shape.reduce((a, b) => a * b, 1)), shape };
}

/** EmptyLatentImage's zeros for `width` × `height` images: SD's 4 channels at 1/8 until a model re-makes them. */
export function emptyLatentFor(width: number, height: number, batch: number): Latent {
  return { ...emptyLatent(width, height, batch), emptyFor: { width, height } };
}

/**
 * Zeros from EmptyLatentImage re-made for `model`'s VAE (a toy model's VAE scales by 4, not 8; as ComfyUI
 * re-makes empty latents for a model with other channels); any other latent is returned as it is.
 */
export function latentForModel(model: FrozenModel, latent: Latent): Latent {
  if (!latent.emptyFor) return latent;
  const { vaeScaleFactor: factor, latentChannels: channels } = model.info;
  const width = Math.floor(latent.emptyFor.width / factor) * factor;
  const height = Math.floor(latent.emptyFor.height / factor) * factor;
  return emptyLatent(width, height, latent.shape[0], channels, factor);
}

/**
 * The NOISE value (ComfyUI's custom-sampling NOISE input): unit-normal starting noise for a latent shape
 * [n, c, h, w], given instead of the noise KSampler draws from its seed.
 */
export interface StartingNoise {
  generate(shape: readonly number[]): Float32Array;
}

/** What `runKSampler` needs besides the model. */
export interface KSamplerOptions {
  readonly positive: Conditioning;
  readonly negative: Conditioning;
  readonly latent: Latent;
  readonly seed: number | bigint;
  readonly steps: number;
  readonly cfg: number;
  readonly samplerName: string;
  readonly scheduler: string;
  /** ComfyUI's denoise: `steps` steps over the tail of a trunc(steps / denoise)-step schedule. */
  readonly denoise: number;
  /** Unit-normal starting noise [n, c, h, w] instead of the noise drawn from `seed` (which still feeds in-step noise). */
  readonly noise?: Float32Array;
  /** After each step: steps done, total, the step's clean-latent estimate (for previews) and the latents. */
  readonly onStep?: (
    step: number,
    total: number,
    denoised: Float32Array,
    latents: Float32Array,
  ) => void | Promise<void>;
  readonly signal?: AbortSignal;
}

/** `count` copies of a [1, S, H] context stacked along the batch axis. */
function repeatContext(c: Conditioning, count: number): Float32Array {
  const one = c.context.data;
  const out = new Float32Array(one.length * count);
  for (let i = 0; i < count; i++) out.set(one, i * one.length);
  return out;
}

function checkConditioning(model: FrozenModel, c: Conditioning, which: string): void {
  const width = c.context.dims[2];
  if (width !== model.info.textHiddenSize) {
    throw new Error(
      `${which} conditioning is ${width} wide but ${model.name}'s UNet expects ${model.info.textHiddenSize}; encode the prompt with this model's CLIP`,
    );
  }
}

/** Denoises `latent` and returns the new latents (same shape). */
export async function runKSampler(model: FrozenModel, options: KSamplerOptions): Promise<Latent> {
  const { positive, negative } = options;
  const latent = latentForModel(model, options.latent);
  checkConditioning(model, positive, 'positive');
  checkConditioning(model, negative, 'negative');
  const [n, c, h, w] = latent.shape;
  if (c !== model.info.latentChannels) {
    throw new Error(`latent has ${c} channels but ${model.name} works on ${model.info.latentChannels}`);
  }
  const multiple = model.info.latentMultiple;
  if (h % multiple !== 0 || w % multiple !== 0) {
    const pixels = multiple * model.info.vaeScaleFactor;
    throw new Error(
      `latent is ${w}×${h} but ${model.name}'s UNet needs multiples of ${multiple}: use image sizes that are multiples of ${pixels} (e.g. ${Math.max(1, Math.round((w * model.info.vaeScaleFactor) / pixels)) * pixels})`,
    );
  }
  if (positive.context.dims[1] !== negative.context.dims[1]) {
    throw new Error(
      `positive and negative conditioning have different lengths (${positive.context.dims[1]} vs ${negative.context.dims[1]})`,
    );
  }
  const [, seq, width] = positive.context.dims as [number, number, number];
  const cond = repeatContext(positive, n);
  let guidedContext: Float32Array | undefined;
  const contextFor = (guided: boolean): FloatTensor => {
    if (!guided) return { data: cond, dims: [n, seq, width] };
    if (!guidedContext) {
      // [uncond; cond], uncond FIRST, as the sampler lays out the batch
      guidedContext = new Float32Array(2 * cond.length);
      guidedContext.set(repeatContext(negative, n), 0);
      guidedContext.set(cond, cond.length);
    }
    return { data: guidedContext, dims: [2 * n, seq, width] };
  };
  const samples = await sample({
    model: async (call) => {
      const out = await model.unet(
        { data: call.sample, dims: call.shape },
        call.timestep,
        contextFor(call.guided),
      );
      return out.data;
    },
    schedulerConfig: model.schedulerConfig,
    sampler: options.samplerName,
    scheduler: options.scheduler,
    steps: options.steps,
    cfg: options.cfg,
    shape: latent.shape,
    seed: options.seed,
    noise: options.noise,
    latentImage: latent.samples,
    denoise: options.denoise,
    denoiseSemantics: 'comfyui',
    onStep: options.onStep
      ? (step, total, latents, denoised) => options.onStep!(step, total, denoised, latents)
      : undefined,
    signal: options.signal,
  });
  return { samples, shape: latent.shape };
}

/**
 * IMAGE (NHWC in [0, 1]) → VAE input (NCHW in [-1, 1]). Sides are centre-cropped down to multiples of
 * `multiple`, as ComfyUI's VAEEncode does.
 */
export function imageToVaeInput(image: ImageTensor, multiple = 1): FloatTensor {
  const [n, sh, sw, channels] = image.shape;
  if (channels < 3) throw new Error(`image has ${channels} channels; VAEEncode needs RGB`);
  const h = Math.floor(sh / multiple) * multiple;
  const w = Math.floor(sw / multiple) * multiple;
  if (h === 0 || w === 0)
    throw new Error(`image is ${sw}×${sh}; VAEEncode needs at least ${multiple}×${multiple} pixels`);
  const [oy, ox] = [Math.floor((sh - h) / 2), Math.floor((sw - w) / 2)];
  const out = new Float32Array(n * 3 * h * w);
  for (let b = 0; b < n; b++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        for (let ch = 0; ch < 3; ch++)
          out[((b * 3 + ch) * h + y) * w + x] =
            image.data[((b * sh + y + oy) * sw + x + ox) * channels + ch]! * 2 - 1;
  return { data: out, dims: [n, 3, h, w] };
}

/** VAE output (NCHW, roughly [-1, 1]) → IMAGE (NHWC, clamped to [0, 1]). */
export function vaeOutputToImage(decoded: FloatTensor): ImageTensor {
  const [n, c, h, w] = decoded.dims as [number, number, number, number];
  const out = new Float32Array(n * h * w * c);
  for (let b = 0; b < n; b++)
    for (let ch = 0; ch < c; ch++)
      for (let p = 0; p < h * w; p++) {
        const v = decoded.data[(b * c + ch) * h * w + p]! / 2 + 0.5;
        out[(b * h * w + p) * c + ch] = Math.min(Math.max(v, 0), 1);
      }
  return { data: out, shape: [n, h, w, c] };
}

/** Encodes images to latents: the posterior mean × scaling factor (ComfyUI's VAEEncode also takes the mean). */
export async function encodeImage(model: FrozenModel, image: ImageTensor): Promise<Latent> {
  const { mean } = await model.vaeEncodeMoments(imageToVaeInput(image, model.info.vaeScaleFactor));
  const samples = mean.data.map((v) => v * model.info.scalingFactor);
  const [n, c, lh, lw] = mean.dims as [number, number, number, number];
  return { samples, shape: [n, c, lh, lw] };
}

/** Decodes latents to an IMAGE batch. */
export async function decodeLatent(model: FrozenModel, latent: Latent): Promise<ImageTensor> {
  return vaeOutputToImage(await model.vaeDecode({ data: latent.samples, dims: latent.shape }));
}
