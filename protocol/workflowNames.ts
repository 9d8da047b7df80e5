/**
 * Which names the workflow library accepts, shared by the server (which enforces it) and the client
 * (which says what is wrong before saving, naming the characters to remove).
 */

/** Letters, digits, space, `_ - . ( )`; 1–100 characters; no leading dot, space, `-`, `(`. */
export const WORKFLOW_NAME_PATTERN = /^[\p{L}\p{N}_][\p{L}\p{N}_ .()-]{0,99}$/u;
const ALLOWED_CHAR = /[\p{L}\p{N}_ .()-]/u;

/** What is wrong with library name `name` (without `.json`), or undefined when it is fine. */
export function workflowNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'the name is empty';
  const bad = [...new Set([...name].filter((ch) => !ALLOWED_CHAR.test(ch)))];
  if (bad.length) {
    const listed = bad.map((ch) => (ch === ' ' ? 'space' : `"${ch}"`)).join(', ');
    return `${listed} cannot be in a workflow name; use letters, digits, spaces, _ - . ( )`;
  }
  if ([...name].length > 100) return `the name has ${[...name].length} characters; use at most 100`;
  if (name.includes('..')) return 'the name cannot contain ".."';
  if (!WORKFLOW_NAME_PATTERN.test(name)) return 'the name must start with a letter, a digit or "_"';
  return undefined;
}

/** The shipped workflow (`workflows/<name>.json`) the studio opens on a first visit. */
export const DEFAULT_WORKFLOW_NAME = 'train-sample-score';
