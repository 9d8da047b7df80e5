/** Shared pieces of the CLIP scoring tests: the dataset's scoring CLIP folder and golden images as IMAGE. */
import type { ImageTensor } from '../../server/image/imageIO';
import { datasetHas, datasetName, datasetPath, golden, type GoldenArray } from '../support/referenceData';

/** The dataset's scoring CLIP folder. */
export const datasetClipDir = datasetPath('clip');

/** Why the dataset cannot run the scoring tests, or undefined when it can. */
export function clipSkipReason(): string | undefined {
  if (!datasetHas('clip/config.json')) return `${datasetName} has no scoring CLIP (clip/config.json)`;
  if (!('clip' in golden())) return `${datasetName}/golden.json has no "clip" section`;
  return undefined;
}

/** An NCHW golden image batch as the studio's NHWC IMAGE. */
export function nchwToImage(array: GoldenArray): ImageTensor {
  const [n, c, h, w] = array.shape as [number, number, number, number];
  const data = new Float32Array(array.data.length);
  for (let b = 0; b < n; b++)
    for (let ch = 0; ch < c; ch++)
      for (let i = 0; i < h * w; i++) data[(b * h * w + i) * c + ch] = array.data[(b * c + ch) * h * w + i]!;
  return { data, shape: [n, h, w, c] };
}
