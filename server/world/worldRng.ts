/**
 * The world's own seeded random stream (mulberry32 over a seed mixed with a stream index), so scenes,
 * captions and test degradations are identical on every machine. Sample `i` of a world uses stream `i`,
 * which makes it independent of how many samples come before it.
 */

const TWO_POW_32 = 4294967296;

/** Murmur3's 32-bit finaliser: a bijective avalanche mix. */
function mix32(value: number): number {
  let h = value >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function checkSeed(seed: number, what: string): void {
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new Error(`${what} ${seed} is not a non-negative integer; pass a whole number 0..2^53-1`);
  }
}

/** A deterministic random stream with the few draws the world needs. */
export class WorldRng {
  private state: number;

  /** `seed` and `stream`: whole numbers 0..2^53-1; each (seed, stream) pair is its own sequence. */
  constructor(seed: number, stream = 0) {
    checkSeed(seed, 'seed');
    checkSeed(stream, 'stream');
    const seedLo = seed >>> 0;
    const seedHi = Math.floor(seed / TWO_POW_32) >>> 0;
    const streamLo = stream >>> 0;
    const streamHi = Math.floor(stream / TWO_POW_32) >>> 0;
    this.state = mix32(mix32(mix32(seedLo ^ 0x9e3779b9) ^ seedHi) ^ mix32(streamLo + 0x7f4a7c15) ^ streamHi);
  }

  /** Next raw 32-bit unsigned integer (mulberry32). */
  nextUint32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform in [lo, hi). */
  uniform(lo = 0, hi = 1): number {
    return lo + (hi - lo) * (this.nextUint32() / TWO_POW_32);
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0) throw new Error(`int(n) needs a positive integer n, got ${n}`);
    return Math.floor(this.uniform() * n);
  }

  /** One element of a non-empty list, uniformly. */
  choice<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('choice() got an empty list; pass at least one item');
    return items[this.int(items.length)];
  }

  /** True with probability `p`. */
  bernoulli(p: number): boolean {
    return this.uniform() < p;
  }

  /** Standard normal (Box–Muller, one value per call). */
  normal(): number {
    const u = 1 - this.uniform(); // (0, 1]: log stays finite
    const v = this.uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}
