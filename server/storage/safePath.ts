/** Path checks for anything a request names: a file name or subfolder must stay inside its root. */
import path from 'node:path';

/** Longest user-chosen file name in UTF-8 bytes. */
export const MAX_NAME_BYTES = 200;

/**
 * A single path segment a user may choose: no separators, no `..`, no NUL, at most 200 bytes (room for the
 * temp-file and counter suffixes within the file system's 255).
 */
export function isSafeFileName(name: string): boolean {
  return (
    name.length > 0 &&
    Buffer.byteLength(name) <= MAX_NAME_BYTES &&
    name !== '.' &&
    name !== '..' &&
    !/[\\/\0]/.test(name) &&
    !/^[a-zA-Z]:/.test(name)
  );
}

/**
 * Resolves `parts` (a relative subfolder and/or file name) under `root`; null if the result would be
 * outside `root` (absolute parts, `..` segments, drive letters).
 */
export function resolveInside(root: string, ...parts: string[]): string | null {
  const base = path.resolve(root);
  if (parts.some((p) => p.includes('\0') || path.isAbsolute(p) || /^[a-zA-Z]:/.test(p))) return null;
  const target = path.resolve(base, ...parts);
  const relative = path.relative(base, target);
  if (relative === '') return target;
  if (relative.startsWith('..') || path.isAbsolute(relative)) return null;
  return target;
}
