/**
 * Seeded random stream whose position can be saved and restored exactly (trainer resume).
 * Philox4x32-10 (Salmon et al. 2011, counter-based: block k is a pure function of (seed, k)) feeds
 * Box–Muller (two normals per block) and 53-bit uniforms (one block each). It is NOT torch's generator:
 * the same seed gives different numbers than torch.randn, so reproducibility holds within this studio only.
 */
import { z } from 'zod';

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;
const TWO_POW_32 = 4294967296;

/** High 32 bits of the 64-bit product of two uint32 values. */
function mulHi(a: number, b: number): number {
  const aHi = a >>> 16;
  const aLo = a & 0xffff;
  const bHi = b >>> 16;
  const bLo = b & 0xffff;
  const lolo = aLo * bLo;
  const lohi = aLo * bHi;
  const hilo = aHi * bLo;
  const carry = ((lolo >>> 16) + (lohi & 0xffff) + (hilo & 0xffff)) >>> 16;
  return (aHi * bHi + (lohi >>> 16) + (hilo >>> 16) + carry) >>> 0;
}

/** Philox4x32 with 10 rounds: four uint32 outputs for a 128-bit counter and 64-bit key. */
export function philox4x32(
  counter: readonly number[],
  key: readonly number[],
): [number, number, number, number] {
  let [c0, c1, c2, c3] = counter.map((v) => v >>> 0);
  let [k0, k1] = key.map((v) => v >>> 0);
  for (let round = 0; round < 10; round++) {
    const hi0 = mulHi(M0, c0);
    const lo0 = Math.imul(M0, c0) >>> 0;
    const hi1 = mulHi(M1, c2);
    const lo1 = Math.imul(M1, c2) >>> 0;
    [c0, c1, c2, c3] = [(hi1 ^ c1 ^ k0) >>> 0, lo1, (hi0 ^ c3 ^ k1) >>> 0, lo0];
    k0 = (k0 + W0) >>> 0;
    k1 = (k1 + W1) >>> 0;
  }
  return [c0, c1, c2, c3];
}

/** Serialisable generator state: the seed, the next unused block, and a pending second normal if any. */
export const gaussianRngStateSchema = z.object({
  algorithm: z.literal('philox4x32-10/box-muller'),
  /** Decimal string of the 64-bit seed (JSON-safe for seeds above 2^53). */
  seed: z.string().regex(/^\d+$/),
  /** Index of the next unused Philox block. */
  counter: z.number().int().nonnegative(),
  /** Block whose second Box–Muller normal has not been handed out yet, or null. */
  spareBlock: z.number().int().nonnegative().nullable(),
});
export type GaussianRngState = z.infer<typeof gaussianRngStateSchema>;

function toSeed(seed: number | bigint | string): bigint {
  let value = -1n;
  if (typeof seed === 'bigint') value = seed;
  else if (typeof seed === 'string' && /^\d+$/.test(seed)) value = BigInt(seed);
  else if (typeof seed === 'number' && Number.isSafeInteger(seed)) value = BigInt(seed);
  if (value < 0n || value >= 1n << 64n)
    throw new Error(`seed ${String(seed)} must be an integer in 0..2^64-1`);
  return value;
}

const TWO_POW_53 = 9007199254740992;

/**
 * A seeded random stream: standard normals (`normal`) and uniforms (`uniform`, `randomInt`), each drawn
 * from whole Philox blocks, so `state()` / `GaussianRng.fromState()` resume at exactly the same values
 * whatever mix of draws came before.
 */
export class GaussianRng {
  private readonly seed: bigint;
  private readonly key: [number, number];
  private counter = 0;
  private spareBlock: number | null = null;

  /** `seed`: any integer 0..2^64-1 (ComfyUI seeds are 64-bit). */
  constructor(seed: number | bigint | string) {
    this.seed = toSeed(seed);
    this.key = [Number(this.seed & 0xffffffffn), Number(this.seed >> 32n)];
  }

  /** Resumes a generator from a saved state. */
  static fromState(state: unknown): GaussianRng {
    const parsed = gaussianRngStateSchema.parse(state);
    const rng = new GaussianRng(parsed.seed);
    rng.counter = parsed.counter;
    rng.spareBlock = parsed.spareBlock;
    return rng;
  }

  /** The state to save; `fromState(state())` continues with the same numbers. */
  state(): GaussianRngState {
    return {
      algorithm: 'philox4x32-10/box-muller',
      seed: this.seed.toString(),
      counter: this.counter,
      spareBlock: this.spareBlock,
    };
  }

  private block(index: number): [number, number, number, number] {
    return philox4x32([index % TWO_POW_32, Math.floor(index / TWO_POW_32), 0, 0], this.key);
  }

  /** The two normals of Box–Muller block `index` (uniforms with 53 random bits each). */
  private pair(index: number): [number, number] {
    const [x0, x1, x2, x3] = this.block(index);
    // u1 in (0, 1] keeps log finite; u2 in [0, 1)
    const u1 = ((x0 >>> 5) * 67108864 + (x1 >>> 6) + 1) / TWO_POW_53;
    const u2 = ((x2 >>> 5) * 67108864 + (x3 >>> 6)) / TWO_POW_53;
    const r = Math.sqrt(-2 * Math.log(u1));
    const angle = 2 * Math.PI * u2;
    return [r * Math.cos(angle), r * Math.sin(angle)];
  }

  /** Fills a new Float32Array with `length` standard normals. */
  normal(length: number): Float32Array {
    const out = new Float32Array(length);
    for (let i = 0; i < length; i++) {
      if (this.spareBlock !== null) {
        out[i] = this.pair(this.spareBlock)[1];
        this.spareBlock = null;
      } else {
        const index = this.counter++;
        out[i] = this.pair(index)[0];
        this.spareBlock = index;
      }
    }
    return out;
  }

  /** One uniform number in [0, 1) with 53 random bits (one block). */
  uniform(): number {
    const [x0, x1] = this.block(this.counter++);
    return ((x0 >>> 5) * 67108864 + (x1 >>> 6)) / TWO_POW_53;
  }

  /** A uniform integer in [0, maxExclusive) (e.g. a training timestep, an image index, a flip). */
  randomInt(maxExclusive: number): number {
    if (!Number.isSafeInteger(maxExclusive) || maxExclusive < 1) {
      throw new Error(`randomInt needs a positive integer bound, got ${maxExclusive}`);
    }
    return Math.floor(this.uniform() * maxExclusive);
  }

  /** The generator as a NoiseSource for samplers. */
  readonly noise = (length: number): Float32Array => this.normal(length);
}
