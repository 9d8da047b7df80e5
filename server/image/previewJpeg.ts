/**
 * Live previews sent while a node runs (sampling steps, training progress). Latent previews and tiny
 * training renders are a few dozen pixels wide, so they are enlarged by a whole factor (nearest-exact keeps
 * them crisp) until the larger side reaches `PREVIEW_MIN_SIDE`.
 */
import { encodeJpeg, resizeImage, type ImageTensor } from './imageIO';

/** Smallest larger side of a preview image. */
export const PREVIEW_MIN_SIDE = 256;

/** JPEG bytes of the first image of `image`, enlarged to at least `PREVIEW_MIN_SIDE`. */
export async function previewJpeg(image: ImageTensor, quality: number): Promise<Uint8Array> {
  const [, h, w] = image.shape;
  const scale = Math.max(1, Math.ceil(PREVIEW_MIN_SIDE / Math.max(h, w)));
  return encodeJpeg(resizeImage(image, w * scale, h * scale, 'nearest-exact'), 0, quality);
}
