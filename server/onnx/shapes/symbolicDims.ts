/**
 * Symbolic tensor dimensions for static shape reasoning over graphs with dynamic axes (batch, height...).
 * A dimension is a number or a canonical product "c*a*b" of atoms: graph dim_params, or opaque but
 * deterministic expressions such as ⟨h+2⟩ — the same computation on the same dims yields the same atom,
 * so e.g. two stride-2 convolutions of one tensor are known to agree. Unknown dims get unique atoms.
 */

export type SymDim = number | string;

let unknownCounter = 0;

/** A dimension nothing is known about (equal only to itself). */
export function unknownDim(): SymDim {
  return `?${++unknownCounter}`;
}

/** An atom from a graph's dim_param (names with '*' are escaped so they stay one atom). */
export function namedDim(name: string): SymDim {
  return /^\d/.test(name) ? `$${name.replace(/\*/g, '×')}` : name.replace(/\*/g, '×');
}

/** True for atoms made by `unknownDim` or opaque expressions, i.e. not an input's dim_param. */
export function isPlainParam(d: SymDim): d is string {
  return typeof d === 'string' && !d.includes('*') && !d.startsWith('?') && !d.startsWith('⟨');
}

interface Monomial {
  readonly coef: number;
  readonly atoms: readonly string[];
}

function parse(d: SymDim): Monomial {
  if (typeof d === 'number') return { coef: d, atoms: [] };
  let coef = 1;
  const atoms: string[] = [];
  for (const part of d.split('*')) {
    if (/^\d+$/.test(part)) coef *= Number(part);
    else atoms.push(part);
  }
  return { coef, atoms };
}

function make(coef: number, atoms: readonly string[]): SymDim {
  if (atoms.length === 0 || coef === 0) return coef;
  const sorted = [...atoms].sort();
  return coef === 1 ? sorted.join('*') : `${coef}*${sorted.join('*')}`;
}

function opaque(kind: string, ...args: readonly (SymDim | number)[]): SymDim {
  return `⟨${kind}:${args.map((a) => String(a).replace(/\*/g, '·')).join(',')}⟩`;
}

export function dimMul(a: SymDim, b: SymDim): SymDim {
  const x = parse(a);
  const y = parse(b);
  return make(x.coef * y.coef, [...x.atoms, ...y.atoms]);
}

/** Integer (floor) division as in shape arithmetic; exact monomial quotients stay symbolic products. */
export function dimDiv(a: SymDim, b: SymDim): SymDim {
  if (typeof a === 'number' && typeof b === 'number') return b === 0 ? unknownDim() : Math.floor(a / b);
  const x = parse(a);
  const y = parse(b);
  const rest = [...x.atoms];
  for (const atom of y.atoms) {
    const i = rest.indexOf(atom);
    if (i < 0) return opaque('div', a, b);
    rest.splice(i, 1);
  }
  if (y.coef === 0 || x.coef % y.coef !== 0) return opaque('div', a, b);
  return make(x.coef / y.coef, rest);
}

export function dimAdd(a: SymDim, b: SymDim): SymDim {
  if (typeof a === 'number' && typeof b === 'number') return a + b;
  if (b === 0) return a;
  if (a === 0) return b;
  const [p, q] = [String(a), String(b)].sort();
  return opaque('add', p!, q!);
}

export function dimSub(a: SymDim, b: SymDim): SymDim {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (b === 0) return a;
  if (a === b) return 0;
  return opaque('sub', a, b);
}

/** An opaque but deterministic function of dims (e.g. a strided conv's output size). */
export function dimApply(kind: string, ...args: readonly SymDim[]): SymDim {
  return args.every((a) => typeof a === 'number') ? unknownDim() : opaque(kind, ...args);
}

export function dimProduct(dims: readonly SymDim[]): SymDim {
  return dims.reduce<SymDim>((acc, d) => dimMul(acc, d), 1);
}

/** Whether every dim is a number. */
export function allNumeric(dims: readonly SymDim[] | undefined): dims is number[] {
  return dims !== undefined && dims.every((d) => typeof d === 'number');
}

/**
 * The broadcast of two dims, or undefined when it cannot be known statically (two different symbols,
 * either of which might be 1 at run time).
 */
export function broadcastDim(a: SymDim, b: SymDim): SymDim | undefined {
  if (a === b) return a;
  if (a === 1) return b;
  if (b === 1) return a;
  if (typeof a === 'number' && typeof b === 'number') return undefined;
  // a number other than 1 fixes the result (the symbol must equal it, or be 1)
  if (typeof a === 'number') return a;
  if (typeof b === 'number') return b;
  return undefined;
}

/** The multidirectional broadcast of shapes; unknowable dims become fresh unknown atoms. */
export function broadcastShapes(shapes: readonly (readonly SymDim[])[]): SymDim[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out: SymDim[] = [];
  for (let i = 0; i < rank; i++) {
    let d: SymDim | undefined = 1;
    for (const s of shapes) {
      const k = i - (rank - s.length);
      if (k < 0 || d === undefined) continue;
      d = broadcastDim(d, s[k]!);
    }
    out.push(d ?? unknownDim());
  }
  return out;
}

export function formatDims(dims: readonly SymDim[] | undefined): string {
  return dims ? `[${dims.join(', ')}]` : '[?]';
}
