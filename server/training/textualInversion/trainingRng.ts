/**
 * The seeded randomness of a training run in one saveable object, from counter-based Philox4x32-10 streams
 * of one key (the 64-bit seed): standard normals (latent samples, noise) and uniforms (timesteps, image
 * order, templates, flips). Its state is the seed and two counters, so a checkpoint resumes the exact
 * sequence. Normals take 4 per Philox block (Box–Muller on 32-bit uniforms): a training step draws
 * thousands, and this keeps them a small part of the step (samplers use `GaussianRng`, 53-bit uniforms).
 */
import { z } from 'zod';
import { parseSeed, philoxBlock, philoxKey, uniform53 } from '../../diffusion/philox';

const TWO_POW_32 = 4294967296;
/** Third counter word of each stream, so the two never share a block. */
const NORMAL_STREAM = 0x6a55;
const UNIFORM_STREAM = 0x5eed;

/** Saved state of a `TrainingRng`. */
export const trainingRngStateSchema = z.object({
  algorithm: z.literal('philox4x32-10/training'),
  /** Decimal string of the 64-bit seed. */
  seed: z.string().regex(/^\d+$/),
  /** Normals drawn so far. */
  normalPosition: z.number().int().nonnegative(),
  /** Uniforms drawn so far. */
  uniformPosition: z.number().int().nonnegative(),
});
export type TrainingRngState = z.infer<typeof trainingRngStateSchema>;

/** Normals and uniforms from one seed, resumable from `state()`. */
export class TrainingRng {
  private readonly seed: string;
  private readonly key: [number, number];
  private normalPosition = 0;
  private uniformPosition = 0;
  /** The 4 normals of the current block. */
  private readonly block = new Float64Array(4);
  private blockIndex = -1;

  /** `seed`: an integer 0..2^64-1. */
  constructor(seed: number | bigint | string) {
    const parsed = parseSeed(seed);
    this.seed = parsed.toString();
    this.key = philoxKey(parsed);
  }

  /** Resumes from a saved state. */
  static fromState(state: unknown): TrainingRng {
    const parsed = trainingRngStateSchema.parse(state);
    const rng = new TrainingRng(parsed.seed);
    rng.normalPosition = parsed.normalPosition;
    rng.uniformPosition = parsed.uniformPosition;
    return rng;
  }

  state(): TrainingRngState {
    return {
      algorithm: 'philox4x32-10/training',
      seed: this.seed,
      normalPosition: this.normalPosition,
      uniformPosition: this.uniformPosition,
    };
  }

  private fillBlock(index: number): void {
    const [x0, x1, x2, x3] = philoxBlock(this.key, index, NORMAL_STREAM);
    // u in (0, 1] keeps the log finite; v in [0, 1)
    const r0 = Math.sqrt(-2 * Math.log((x0 + 1) / TWO_POW_32));
    const a0 = (2 * Math.PI * x1) / TWO_POW_32;
    const r1 = Math.sqrt(-2 * Math.log((x2 + 1) / TWO_POW_32));
    const a1 = (2 * Math.PI * x3) / TWO_POW_32;
    this.block[0] = r0 * Math.cos(a0);
    this.block[1] = r0 * Math.sin(a0);
    this.block[2] = r1 * Math.cos(a1);
    this.block[3] = r1 * Math.sin(a1);
    this.blockIndex = index;
  }

  /** `length` standard normals. */
  normal(length: number): Float32Array {
    const out = new Float32Array(length);
    for (let i = 0; i < length; i++) {
      const index = Math.floor(this.normalPosition / 4);
      if (index !== this.blockIndex) this.fillBlock(index);
      out[i] = this.block[this.normalPosition % 4]!;
      this.normalPosition++;
    }
    return out;
  }

  /** A uniform number in [0, 1) with 53 random bits. */
  uniform(): number {
    const [x0, x1] = philoxBlock(this.key, this.uniformPosition++, UNIFORM_STREAM);
    return uniform53(x0, x1);
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    if (!Number.isInteger(n) || n < 1)
      throw new Error(`random integer range must be a positive integer, got ${n}`);
    return Math.min(n - 1, Math.floor(this.uniform() * n));
  }

  /** A random permutation of 0..n-1 (Fisher–Yates). */
  permutation(n: number): number[] {
    const order = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    return order;
  }
}
