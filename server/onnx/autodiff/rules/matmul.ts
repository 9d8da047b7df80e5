/**
 * Gradient rules for MatMul (numpy semantics: 1-D promotion, batch broadcasting) and Gemm.
 * dA = g·Bᵀ and dB = Aᵀ·g, reduced over broadcast batch axes; x·W with a 2-D W folds the batch into rows so
 * the weight gradient is one 2-D product instead of a batched product plus a ReduceSum.
 */
import { float } from '../../attributes';
import type { RuleContext } from '../ruleContext';
import type { GradientTable } from './types';

/** Swaps the last two axes. */
function swapLast(c: RuleContext, x: string, rank: number): string {
  const perm = [...Array(rank).keys()];
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1]!, perm[rank - 2]!];
  return c.transpose(x, perm);
}

function matmulGrads(c: RuleContext): [string | undefined, string | undefined] {
  const [a, b] = [c.input(0), c.input(1)];
  const ra = c.rank(a);
  const rb = c.rank(b);
  if (ra === undefined || rb === undefined) c.fail('the ranks of its inputs are unknown');
  const g = c.grad();
  if (ra === 1 || rb === 1) {
    // promote the vectors to matrices, differentiate, and drop the promoted axes again
    const a2 = ra === 1 ? c.unsqueeze(a, [0]) : a;
    const b2 = rb === 1 ? c.unsqueeze(b, [1]) : b;
    let g2 = g;
    if (ra === 1 && rb === 1) g2 = c.op('Reshape', [g, c.ints([1, 1])]);
    else if (ra === 1) g2 = c.unsqueeze(g, [-2]);
    else g2 = c.unsqueeze(g, [-1]);
    const da = c.needs(0)
      ? c.reshapeLike(c.reduceTo(c.op('MatMul', [g2, swapLast(c, b2, Math.max(rb, 2))]), a2), a)
      : undefined;
    const db = c.needs(1)
      ? c.reshapeLike(c.reduceTo(c.op('MatMul', [swapLast(c, a2, Math.max(ra, 2)), g2]), b2), b)
      : undefined;
    return [da, db];
  }
  if (ra === 2 && rb === 2) {
    // plain matrices: Gemm's transpose flags avoid materialising Aᵀ and Bᵀ
    return [
      c.needs(0) ? c.op('Gemm', [g, b], { transB: 1 }) : undefined,
      c.needs(1) ? c.op('Gemm', [a, g], { transA: 1 }) : undefined,
    ];
  }
  const da = c.needs(0) ? c.reduceTo(c.op('MatMul', [g, swapLast(c, b, rb)]), a) : undefined;
  let db: string | undefined;
  if (c.needs(1)) {
    const bDims = c.dims(b);
    if (rb === 2 && ra > 2 && bDims && typeof bDims[0] === 'number' && typeof bDims[1] === 'number') {
      // x[..., m, k]·W[k, n]: dW = Σ over rows of xᵀ·g = X₂ᵀ·G₂ with the batch folded into rows
      const x2 = c.op('Reshape', [a, c.ints([-1, bDims[0]])]);
      const g2 = c.op('Reshape', [g, c.ints([-1, bDims[1]])]);
      db = c.op('Gemm', [x2, g2], { transA: 1 });
    } else {
      db = c.reduceTo(c.op('MatMul', [swapLast(c, a, ra), g]), b);
    }
  }
  return [da, db];
}

export const matmulRules = {
  MatMul: { backward: (c) => matmulGrads(c) },
  Gemm: {
    backward(c) {
      // Y = α·op(A)·op(B) + β·C
      const [a, b, cIn] = [c.input(0), c.input(1), c.input(2)];
      const transA = c.attrInt('transA', 0);
      const transB = c.attrInt('transB', 0);
      const alpha = c.attrFloat('alpha', 1);
      const beta = c.attrFloat('beta', 1);
      const g = c.grad();
      // d op(A) = α·g·op(B)ᵀ; dA = transA ? (d op(A))ᵀ = α·op(B)·gᵀ : d op(A)
      const da = !c.needs(0)
        ? undefined
        : transA
          ? c.op('Gemm', [b, g], { alpha: float(alpha), transA: transB, transB: 1 })
          : c.op('Gemm', [g, b], { alpha: float(alpha), transB: transB ? 0 : 1 });
      // d op(B) = α·op(A)ᵀ·g; dB = transB ? α·gᵀ·op(A) : d op(B)
      const db = !c.needs(1)
        ? undefined
        : transB
          ? c.op('Gemm', [g, a], { alpha: float(alpha), transA: 1, transB: transA })
          : c.op('Gemm', [a, g], { alpha: float(alpha), transA: transA ? 0 : 1 });
      let dc: string | undefined;
      if (c.needs(2)) {
        const scaled = beta === 1 ? g : c.op('Mul', [g, c.constant(beta)]);
        dc = c.reduceTo(scaled, cIn, c.dims(c.output(0)));
      }
      return [da, db, dc];
    },
  },
} satisfies GradientTable;
