/**
 * Scores are kept as JSON in output/, named the way ComfyUI names saved images: `filename_prefix` may hold
 * subfolders, files are `<prefix>_<counter:05>_.json` with the counter continuing after the highest one in
 * the folder. Written atomically, so a crash never leaves half a file.
 */
import path from 'node:path';
import { writeFileAtomic } from '../storage/atomicWrite';
import { nextCounter } from '../image/imageOutputs';
import { resolveInside } from '../storage/safePath';

/** Where a written file is, as the UI's file references name it (`/view?filename=…&subfolder=…&type=output`). */
export interface OutputFileRef {
  filename: string;
  subfolder: string;
  type: 'output';
}

/** Writes `record` as pretty JSON under `root` (the output folder); returns its file reference. */
export async function writeScoresFile(
  root: string,
  filenamePrefix: string,
  record: unknown,
): Promise<OutputFileRef> {
  const prefix = filenamePrefix.replaceAll('\\', '/');
  const subfolder = path.posix.dirname(prefix) === '.' ? '' : path.posix.dirname(prefix);
  const base = path.posix.basename(prefix);
  const dir = resolveInside(root, subfolder);
  if (!dir || !base || base === '..' || base === '.')
    throw new Error(
      `filename_prefix "${filenamePrefix}" would save outside the output folder; use a name like "scores" or "runs/cat"`,
    );
  const filename = `${base}_${String(await nextCounter(dir, base)).padStart(5, '0')}_.json`;
  await writeFileAtomic(path.join(dir, filename), `${JSON.stringify(record, null, 2)}\n`);
  return { filename, subfolder: path.relative(root, dir).split(path.sep).join('/'), type: 'output' };
}
