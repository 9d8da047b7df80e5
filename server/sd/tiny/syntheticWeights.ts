/**
 * Synthetic weights at real size, fast: SD 1.5's 1.07 G parameters in seconds instead of the minutes of
 * `randomWeights` (Philox + Box–Muller, ~1 µs a value: 453 s measured). Each tensor is filled from its own
 * xorshift32 stream (seeded by the model seed and the tensor's name, so values do not depend on which tensors
 * are read or in what order) through a 65 536-entry table of normal quantiles scaled like `randomWeights`;
 * every 32-bit draw picks two values. The table exists in float32 and as float16 bit patterns, so an F16
 * checkpoint is written without a per-value conversion. For benchmarks and size tests, not for quality:
 * values are quantised to 65 536 levels and the tails stop at ±4.3σ.
 */
import { floatToHalf } from '../../onnx/dataTypes';
import type { ShapeTable } from '../weights/parameterShapes';
import { elementCount } from '../weights/safetensorsHeader';
import { missingWeight, type Float16WeightSource } from '../weights/weightSource';
import { scaleFor } from './randomWeights';

const LEVELS = 65536;
let quantiles: Float64Array | undefined;
const tables = new Map<string, { single: Float32Array; half: () => Uint16Array }>();

/** Φ⁻¹(p), Acklam's rational approximation (relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
  const a = [
    -39.6968302866538, 220.946098424521, -275.928510446969, 138.357751867269, -30.6647980661472,
    2.50662827745924,
  ];
  const b = [-54.4760987982241, 161.585836858041, -155.698979859887, 66.8013118877197, -13.2806815528857];
  const c = [
    -0.00778489400243029, -0.322396458041136, -2.40075827716184, -2.54973253934373, 4.37466414146497,
    2.93816398269878,
  ];
  const d = [0.00778469570904146, 0.32246712907004, 2.445134137143, 3.75440866190742];
  const tail = (q: number) =>
    (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
    ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  if (p < 0.02425) return tail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - 0.02425) return -tail(Math.sqrt(-2 * Math.log(1 - p)));
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
    (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
  );
}

/** Φ⁻¹((k + ½) / 65536) for every level k: symmetric, never exactly 0. */
function standardQuantiles(): Float64Array {
  quantiles ??= Float64Array.from({ length: LEVELS }, (_, k) => normalQuantile((k + 0.5) / LEVELS));
  return quantiles;
}

/** FNV-1a of the seed and name: the tensor's stream seed (never 0, which would stall xorshift). */
function streamSeed(seed: number, name: string): number {
  let h = 0x811c9dc5 ^ (seed | 0);
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h | 0 || 0x9e3779b9;
}

/** Fills `out` with `table[index]`, two 16-bit indices per xorshift32 draw. */
function fillFloat32(out: Float32Array, table: Float32Array, seed: number): void {
  let s = seed;
  const n = out.length;
  for (let i = 0; i < n; i += 2) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = table[s & 0xffff]!;
    if (i + 1 < n) out[i + 1] = table[(s >>> 16) & 0xffff]!;
  }
}

/** As `fillFloat32` with float16 bit patterns, the same draws; two values per 32-bit store (little-endian). */
function fillFloat16(out: Uint16Array, table: Uint16Array, seed: number): void {
  let s = seed;
  const pairs = out.length >>> 1;
  const words = new Uint32Array(out.buffer, out.byteOffset, pairs);
  for (let j = 0; j < pairs; j++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    words[j] = table[s & 0xffff]! | (table[(s >>> 16) & 0xffff]! << 16);
  }
  if (out.length & 1) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[out.length - 1] = table[s & 0xffff]!;
  }
}

/** Deterministic synthetic weights for every entry of `shapes`, generated on each read (nothing is held). */
export class SyntheticWeightSource implements Float16WeightSource {
  private readonly sorted: readonly string[];

  constructor(
    readonly label: string,
    private readonly shapes: ShapeTable,
    private readonly seed: number,
  ) {
    this.sorted = [...shapes.keys()].sort();
  }

  names(): readonly string[] {
    return this.sorted;
  }

  has(name: string): boolean {
    return this.shapes.has(name);
  }

  shape(name: string): readonly number[] {
    return this.shapes.get(name) ?? missingWeight(this.label, name);
  }

  dtype(): 'F32' {
    return 'F32';
  }

  /** The scaled quantile table of `name` (tables are shared by tensors of one initialisation). */
  private table(name: string): { single: Float32Array; half: () => Uint16Array } {
    const { mean, std } = scaleFor(name, this.shape(name));
    const key = `${mean}/${std}`;
    let entry = tables.get(key);
    if (!entry) {
      const q = standardQuantiles();
      const single = new Float32Array(LEVELS);
      for (let k = 0; k < LEVELS; k++) single[k] = mean + std * q[k]!;
      let half: Uint16Array | undefined;
      entry = {
        single,
        half: () => (half ??= Uint16Array.from(single, (v) => floatToHalf(v))),
      };
      tables.set(key, entry);
    }
    return entry;
  }

  read(name: string): Float32Array {
    const out = new Float32Array(elementCount(this.shape(name)));
    fillFloat32(out, this.table(name).single, streamSeed(this.seed, name));
    return out;
  }

  /** The same values as `read`, rounded to float16 bit patterns. */
  readFloat16(name: string): Uint16Array {
    const out = new Uint16Array(elementCount(this.shape(name)));
    fillFloat16(out, this.table(name).half(), streamSeed(this.seed, name));
    return out;
  }
}
