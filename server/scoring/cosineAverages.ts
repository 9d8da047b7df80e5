/**
 * The averaging behind CLIP-I and CLIP-T, kept free of models so it can be checked with literal numbers:
 * cosine similarity between rows of two embedding batches, and means over all (a, b) pairs.
 */

/** A batch of embeddings: `shape = [rows, dim]`, row-major. */
export interface EmbeddingBatch {
  readonly data: Float32Array;
  readonly shape: readonly [rows: number, dim: number];
}

/** Wraps plain rows (e.g. literal test values) as an `EmbeddingBatch`. */
export function embeddingRows(rows: readonly (readonly number[])[]): EmbeddingBatch {
  const dim = rows[0]?.length ?? 0;
  rows.forEach((row, i) => {
    if (row.length !== dim) throw new Error(`embedding row ${i} has ${row.length} values, row 0 has ${dim}`);
  });
  return { data: Float32Array.from(rows.flat()), shape: [rows.length, dim] };
}

function checkBatch(batch: EmbeddingBatch, label: string): void {
  const [rows, dim] = batch.shape;
  if (batch.data.length !== rows * dim)
    throw new Error(`${label}: ${batch.data.length} values do not fill shape [${rows}, ${dim}]`);
  if (rows === 0) throw new Error(`${label}: the batch is empty; give at least one row`);
}

function rowNorms(batch: EmbeddingBatch, label: string): Float64Array {
  const [rows, dim] = batch.shape;
  const norms = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    for (let k = 0; k < dim; k++) sum += batch.data[r * dim + k]! ** 2;
    norms[r] = Math.sqrt(sum);
    if (!(norms[r]! > 0))
      throw new Error(`${label}: row ${r} has no length (all zeros or NaN); cannot take a cosine`);
  }
  return norms;
}

/**
 * Cosine similarity of every row of `a` with every row of `b`: `[a.rows][b.rows]`, in float64.
 * cos(x, y) = x·y / (‖x‖ ‖y‖); a zero row has no direction and is refused.
 */
export function cosineMatrix(a: EmbeddingBatch, b: EmbeddingBatch): number[][] {
  checkBatch(a, 'first batch');
  checkBatch(b, 'second batch');
  const [rowsA, dim] = a.shape;
  const [rowsB, dimB] = b.shape;
  if (dim !== dimB)
    throw new Error(`embedding widths differ: ${dim} vs ${dimB}; both must come from one model`);
  const normsA = rowNorms(a, 'first batch');
  const normsB = rowNorms(b, 'second batch');
  const out: number[][] = [];
  for (let i = 0; i < rowsA; i++) {
    const row: number[] = [];
    for (let j = 0; j < rowsB; j++) {
      let dot = 0;
      for (let k = 0; k < dim; k++) dot += a.data[i * dim + k]! * b.data[j * dim + k]!;
      row.push(dot / (normsA[i]! * normsB[j]!));
    }
    out.push(row);
  }
  return out;
}

/** Mean of each row of a cosine matrix: for every `a` row, its mean similarity to all `b` rows. */
export function rowMeans(matrix: readonly (readonly number[])[]): number[] {
  return matrix.map((row) => row.reduce((s, v) => s + v, 0) / row.length);
}

/**
 * Mean cosine similarity over all (a_i, b_j) pairs. CLIP-I is this over (generated, reference) image
 * embeddings; CLIP-T over (generated image, prompt text) embeddings.
 */
export function meanPairwiseCosine(a: EmbeddingBatch, b: EmbeddingBatch): number {
  const means = rowMeans(cosineMatrix(a, b));
  return means.reduce((s, v) => s + v, 0) / means.length;
}
