/**
 * Saving without replacing: the bytes go to a temp file that is hard-linked to the first free name
 * (`name.ext`, `name_00001.ext`, …). `link` fails on an existing name, so even a concurrent writer never
 * replaces a file, and readers never see a torn one.
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** `base.ext`, then `base_00001.ext`, `base_00002.ext`, … */
export function numberedName(fileName: string, counter: number): string {
  if (counter === 0) return fileName;
  const ext = path.extname(fileName);
  return `${fileName.slice(0, fileName.length - ext.length)}_${String(counter).padStart(5, '0')}${ext}`;
}

/**
 * The n-th candidate for a taken `fileName`: SaveImage's `prefix_00003_.png` continues its counter
 * (`prefix_00004_.png`, …); any other name gets `numberedName`.
 */
export function nextFreeCandidate(fileName: string, n: number): string {
  const counted = /^(.*)_(\d{5})_(\.[^.]*)?$/.exec(fileName);
  if (n === 0 || !counted) return numberedName(fileName, n);
  return `${counted[1]}_${String(Number(counted[2]) + n).padStart(5, '0')}_${counted[3] ?? ''}`;
}

/** Writes `data` into `dir` under `fileName` or the first free numbered name; returns the name used. */
export async function writeFileUnique(
  dir: string,
  fileName: string,
  data: Uint8Array,
  candidate: (fileName: string, n: number) => string = numberedName,
): Promise<string> {
  await mkdir(dir, { recursive: true });
  const temp = path.join(dir, `.${randomBytes(6).toString('hex')}.tmp`);
  await writeFile(temp, data);
  try {
    for (let counter = 0; ; counter += 1) {
      const name = candidate(fileName, counter);
      try {
        await link(temp, path.join(dir, name));
        return name;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
    }
  } finally {
    await rm(temp, { force: true });
  }
}
