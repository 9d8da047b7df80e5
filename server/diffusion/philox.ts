/**
 * The counter-based core of the studio's random streams (`GaussianRng` for samplers, `TrainingRng` for
 * training): Philox4x32-10 (Salmon et al. 2011; block k is a pure function of (seed, k), so a stream
 * resumes from a counter), the 64-bit seed as its key, and 53-bit uniforms from two block words.
 */

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;
const TWO_POW_32 = 4294967296;
const TWO_POW_53 = 9007199254740992;

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

/** A seed as a 64-bit integer; throws unless it is an integer in 0..2^64-1 (number, bigint or digits). */
export function parseSeed(seed: number | bigint | string): bigint {
  let value = -1n;
  if (typeof seed === 'bigint') value = seed;
  else if (typeof seed === 'string' && /^\d+$/.test(seed)) value = BigInt(seed);
  else if (typeof seed === 'number' && Number.isSafeInteger(seed)) value = BigInt(seed);
  if (value < 0n || value >= 1n << 64n)
    throw new Error(`seed ${String(seed)} must be an integer in 0..2^64-1`);
  return value;
}

/** The Philox key of a 64-bit seed: its low and high 32-bit words. */
export function philoxKey(seed: bigint): [number, number] {
  return [Number(seed & 0xffffffffn), Number(seed >> 32n)];
}

/** Block `index` (up to 2^53) of stream `stream` (the third counter word) under `key`. */
export function philoxBlock(
  key: readonly number[],
  index: number,
  stream = 0,
): [number, number, number, number] {
  return philox4x32([index % TWO_POW_32, Math.floor(index / TWO_POW_32), stream, 0], key);
}

/** A uniform in [0, 1) with 53 random bits: the top 27 bits of `x0` and the top 26 of `x1`. */
export function uniform53(x0: number, x1: number): number {
  return ((x0 >>> 5) * 67108864 + (x1 >>> 6)) / TWO_POW_53;
}
