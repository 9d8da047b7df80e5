/**
 * What the learned token looks like so far: a short sampling run (Euler, few steps) of a caption with the
 * current vectors through the frozen model, decoded by its VAE. The trainer node shows it every N steps.
 */
import type { TextualInversionEmbedding } from '../../sd/embeddings/embeddingFile';
import type { FrozenModel } from '../../sd/model/frozenModel';
import { encodePrompt } from '../../sd/model/promptEncoding';
import { decodeLatent, emptyLatent, runKSampler } from '../../sd/model/sampling';
import type { ImageTensor } from '../../image/imageIO';

export interface TrainingPreviewOptions {
  /** Caption using the placeholder, e.g. "a photo of a <cat-toy>". */
  readonly prompt: string;
  /** Image side in pixels (the training resolution). */
  readonly size: number;
  readonly seed: number;
  /** Sampling steps (default 8). */
  readonly steps?: number;
  /** Guidance scale (default 7.5). */
  readonly cfg?: number;
  readonly signal?: AbortSignal;
}

/** Samples one image of `prompt` with `embedding` (UNet of `unet`, text encoder of `text`, decoder of `vae`). */
export async function renderTrainingPreview(
  models: { unet: FrozenModel; text: FrozenModel; vae: FrozenModel },
  embedding: TextualInversionEmbedding,
  options: TrainingPreviewOptions,
): Promise<ImageTensor> {
  const positive = await encodePrompt(models.text, options.prompt, { embeddings: [embedding] });
  const negative = await encodePrompt(models.text, '');
  const { latentChannels, vaeScaleFactor } = models.unet.info;
  const latent = await runKSampler(models.unet, {
    positive,
    negative,
    latent: emptyLatent(options.size, options.size, 1, latentChannels, vaeScaleFactor),
    seed: options.seed,
    steps: options.steps ?? 8,
    cfg: options.cfg ?? 7.5,
    samplerName: 'euler',
    scheduler: 'normal',
    denoise: 1,
    signal: options.signal,
  });
  return decodeLatent(models.vae, latent);
}
