/**
 * Titles for conditional suites and tests. vitest reports a skipped one by its title alone, so the title
 * carries the reason: `describe.skipIf(reason !== undefined)(withSkipReason(title, reason), …)`.
 */

/** `title` when `reason` is undefined (it runs), else `title (skipped: reason)`. */
export function withSkipReason(title: string, reason: string | undefined): string {
  return reason === undefined ? title : `${title} (skipped: ${reason})`;
}
