import { describe, expect, it } from 'vitest';
import { curvePrompts, promptLines } from './curvePrompts';

describe('curve prompts', () => {
  it('keeps the non-empty lines, trimmed', () => {
    expect(promptLines('  a {token}\r\n\n\tb {token} \n')).toEqual(['a {token}', 'b {token}']);
  });

  it('puts the token where {token} is and accepts the token written out', () => {
    expect(
      curvePrompts('a photo of {token}\n{token} and {token}\na <my-toy> on a beach', '<my-toy>'),
    ).toEqual(['a photo of <my-toy>', '<my-toy> and <my-toy>', 'a <my-toy> on a beach']);
  });

  it.each([
    ['\n  \n', 'prompts is empty; write one prompt a line with {token}'],
    ['a {token}\na photo of a cat', 'prompt "a photo of a cat" names neither {token} nor "sks"'],
    // the token as a whole word only: "asks" does not use "sks"
    ['he asks', 'prompt "he asks" names neither {token} nor "sks"'],
  ])('refuses %j', (text, message) => {
    expect(() => curvePrompts(text, 'sks')).toThrow(message);
  });
});
