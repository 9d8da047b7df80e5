/**
 * The Einsum gradient: for operand i, contract the output gradient with the other operands back to i's
 * labels ("out,others->term_i"). Labels that only operand i had were summed away in the forward pass, so
 * their gradient is broadcast back; repeated labels within one operand (diagonals) are not supported.
 */
import type { GradientTable } from './types';
import { formatEinsum, isBroadcastLabel, parseEinsum } from '../../shapes/einsumEquation';

export const einsumRules = {
  Einsum: {
    backward(c) {
      const ranks = c.node.input.map((x) => c.rank(x));
      if (ranks.some((r) => r === undefined)) c.fail('the ranks of its inputs are unknown');
      const eq = parseEinsum(c.attrString('equation', ''), ranks as number[]);
      for (const term of eq.inputs) {
        if (new Set(term).size !== term.length)
          c.fail('repeated labels within one operand (diagonals) are not supported');
      }
      const g = c.grad();
      return c.node.input.map((x, i) => {
        if (!c.needs(i)) return undefined;
        const term = eq.inputs[i]!;
        const others = eq.inputs.filter((_, k) => k !== i);
        const available = new Set([...eq.output, ...others.flat()]);
        let kept = term.filter((l) => available.has(l) || isBroadcastLabel(l));
        const broadcast = [...available].filter(isBroadcastLabel).sort();
        // onnxruntime wants "..." in the output when an input has it; the extra axes are reduced below
        if (broadcast.length && !kept.some(isBroadcastLabel)) kept = [...broadcast, ...kept];
        const names = [g, ...c.node.input.flatMap((_, k) => (k === i ? [] : [c.input(k)]))];
        let dx = c.op('Einsum', names, { equation: formatEinsum([eq.output, ...others], kept) });
        if (kept.length !== term.length) {
          // labels summed only within operand i: give them back as size-1 axes and broadcast
          const missing = term.flatMap((l, k) => (kept.includes(l) ? [] : [k]));
          dx = c.expandLike(c.unsqueeze(dx, missing), x);
        }
        return c.reduceTo(dx, x);
      });
    },
  },
} satisfies GradientTable;
