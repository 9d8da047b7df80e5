/**
 * Which checkpoint folder a curve reads: `checkpoint_folder` (relative to output/) when given, else the
 * trainer's folder of the connected EMBEDDING's token. Nothing outside output/ is ever read.
 */
import path from 'node:path';
import {
  listStepEmbeddingFiles,
  type StepEmbeddingFile,
} from '../../server/sd/embeddings/stepEmbeddingFiles';
import { resolveInside } from '../../server/storage/safePath';
import { expectEmbeddings } from '../nodeValues';
import { trainingFolder } from '../training/textualInversionTrainer';

const EXAMPLE = 'textual_inversion/my-toy-0123456789ab';

const outside = (folder: string) =>
  `checkpoint_folder "${folder}" is outside the output folder; give the trainer's folder relative to output/, e.g. "${EXAMPLE}"`;

/** Why `folder` (as typed) cannot name a folder under output/, or undefined when it can. */
export function checkpointFolderProblem(folder: string): string | undefined {
  const named = folder.trim().replaceAll('\\', '/');
  const normal = path.posix.normalize(named);
  const escapes = normal === '..' || normal.startsWith('../');
  return path.posix.isAbsolute(named) || /^[a-zA-Z]:/.test(named) || escapes ? outside(folder) : undefined;
}

/** The folder to read: an absolute path inside `outputDir`. Throws naming the input and the fix. */
export function curveFolder(outputDir: string, folder: string, embedding: unknown): string {
  if (folder.trim() !== '') {
    const dir = checkpointFolderProblem(folder)
      ? null
      : resolveInside(outputDir, folder.trim().replaceAll('\\', '/'));
    if (!dir) throw new Error(outside(folder));
    return dir;
  }
  const [first] = expectEmbeddings(embedding, 'embedding');
  if (first) return trainingFolder(outputDir, first.token);
  throw new Error(
    `no checkpoint folder: set checkpoint_folder to the trainer's folder under output/ (e.g. "${EXAMPLE}") or connect the trainer's EMBEDDING`,
  );
}

/** The saved steps of `dir`; throws naming the folder and the fix when it holds none. */
export async function curveStepFiles(outputDir: string, dir: string): Promise<StepEmbeddingFile[]> {
  const files = await listStepEmbeddingFiles(dir);
  if (files.length > 0) return files;
  const shown = path.join('output', path.relative(outputDir, dir)).split(path.sep).join('/');
  throw new Error(
    `checkpoint folder ${shown} holds no learned_embeds-steps-N.safetensors files; train into it with ` +
      'TextualInversionTrainer (checkpoint_every > 0 saves one per checkpoint), or point checkpoint_folder ' +
      `at a trainer's folder under output/textual_inversion/`,
  );
}
