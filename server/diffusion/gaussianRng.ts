/**
 * Seeded random stream whose position can be saved and restored exactly (trainer resume).
 * Philox4x32-10 (Salmon et al. 2011, counter-based: block k is a pure function of (seed, k)) feeds
 * Box–Muller (two normals per block) and 53-bit uniforms (one block each). It is NOT torch's generator:
 * the same seed gives different numbers than torch.randn, so reproducibility holds within this studio only.
 */
import { z } from 'zod';
import { parseSeed, philoxBlock, philoxKey, uniform53 } from './philox';

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
    this.seed = parseSeed(seed);
    this.key = philoxKey(this.seed);
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

  /** The two normals of Box–Muller block `index` (uniforms with 53 random bits each). */
  private pair(index: number): [number, number] {
    const [x0, x1, x2, x3] = philoxBlock(this.key, index);
    // u1 in (0, 1] keeps log finite (adding 2^-53 is exact); u2 in [0, 1)
    const u1 = uniform53(x0, x1) + 2 ** -53;
    const u2 = uniform53(x2, x3);
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
    const [x0, x1] = philoxBlock(this.key, this.counter++);
    return uniform53(x0, x1);
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
