/**
 * The seeded randomness of a training run in one saveable object: standard normals (latent samples,
 * noise) from H3's Philox/Box–Muller `GaussianRng`, and uniforms (timesteps, image order, templates, flips)
 * from a second Philox stream of the same key. Its state is two counters, so a checkpoint can resume the
 * exact sequence.
 */
import { z } from 'zod';
import { GaussianRng, gaussianRngStateSchema, philox4x32 } from '../gaussianRng';

const TWO_POW_32 = 4294967296;
/** Third counter word of the uniform stream; the Gaussian stream uses 0, so the two never share a block. */
const UNIFORM_STREAM = 0x5eed;

/** Saved state of a `TrainingRng`. */
export const trainingRngStateSchema = z.object({
  normal: gaussianRngStateSchema,
  uniformPosition: z.number().int().nonnegative(),
});
export type TrainingRngState = z.infer<typeof trainingRngStateSchema>;

/** Normals and uniforms from one seed, resumable from `state()`. */
export class TrainingRng {
  private gaussian: GaussianRng;
  private readonly key: [number, number];
  private uniformPosition = 0;

  constructor(seed: number | bigint | string) {
    this.gaussian = new GaussianRng(seed);
    const s = BigInt(this.gaussian.state().seed);
    this.key = [Number(s & 0xffffffffn), Number(s >> 32n)];
  }

  /** Resumes from a saved state. */
  static fromState(state: unknown): TrainingRng {
    const parsed = trainingRngStateSchema.parse(state);
    const rng = new TrainingRng(parsed.normal.seed);
    rng.gaussian = GaussianRng.fromState(parsed.normal);
    rng.uniformPosition = parsed.uniformPosition;
    return rng;
  }

  state(): TrainingRngState {
    return { normal: this.gaussian.state(), uniformPosition: this.uniformPosition };
  }

  /** `length` standard normals. */
  normal(length: number): Float32Array {
    return this.gaussian.normal(length);
  }

  /** A uniform number in [0, 1) with 53 random bits. */
  uniform(): number {
    const block = this.uniformPosition++;
    const [x0, x1] = philox4x32([block % TWO_POW_32, Math.floor(block / TWO_POW_32), UNIFORM_STREAM, 0], this.key);
    return ((x0 >>> 5) * 67108864 + (x1 >>> 6)) / 9007199254740992;
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    if (!Number.isInteger(n) || n < 1) throw new Error(`random integer range must be a positive integer, got ${n}`);
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
