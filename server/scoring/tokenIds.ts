/** Token ids given directly to the scoring CLIP's text tower (for models or datasets without a tokenizer). */

/** Rows of token ids: `shape = [texts, sequence]`, row-major, each row `[BOS, …, EOS, pad…]`. */
export interface TokenIds {
  readonly data: Int32Array;
  readonly shape: readonly [texts: number, sequence: number];
}

/** Wraps plain id rows as `TokenIds`; every row must have the same length. */
export function tokenIdRows(rows: readonly (readonly number[])[]): TokenIds {
  const length = rows[0]?.length ?? 0;
  rows.forEach((row, i) => {
    if (row.length !== length)
      throw new Error(`token id row ${i} has ${row.length} ids, row 0 has ${length}`);
  });
  return { data: Int32Array.from(rows.flat()), shape: [rows.length, length] };
}

/** Whether a text input is ids rather than strings. */
export function isTokenIds(value: unknown): value is TokenIds {
  return typeof value === 'object' && value !== null && 'data' in value && value.data instanceof Int32Array;
}

/** Refuses ids the text tower cannot take, naming the bad value and the limit. */
export function checkTokenIds(ids: TokenIds, limits: { vocabSize: number; maxLength: number }): void {
  const [texts, sequence] = ids.shape;
  if (ids.data.length !== texts * sequence)
    throw new Error(`token ids: ${ids.data.length} ids do not fill shape [${texts}, ${sequence}]`);
  if (texts === 0 || sequence === 0)
    throw new Error(`token ids: shape [${texts}, ${sequence}] holds no text; give at least one row`);
  if (sequence > limits.maxLength)
    throw new Error(
      `token ids: rows of ${sequence} ids exceed the text tower's ${limits.maxLength} positions; truncate them`,
    );
  const bad = ids.data.findIndex((id) => id < 0 || id >= limits.vocabSize);
  if (bad >= 0)
    throw new Error(
      `token ids: id ${ids.data[bad]} (row ${Math.floor(bad / sequence)}, position ${bad % sequence}) is outside the ` +
        `vocabulary 0..${limits.vocabSize - 1}; the scoring CLIP has no placeholder rows, remove placeholder ids first`,
    );
}
