import { describe, expect, it } from 'vitest';
import { cleanText, fixText, splitForBpe } from './clipTextCleaning';
import { htmlUnescape } from './htmlUnescape';

describe('htmlUnescape (Python html.unescape rules)', () => {
  it.each([
    ['tokens &amp; entities &lt;b&gt;', 'tokens & entities <b>'],
    ['&quot;q&quot; &apos;a&apos;', `"q" 'a'`],
    ['caf&eacute; &Eacute;t&eacute;', 'café Été'],
    ['&#65;&#x42;&#X63;', 'ABc'],
    ['&#128;&#150;', '€–'],
    ['&#0;&#xD800;&#1114112;', '\ufffd\ufffd\ufffd'],
    ['&#1;x', 'x'],
    ['&ampfoo &copy2024', '&foo ©2024'],
    ['&hellip; &hellip &unknown; & alone', '… &hellip &unknown; & alone'],
    ['&alpha;&Omega;&euro;', 'αΩ€'],
  ])('%j → %j', (input, output) => expect(htmlUnescape(input)).toBe(output));
});

describe('CLIP text cleaning', () => {
  it('applies the ftfy subset: NFC, straight quotes, ligatures, full-width ASCII', () => {
    expect(fixText('cafe\u0301 \u2018hi\u2019 \u201cyo\u201d \ufb01ne \uff21\uff11\u3000x')).toBe(
      'café \'hi\' "yo" fine A1 x',
    );
  });

  it('unescapes twice, collapses whitespace and strips', () => {
    expect(cleanText('  a&amp;amp;b \t\n c  ')).toBe('a&b c');
  });

  it('splits as OpenAI CLIP does', () => {
    expect(splitForBpe("It's 3.5 <|endoftext|> C++!!  Naïve")).toEqual([
      'it',
      "'s",
      '3',
      '.',
      '5',
      '<|endoftext|>',
      'c',
      '++!!',
      'naïve',
    ]);
  });
});
