/** Reading several images from input/ into one square IMAGE batch (what the trainer nodes consume). */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { decodeImage, type ImageTensor } from '../../server/image/imageIO';
import { squareBatch } from '../../server/training/textualInversion/trainingImages';

/** Decodes `files` (absolute paths; `names` as the user wrote them) and centre-crops/resizes each to `size`². */
export async function loadSquareImages(
  files: readonly string[],
  names: readonly string[],
  size: number,
): Promise<ImageTensor> {
  const decoded: ImageTensor[] = [];
  for (let i = 0; i < files.length; i++) {
    let bytes: Uint8Array;
    try {
      bytes = await readFile(files[i]!);
    } catch {
      throw new Error(`image "${names[i]}" not found in the input folder; upload it or fix the name`);
    }
    try {
      decoded.push(await decodeImage(bytes));
    } catch (error) {
      throw new Error(
        `image "${names[i]}" is not a readable image (${(error as Error).message}); replace or remove it`,
      );
    }
  }
  return squareBatch(decoded, size);
}

/** Forward-slash path of `file` relative to `root`. */
export function relativeName(root: string, file: string): string {
  return path.relative(root, file).split(path.sep).join('/');
}
