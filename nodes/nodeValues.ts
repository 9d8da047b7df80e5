/**
 * Runtime checks of the values SD nodes pass along (MODEL / CLIP / VAE, CONDITIONING, LATENT, NOISE,
 * EMBEDDING).
 * The engine checks declared types when wiring; these catch a value of the wrong shape with a message that
 * names the input.
 */
import type { TextualInversionEmbedding } from '../server/sd/embeddings/embeddingFile';
import { FrozenModel } from '../server/sd/model/frozenModel';
import type { Conditioning } from '../server/sd/model/promptEncoding';
import type { Latent, StartingNoise } from '../server/sd/model/sampling';

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value !== 'object') return typeof value;
  return value.constructor?.name ?? 'object';
}

/** A MODEL, CLIP or VAE value (all three are the checkpoint's `FrozenModel`). */
export function expectFrozenModel(value: unknown, input: string): FrozenModel {
  if (value instanceof FrozenModel) return value;
  throw new Error(
    `input "${input}" must come from a checkpoint loader (MODEL/CLIP/VAE), got ${describe(value)}`,
  );
}

/** A CONDITIONING value. */
export function expectConditioning(value: unknown, input: string): Conditioning {
  const c = value as Partial<Conditioning> | null;
  if (
    c &&
    typeof c === 'object' &&
    c.context?.data instanceof Float32Array &&
    Array.isArray(c.context.dims)
  ) {
    return c as Conditioning;
  }
  throw new Error(`input "${input}" must be CONDITIONING (from CLIPTextEncode), got ${describe(value)}`);
}

/** A LATENT value. */
export function expectLatent(value: unknown, input: string): Latent {
  const l = value as Partial<Latent> | null;
  if (
    l &&
    typeof l === 'object' &&
    l.samples instanceof Float32Array &&
    Array.isArray(l.shape) &&
    l.shape.length === 4
  ) {
    if (l.samples.length === l.shape.reduce((a, b) => a * b, 1)) return l as Latent;
  }
  throw new Error(`input "${input}" must be LATENT ({samples, shape [n, c, h, w]}), got ${describe(value)}`);
}

/** A NOISE value, generated for `shape` and checked to fill it. */
export function expectNoise(value: unknown, input: string, shape: readonly number[]): Float32Array {
  const n = value as Partial<StartingNoise> | null;
  if (!n || typeof n !== 'object' || typeof n.generate !== 'function') {
    throw new Error(
      `input "${input}" must be NOISE (an object with generate(shape)), got ${describe(value)}`,
    );
  }
  const noise = n.generate(shape);
  const count = shape.reduce((a, b) => a * b, 1);
  if (!(noise instanceof Float32Array) || noise.length !== count) {
    throw new Error(
      `input "${input}" gave ${noise instanceof Float32Array ? noise.length : describe(noise)} values for the latent shape [${shape.join(', ')}], which needs ${count}`,
    );
  }
  return noise;
}

function isEmbedding(value: unknown): value is TextualInversionEmbedding {
  const e = value as Partial<TextualInversionEmbedding> | null;
  return (
    !!e &&
    typeof e === 'object' &&
    typeof e.token === 'string' &&
    e.vectors instanceof Float32Array &&
    typeof e.dim === 'number' &&
    typeof e.numVectors === 'number'
  );
}

/**
 * An EMBEDDING value as a list: one `TextualInversionEmbedding`, a list of them, or an object holding them
 * under `embeddings` (an embedding file as read from disk).
 */
export function expectEmbeddings(value: unknown, input: string): TextualInversionEmbedding[] {
  if (value === undefined || value === null) return [];
  if (isEmbedding(value)) return [value];
  const list = Array.isArray(value) ? value : (value as { embeddings?: unknown }).embeddings;
  if (Array.isArray(list) && list.every(isEmbedding)) return [...list];
  throw new Error(`input "${input}" must be an EMBEDDING (token + vectors), got ${describe(value)}`);
}
