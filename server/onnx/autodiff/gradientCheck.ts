/**
 * Finite-difference checking of vjp models on onnxruntime: the analytic gradient of ⟨c, f(x)⟩ for a random
 * cotangent c against central differences (f(x + εeᵢ) - f(x - εeᵢ)) / 2ε of every element, or along random
 * directions for large inputs. Used by the rule and chain tests, and handy when writing a new rule.
 */
import type { ModelProto } from '../proto';
import { createSession, ort } from '../sessions';
import { vjp, type VjpOptions } from './vjp';

export type FloatArray = Float32Array | Float64Array;
export type Feed = ort.Tensor;

export interface GradientCheckOptions {
  readonly of: readonly string[];
  readonly wrt: readonly string[];
  /** Step of the central differences. */
  readonly eps: number;
  /** Check only these many random directions per wrt tensor instead of every element. */
  readonly directions?: number;
  readonly seed?: number;
  /** Folder external data of `model` is relative to. */
  readonly sourceDir?: string;
  readonly vjpOptions?: Partial<VjpOptions>;
}

export interface GradientComparison {
  readonly wrt: string;
  /** Analytic and numeric values: whole gradients, or directional derivatives per direction. */
  readonly analytic: Float64Array;
  readonly numeric: Float64Array;
  /** max |analytic - numeric| / max(1e-12, max |numeric|). */
  readonly relativeError: number;
  /** max |numeric|, to see that the check is not comparing zeros. */
  readonly scale: number;
}

/** A seeded normal random generator (mulberry32 + Box–Muller). */
export function normalRandom(seed: number): () => number {
  let s = seed >>> 0;
  const uniform = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function withData(t: Feed, data: FloatArray): Feed {
  return new ort.Tensor(t.type as 'float32', data as Float32Array, t.dims);
}

/** Compares vjp(model) with central differences of ⟨c, outputs⟩ on onnxruntime's CPU provider. */
export async function checkGradients(
  model: ModelProto,
  feeds: Record<string, Feed>,
  options: GradientCheckOptions,
): Promise<GradientComparison[]> {
  const random = normalRandom(options.seed ?? 7);
  // onnxruntime's extended optimisations fuse Transpose+MatMul into a float-only contrib kernel even for
  // double graphs, so double models run with basic optimisations
  const optimization = Object.values(feeds).some((f) => f.type === 'float64') ? 'basic' : 'all';
  const sessionOptions = { provider: 'cpu', threads: 1, sourceDir: options.sourceDir, optimization } as const;
  const forward = await createSession(model, sessionOptions, 'forward');
  const grads = vjp(model, { of: options.of, wrt: options.wrt, ...options.vjpOptions });
  const backward = await createSession(grads, sessionOptions, 'vjp');
  try {
    const base = await forward.run(feeds, options.of);
    const cotangents: Record<string, Feed> = {};
    for (const o of options.of) {
      const y = base[o]!;
      const data = y.type === 'float64' ? new Float64Array(y.size) : new Float32Array(y.size);
      for (let i = 0; i < data.length; i++) data[i] = random();
      cotangents[o] = withData(y, data);
    }
    const cotangentFeeds = Object.fromEntries(options.of.map((o) => [`grad_${o}`, cotangents[o]!]));
    const result = await backward.run(
      { ...feeds, ...cotangentFeeds },
      options.wrt.map((w) => `grad_${w}`),
    );
    const loss = async (f: Record<string, Feed>): Promise<number> => {
      const out = await forward.run(f, options.of);
      return options.of.reduce(
        (s, o) => s + dot(out[o]!.data as FloatArray, cotangents[o]!.data as FloatArray),
        0,
      );
    };
    const comparisons: GradientComparison[] = [];
    for (const w of options.wrt) {
      const analyticFull = Float64Array.from(result[`grad_${w}`]!.data as FloatArray);
      comparisons.push(await compare(w, feeds, analyticFull, loss, options, random));
    }
    return comparisons;
  } finally {
    await forward.release();
    await backward.release();
  }
}

async function compare(
  w: string,
  feeds: Record<string, Feed>,
  analyticFull: Float64Array,
  loss: (f: Record<string, Feed>) => Promise<number>,
  options: GradientCheckOptions,
  random: () => number,
): Promise<GradientComparison> {
  const x = feeds[w];
  if (!x) throw new Error(`checkGradients: wrt "${w}" must be a fed input`);
  const x0 = x.data as FloatArray;
  const make = (): FloatArray => (x.type === 'float64' ? new Float64Array(x0) : new Float32Array(x0));
  const step = async (direction: (i: number) => number, sign: number): Promise<number> => {
    const data = make();
    for (let i = 0; i < data.length; i++) data[i] = x0[i]! + sign * options.eps * direction(i);
    return loss({ ...feeds, [w]: withData(x, data) });
  };
  const central = async (direction: (i: number) => number): Promise<number> =>
    ((await step(direction, 1)) - (await step(direction, -1))) / (2 * options.eps);

  let analytic: Float64Array;
  let numeric: Float64Array;
  if (options.directions) {
    analytic = new Float64Array(options.directions);
    numeric = new Float64Array(options.directions);
    for (let d = 0; d < options.directions; d++) {
      const v = Float64Array.from({ length: x0.length }, random);
      analytic[d] = dot(analyticFull, v);
      numeric[d] = await central((i) => v[i]!);
    }
  } else {
    analytic = analyticFull;
    numeric = new Float64Array(x0.length);
    for (let j = 0; j < x0.length; j++) numeric[j] = await central((i) => (i === j ? 1 : 0));
  }
  let err = 0;
  let scale = 1e-12;
  for (let i = 0; i < numeric.length; i++) {
    err = Math.max(err, Math.abs(analytic[i]! - numeric[i]!));
    scale = Math.max(scale, Math.abs(numeric[i]!));
  }
  return { wrt: w, analytic, numeric, relativeError: err / scale, scale };
}
