import { describe, expect, it } from 'vitest';
import { COLOUR_NAMES, hasContrast, nearestColour, PALETTE, rgbDistance } from './palette';

describe('palette', () => {
  it('keeps every pair of colours at least 0.43 apart', () => {
    let closest = Infinity;
    for (const a of COLOUR_NAMES) {
      for (const b of COLOUR_NAMES)
        if (a !== b) closest = Math.min(closest, rgbDistance(PALETTE[a], PALETTE[b]));
    }
    expect(closest).toBeCloseTo(0.4317, 4); // orange–yellow
  });

  it('rules out only the low-contrast pairs as shape on background', () => {
    const clashes = COLOUR_NAMES.flatMap((a) =>
      COLOUR_NAMES.filter((b) => a < b && !hasContrast(a, b)).map((b) => `${a}/${b}`),
    );
    expect(clashes).toEqual(['orange/red', 'orange/yellow']);
  });

  it('finds the nearest colour, optionally excluding one', () => {
    expect(nearestColour([0.8, 0.1, 0.1])).toBe('red');
    expect(nearestColour([0.8, 0.1, 0.1], 'red')).toBe('orange');
  });
});
