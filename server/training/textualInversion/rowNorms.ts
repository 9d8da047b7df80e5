/** The norm limit of learned embedding rows (TrainerConfig.maxNorm). */

function rowNorm(row: Float32Array): number {
  let sumSq = 0;
  for (const v of row) sumSq += v * v;
  return Math.sqrt(sumSq);
}

/**
 * The limit of each of the `count` rows of `initial`: `maxNorm`, or the row's own initial norm when that is
 * longer (the limit never shrinks the initializer's vector); 0 everywhere when `maxNorm` is 0 (no limit).
 */
export function rowNormLimits(initial: Float32Array, count: number, maxNorm: number): number[] {
  const width = initial.length / count;
  return Array.from({ length: count }, (_, r) =>
    maxNorm > 0 ? Math.max(maxNorm, rowNorm(initial.subarray(r * width, (r + 1) * width))) : 0,
  );
}

/** Scales each row of `rows` whose norm exceeds its limit (`limits[r]`; 0: none) back to the limit. */
export function limitRowNorms(rows: Float32Array, limits: readonly number[]): void {
  const width = rows.length / limits.length;
  limits.forEach((limit, r) => {
    if (limit <= 0) return;
    const row = rows.subarray(r * width, (r + 1) * width);
    const norm = rowNorm(row);
    if (norm > limit) for (let i = 0; i < width; i++) row[i] = (row[i]! * limit) / norm;
  });
}
