import { describe, expect, it } from 'vitest';
import { cosineMatrix, embeddingRows, meanPairwiseCosine, rowMeans } from './cosineAverages';

describe('cosine averages', () => {
  it('computes the cosine of every pair, independent of row length', () => {
    const a = embeddingRows([
      [1, 0],
      [0, 2],
    ]);
    const b = embeddingRows([
      [3, 3],
      [-1, 0],
      [0, 5],
    ]);
    const m = cosineMatrix(a, b);
    const r = Math.SQRT1_2;
    expect(m[0]![0]).toBeCloseTo(r, 12);
    expect(m[0]![1]).toBeCloseTo(-1, 12);
    expect(m[0]![2]).toBeCloseTo(0, 12);
    expect(m[1]![0]).toBeCloseTo(r, 12);
    expect(m[1]![1]).toBeCloseTo(0, 12);
    expect(m[1]![2]).toBeCloseTo(1, 12);
    expect(rowMeans(m).map((v) => Number(v.toFixed(12)))).toEqual([
      Number(((r - 1) / 3).toFixed(12)),
      Number(((r + 1) / 3).toFixed(12)),
    ]);
  });

  it.each([
    // identical directions → 1
    { a: [[1, 2, 2]], b: [[2, 4, 4]], mean: 1 },
    // one generated vs two references: (1 + 0) / 2
    {
      a: [[0, 1]],
      b: [
        [0, 1],
        [1, 0],
      ],
      mean: 0.5,
    },
    // 2 × 2 pairs: cos = 1, -1, 0.6, -0.6 → mean 0
    {
      a: [
        [1, 0],
        [-1, 0],
      ],
      b: [
        [1, 0],
        [0.6, 0.8],
      ],
      mean: 0,
    },
    // 2 generated vs one prompt: (0.8 + 0.6) / 2
    {
      a: [
        [4, 3],
        [3, 4],
      ],
      b: [[1, 0]],
      mean: 0.7,
    },
  ])('mean over all pairs of $a and $b is $mean', ({ a, b, mean }) => {
    expect(meanPairwiseCosine(embeddingRows(a), embeddingRows(b))).toBeCloseTo(mean, 12);
  });

  it('refuses empty batches, mismatched widths and zero rows with the reason', () => {
    const one = embeddingRows([[1, 0]]);
    expect(() => meanPairwiseCosine(embeddingRows([]), one)).toThrow(/first batch: the batch is empty/);
    expect(() => meanPairwiseCosine(one, embeddingRows([[1, 0, 0]]))).toThrow(/widths differ: 2 vs 3/);
    expect(() => meanPairwiseCosine(one, embeddingRows([[0, 0]]))).toThrow(
      /second batch: row 0 has no length/,
    );
    expect(() => embeddingRows([[1, 2], [3]])).toThrow(/row 1 has 1 values, row 0 has 2/);
  });
});
