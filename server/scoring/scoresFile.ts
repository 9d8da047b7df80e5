/**
 * Scores are kept as JSON (and tables as CSV, charts as PNG) in output/, named the way ComfyUI names saved
 * images: `filename_prefix` may hold subfolders, files are `<prefix>_<counter:05>_.<ext>` with the counter
 * continuing after the highest one in the folder; files written together share one counter. Written
 * atomically, so a crash never leaves half a file.
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

/** One file of a set written together: its extension (without the dot) and its content. */
export interface OutputFileContent {
  readonly extension: string;
  readonly data: string | Uint8Array;
}

/**
 * Writes `contents` under `root` (the output folder) as `<prefix>_<counter>_.<extension>`, all with the same
 * counter; returns their file references in the same order.
 */
export async function writeOutputFiles(
  root: string,
  filenamePrefix: string,
  contents: readonly OutputFileContent[],
): Promise<OutputFileRef[]> {
  const prefix = filenamePrefix.replaceAll('\\', '/');
  const subfolder = path.posix.dirname(prefix) === '.' ? '' : path.posix.dirname(prefix);
  const base = path.posix.basename(prefix);
  const dir = resolveInside(root, subfolder);
  if (!dir || !base || base === '..' || base === '.')
    throw new Error(
      `filename_prefix "${filenamePrefix}" would save outside the output folder; use a name like "scores" or "runs/cat"`,
    );
  const counter = String(await nextCounter(dir, base)).padStart(5, '0');
  const refs: OutputFileRef[] = [];
  for (const { extension, data } of contents) {
    const filename = `${base}_${counter}_.${extension}`;
    await writeFileAtomic(path.join(dir, filename), data);
    refs.push({ filename, subfolder: path.relative(root, dir).split(path.sep).join('/'), type: 'output' });
  }
  return refs;
}

/** Writes `record` as pretty JSON under `root` (the output folder); returns its file reference. */
export async function writeScoresFile(
  root: string,
  filenamePrefix: string,
  record: unknown,
): Promise<OutputFileRef> {
  const [ref] = await writeOutputFiles(root, filenamePrefix, [
    { extension: 'json', data: `${JSON.stringify(record, null, 2)}\n` },
  ]);
  return ref!;
}
