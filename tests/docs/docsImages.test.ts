import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../server/config';
import { DOCS_IMAGES } from './docsImageList';

/** The docs/images/ files README.md shows, as markdown images or `<img src>`. */
function readmeImages(): string[] {
  const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  const refs = [...readme.matchAll(/!\[[^\]]*\]\(([^)\s]+)[^)]*\)|<img[^>]*\ssrc="([^"]+)"/g)].map(
    (m) => m[1] ?? m[2]!,
  );
  return refs.filter((ref) => ref.startsWith('docs/images/'));
}

describe('npm run docs:images', () => {
  it('writes exactly the images README.md shows', () => {
    expect([...new Set(readmeImages())].sort()).toEqual(Object.values(DOCS_IMAGES).sort());
  });

  it.each(Object.values(DOCS_IMAGES))('%s is committed', (file) => {
    expect(existsSync(path.join(repoRoot, file))).toBe(true);
  });
});
