import { describe, expect, it } from 'vitest';
import { ClipTokenizer } from './clipTokenizer';
import { buildTinyVocabulary } from './tinyVocabulary';

const vocab = buildTinyVocabulary();

describe('ClipTokenizer', () => {
  it('adds placeholders after the vocabulary and expands multi-vector ones', () => {
    const t = new ClipTokenizer(vocab);
    const cat = t.tokenize('cat');
    expect(t.addPlaceholder('<tiny-cat>')).toEqual([1000]);
    expect(t.addPlaceholder('<sty>', 2)).toEqual([1001, 1002]);
    expect(t.size).toBe(1003);
    expect(t.placeholderIds('<sty>')).toEqual([1001, 1002]);
    expect(t.tokenize('<tiny-cat>cat <sty>')).toEqual([1000, ...cat, 1001, 1002]);
    expect(t.tokenize('<TINY-CAT>')).not.toContain(1000);
    expect(t.idOf('<sty>_1')).toBe(1002);
  });

  it.each([
    ['<|endoftext|>', /already in the vocabulary \(id 999\)/],
    ['a', /token "a" is already in the vocabulary \(id 64\)/],
    ['my token', /must be non-empty and contain no whitespace/],
  ])('refuses the placeholder %j', (token, message) => {
    expect(() => new ClipTokenizer(vocab).addPlaceholder(token)).toThrow(message);
  });

  it('refuses a placeholder whose numbered vector name is taken', () => {
    const t = new ClipTokenizer(vocab);
    t.addPlaceholder('<x>_1');
    expect(() => t.addPlaceholder('<x>', 2)).toThrow(
      /token "<x>_1" is already in the vocabulary \(id 1000\)/,
    );
  });

  it('truncates to maxLength − 2 content tokens and pads with the configured token', () => {
    const t = new ClipTokenizer(vocab, { maxLength: 8, padToken: '!' });
    const a = t.tokenize('a')[0]!;
    expect(t.encode('a a').ids).toEqual([998, a, a, 999, 0, 0, 0, 0]);
    const long = t.encode('a a a a a a a a a');
    expect(long).toEqual({ ids: [998, a, a, a, a, a, a, 999], length: 6, eosIndex: 7, truncated: true });
    expect([...t.encodeBatch(['', 'a'])]).toEqual([998, 999, 0, 0, 0, 0, 0, 0, 998, a, 999, 0, 0, 0, 0, 0]);
  });

  it('refuses a pad token outside the vocabulary', () => {
    expect(() => new ClipTokenizer(vocab, { padToken: '<pad>' })).toThrow(
      /pad token "<pad>" is not in the vocabulary/,
    );
  });
});
