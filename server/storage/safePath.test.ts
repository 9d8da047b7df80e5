import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isSafeFileName, resolveInside } from './safePath';

describe('resolveInside', () => {
  const root = path.resolve('/srv/data/input');
  it.each([
    [['a.png'], path.join(root, 'a.png')],
    [['sub', 'a.png'], path.join(root, 'sub', 'a.png')],
    [['sub/../a.png'], path.join(root, 'a.png')],
    [[''], root],
    [['../input/a.png'], path.join(root, 'a.png')],
    [['..', 'a.png'], null],
    [['../input2/a.png'], null],
    [['/etc/passwd'], null],
    [['sub', '../../x'], null],
    [['a\0.png'], null],
  ])('%j → %s', (parts, expected) => {
    expect(resolveInside(root, ...parts)).toBe(expected);
  });
});

describe('isSafeFileName', () => {
  it.each([
    ['cat.png', true],
    ['my cat (1).png', true],
    ['..', false],
    ['.', false],
    ['', false],
    ['a/b.png', false],
    ['a\\b.png', false],
    ['C:evil', false],
    ['x'.repeat(256), false],
  ])('%s → %s', (name, ok) => expect(isSafeFileName(name)).toBe(ok));
});
