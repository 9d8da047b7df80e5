/**
 * Einsum equations parsed into per-operand label lists, with "..." expanded into numbered broadcast labels
 * (right-aligned, as numpy broadcasts them) and the implicit output ("ij,jk" means "ij,jk->ik") made explicit.
 */
export interface EinsumEquation {
  readonly inputs: readonly (readonly string[])[];
  readonly output: readonly string[];
}

const ELLIPSIS = '…';

export function parseEinsum(equation: string, ranks: readonly number[]): EinsumEquation {
  const eq = equation.replace(/\s+/g, '');
  const [lhs, rhs] = eq.split('->') as [string, string | undefined];
  const terms = lhs.split(',');
  if (terms.length !== ranks.length) {
    throw new Error(
      `einsum equation "${equation}" has ${terms.length} operands but the node has ${ranks.length} inputs`,
    );
  }
  const ellipsisRank = Math.max(
    0,
    ...terms.map((t, i) => (t.includes('...') ? ranks[i]! - t.replace('...', '').length : 0)),
  );
  const expand = (term: string, rank: number): string[] => {
    const [before, after] = term.includes('...')
      ? (term.split('...') as [string, string])
      : [term, undefined];
    if (after === undefined) return [...before];
    const e = rank - before.length - after.length;
    const dots = Array.from({ length: e }, (_, j) => `${ELLIPSIS}${ellipsisRank - e + j}`);
    return [...before, ...dots, ...after];
  };
  const inputs = terms.map((t, i) => expand(t, ranks[i]!));
  let output: string[];
  if (rhs !== undefined) {
    output = expand(
      rhs,
      rhs.length - (rhs.includes('...') ? 3 : 0) + (rhs.includes('...') ? ellipsisRank : 0),
    );
  } else {
    const counts = new Map<string, number>();
    for (const l of inputs.flat()) counts.set(l, (counts.get(l) ?? 0) + 1);
    const dots = Array.from({ length: ellipsisRank }, (_, j) => `${ELLIPSIS}${j}`);
    output = [
      ...dots,
      ...[...counts]
        .filter(([l, n]) => n === 1 && !l.startsWith(ELLIPSIS))
        .map(([l]) => l)
        .sort(),
    ];
  }
  return { inputs, output };
}

/** Writes label lists back as an equation; broadcast labels become "...". */
export function formatEinsum(inputs: readonly (readonly string[])[], output: readonly string[]): string {
  const term = (labels: readonly string[]): string => {
    let s = '';
    let dots = false;
    for (const l of labels) {
      if (l.startsWith(ELLIPSIS)) {
        if (!dots) s += '...';
        dots = true;
      } else s += l;
    }
    return s;
  };
  return `${inputs.map(term).join(',')}->${term(output)}`;
}

export function isBroadcastLabel(label: string): boolean {
  return label.startsWith(ELLIPSIS);
}
