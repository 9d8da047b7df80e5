import { describe, expect, it } from 'vitest';
import { nextFreeCandidate } from './uniqueFile';

describe('nextFreeCandidate', () => {
  it.each([
    ['p_00001_.png', 0, 'p_00001_.png'],
    ['p_00001_.png', 2, 'p_00003_.png'],
    ['cats/tabby_00009_.png', 1, 'cats/tabby_00010_.png'],
    ['scores.json', 1, 'scores_00001.json'],
  ])('%s, candidate %i → %s', (name, n, expected) => {
    expect(nextFreeCandidate(name, n)).toBe(expected);
  });
});
