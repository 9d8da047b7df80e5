/**
 * Placeholder tokens of a textual-inversion run: `<tok>` (and `<tok>_1`, … for several vectors) added to the
 * tokenizer with new ids, each row initialised as a copy of the initializer token's embedding.
 */
import type { ClipTokenizer } from '../../sd/tokenizer/clipTokenizer';
import type { TokenTable } from './trainableModel';

/** The placeholder of a run. */
export interface Placeholder {
  /** The token users write in prompts (it expands to every vector). */
  readonly token: string;
  /** `token`, `token_1`, … one per vector. */
  readonly names: readonly string[];
  /** Token ids of the vectors, in order. */
  readonly ids: readonly number[];
  /** Id of the initializer token. */
  readonly initializerId: number;
  /** Initial rows [ids.length, hidden]. */
  readonly rows: Float32Array;
}

/** `numVectors` copies of row `initializerId` of the table, [numVectors, hidden]. */
export function initialPlaceholderRows(
  table: TokenTable,
  initializerId: number,
  numVectors: number,
): Float32Array {
  const [vocab, hidden] = table.dims;
  if (!Number.isInteger(initializerId) || initializerId < 0 || initializerId >= vocab) {
    throw new Error(`initializer token id ${initializerId} is outside the embedding table (0..${vocab - 1})`);
  }
  const row = table.data.subarray(initializerId * hidden, (initializerId + 1) * hidden);
  const rows = new Float32Array(numVectors * hidden);
  for (let v = 0; v < numVectors; v++) rows.set(row, v * hidden);
  return rows;
}

/**
 * Adds `token` with `numVectors` vectors to `tokenizer` (mutated: pass a fresh one per run) and initialises
 * its rows from `initializer`, which must be one token. Throws when the token is already in the vocabulary.
 */
export function addPlaceholder(
  tokenizer: ClipTokenizer,
  table: TokenTable,
  token: string,
  initializer: string,
  numVectors: number,
): Placeholder {
  const initial = tokenizer.tokenize(initializer);
  if (initial.length !== 1) {
    throw new Error(
      `initializer token "${initializer}" is ${initial.length} tokens (ids ${initial.join(', ') || 'none'}); pick a word that is a single token, e.g. "cat" or "painting"`,
    );
  }
  const initializerId = initial[0]!;
  // a placeholder that is already one token (e.g. "cat" → "cat</w>") would shadow that word in every prompt
  const existing = tokenizer.tokenize(token);
  if (existing.length === 1) {
    throw new Error(
      `token "${token}" is already in the vocabulary (id ${existing[0]}); choose a new placeholder token such as "<${token}>"`,
    );
  }
  const ids = tokenizer.addPlaceholder(token, numVectors);
  return {
    token,
    names: ids.map((_, i) => (i === 0 ? token : `${token}_${i}`)),
    ids,
    initializerId,
    rows: initialPlaceholderRows(table, initializerId, numVectors),
  };
}
