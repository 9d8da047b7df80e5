/** Path checks for anything a request names: a file name or subfolder must stay inside its root. */
import path from 'node:path';

/** A single path segment a user may choose: no separators, no `..`, no NUL, at most 255 bytes. */
export function isSafeFileName(name: string): boolean {
  return (
    name.length > 0 &&
    Buffer.byteLength(name) <= 255 &&
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
