import { describe, expect, it } from 'vitest';
import {
  bfloat16ToFloat32,
  bytesToFloat32,
  float16ToFloat32,
  float32ToBfloat16,
  float32ToFloat16,
} from './tensorDtypes';

describe('float16', () => {
  it.each([
    [0x0000, 0],
    [0x3c00, 1],
    [0xc000, -2],
    [0x3555, 0.333251953125],
    [0x7bff, 65504],
    [0x0001, 2 ** -24],
    [0x03ff, 1023 * 2 ** -24],
    [0x0400, 2 ** -14],
    [0x7c00, Infinity],
    [0xfc00, -Infinity],
  ])('bits %i decode to %f', (bits, value) => {
    expect(float16ToFloat32(Uint16Array.of(bits))[0]).toBe(value);
  });

  it('decodes NaN and keeps -0', () => {
    const out = float16ToFloat32(Uint16Array.of(0x7e00, 0x8000));
    expect(Number.isNaN(out[0])).toBe(true);
    expect(Object.is(out[1], -0)).toBe(true);
  });

  it('every finite half survives float16 → float32 → float16 exactly', () => {
    const all = new Uint16Array(65536).map((_, i) => i);
    const back = float32ToFloat16(float16ToFloat32(all));
    let mismatches = 0;
    for (let h = 0; h < 65536; h++) {
      const isNaN = (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;
      if (!isNaN && back[h] !== h) mismatches++;
    }
    expect(mismatches).toBe(0);
  });

  it.each([
    // halfway between 1 and 1+2^-10 rounds to even (1); just above rounds up
    [1 + 2 ** -11, 0x3c00],
    [1 + 2 ** -11 + 2 ** -20, 0x3c01],
    // halfway between 1+2^-10 and 1+2^-9 rounds to even (1+2^-9)
    [1 + 3 * 2 ** -11, 0x3c02],
    [65520, 0x7c00],
    [65519, 0x7bff],
    [2 ** -25, 0x0000],
    [2 ** -25 + 2 ** -35, 0x0001],
    [3 * 2 ** -25, 0x0002],
    [1e-10, 0x0000],
    [-1e10, 0xfc00],
  ])('float32 %f rounds to half bits %i (nearest even)', (value, bits) => {
    expect(float32ToFloat16([value])[0]).toBe(bits);
  });

  it('maps NaN to a half NaN', () => {
    const bits = float32ToFloat16([NaN])[0]!;
    expect(bits & 0x7c00).toBe(0x7c00);
    expect(bits & 0x3ff).not.toBe(0);
  });
});

describe('bfloat16', () => {
  it('is the top half of a float32, rounded to nearest even', () => {
    expect([...float32ToBfloat16([1, -2.5, 1 + 2 ** -8, 1 + 3 * 2 ** -8, 1 + 2 ** -8 + 2 ** -20])]).toEqual([
      0x3f80, 0xc020, 0x3f80, 0x3f82, 0x3f81,
    ]);
    expect([...bfloat16ToFloat32(Uint16Array.of(0x3f80, 0xc020, 0x3f81))]).toEqual([1, -2.5, 1 + 2 ** -7]);
  });
});

describe('bytesToFloat32', () => {
  it('widens integer and float types from unaligned bytes', () => {
    const raw = new Uint8Array(1 + 8);
    new DataView(raw.buffer).setFloat64(1, -0.125, true);
    expect([...bytesToFloat32('F64', raw.subarray(1))]).toEqual([-0.125]);
    const ints = new Uint8Array(new BigInt64Array([-3n, 7n]).buffer);
    expect([...bytesToFloat32('I64', ints)]).toEqual([-3, 7]);
    const i32 = new Uint8Array(2 + 8);
    i32.set(new Uint8Array(Int32Array.of(-5, 9).buffer), 2);
    expect([...bytesToFloat32('I32', i32.subarray(2))]).toEqual([-5, 9]);
  });
});
