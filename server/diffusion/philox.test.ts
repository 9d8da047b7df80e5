import { describe, expect, it } from 'vitest';
import { parseSeed, philox4x32, philoxKey } from './philox';

describe('philox4x32-10', () => {
  // Known-answer vectors of the Random123 reference (kat_vectors, philox4x32_10)
  it.each([
    [
      [0, 0, 0, 0],
      [0, 0],
      [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8],
    ],
    [
      [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff],
      [0xffffffff, 0xffffffff],
      [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd],
    ],
    [
      [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344],
      [0xa4093822, 0x299f31d0],
      [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1],
    ],
  ])('counter %j key %j', (counter, key, expected) => {
    expect(philox4x32(counter, key)).toEqual(expected);
  });
});

describe('seeds', () => {
  it.each([
    [0, 0n],
    ['18446744073709551615', 2n ** 64n - 1n],
    [2n ** 40n + 3n, 2n ** 40n + 3n],
  ])('parses %s', (seed, expected) => {
    expect(parseSeed(seed)).toBe(expected);
  });

  it.each([-1, 1.5, '2^64', 2n ** 64n])('rejects %s', (seed) => {
    expect(() => parseSeed(seed)).toThrow(`seed ${String(seed)} must be an integer in 0..2^64-1`);
  });

  it('keys Philox with the low and high words of the seed', () => {
    expect(philoxKey(0x1234567889abcdefn)).toEqual([0x89abcdef, 0x12345678]);
  });
});
