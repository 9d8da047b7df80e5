import { describe, expect, it } from 'vitest';
import { parsePlaceholderList, promptWithoutPlaceholders } from './placeholderText';

describe('prompt without placeholders (CLIP-T text)', () => {
  it.each([
    // the paper's convention: delete, keep the rest as it is
    { prompt: 'a photo of <cat-toy>', placeholders: ['<cat-toy>'], text: 'a photo of' },
    {
      prompt: 'a photo of <cat-toy> on the beach',
      placeholders: ['<cat-toy>'],
      text: 'a photo of on the beach',
    },
    { prompt: '<cat-toy>, oil painting', placeholders: ['<cat-toy>'], text: 'oil painting' },
    { prompt: 'a <cat-toy> , in the snow', placeholders: ['<cat-toy>'], text: 'a, in the snow' },
    // multi-vector names and several placeholders
    { prompt: 'a <tok> <tok>_1 next to <dog>', placeholders: ['<tok>', '<dog>'], text: 'a next to' },
    // a bare-word placeholder only matches whole words
    { prompt: 'a sks dog asks', placeholders: ['sks'], text: 'a dog asks' },
    // automatic: angle-bracket tokens and embedding:name references
    { prompt: 'a photo of <cat-toy> on the moon', placeholders: [], text: 'a photo of on the moon' },
    { prompt: 'embedding:cat_toy sitting, embedding:style.pt', placeholders: [], text: 'sitting' },
    // a placeholder that is not in the prompt changes nothing
    { prompt: 'a photo of a cat', placeholders: ['<cat-toy>'], text: 'a photo of a cat' },
  ])('$prompt → "$text"', ({ prompt, placeholders, text }) => {
    expect(promptWithoutPlaceholders(prompt, placeholders).text).toBe(text);
  });

  it('records what it removed, in order', () => {
    expect(promptWithoutPlaceholders('<a> and <b>_1 with <a>').removed).toEqual(['<a>', '<b>_1', '<a>']);
    expect(promptWithoutPlaceholders('x.y <tok> x.y', ['x.y']).removed).toEqual(['x.y', 'x.y']);
  });

  it('parses a typed placeholder list', () => {
    expect(parsePlaceholderList(' <cat-toy>, <dog>  sks ')).toEqual(['<cat-toy>', '<dog>', 'sks']);
    expect(parsePlaceholderList('   ')).toEqual([]);
  });
});
