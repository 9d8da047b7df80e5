/** Shared pieces of the CLIP scoring tests: the dataset's scoring CLIP folder and golden images as IMAGE. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { ImageTensor } from '../../server/diffusion/imageIO';
import { golden, referenceDir, type GoldenArray } from '../reference/schedulersGoldenData';

export { referenceDir };

/** The dataset's scoring CLIP folder. */
export const datasetClipDir = path.join(referenceDir, 'clip');

/** Why the dataset cannot run the scoring tests, or undefined when it can. */
export function clipSkipReason(): string | undefined {
  if (!existsSync(path.join(datasetClipDir, 'config.json')))
    return `${path.basename(referenceDir)} has no scoring CLIP (clip/config.json)`;
  if (!('clip' in golden())) return `${path.basename(referenceDir)}/golden.json has no "clip" section`;
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
