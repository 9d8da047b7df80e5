import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/** Every import of every file in this folder (the world must depend on nothing else of the project). */
function imports(): { file: string; specifier: string }[] {
  const dir = import.meta.dirname;
  return readdirSync(dir)
    .filter((file) => file.endsWith('.ts'))
    .flatMap((file) =>
      [
        ...readFileSync(path.join(dir, file), 'utf8').matchAll(/^(?:import|export)[^'"]*from\s+'([^']+)'/gm),
      ].map((match) => ({ file, specifier: match[1] })),
    );
}

describe('server/world', () => {
  it('imports only its own files, node built-ins and (in tests) vitest', () => {
    const all = imports();
    expect(all.length).toBeGreaterThan(20);
    const foreign = all.filter(
      ({ file, specifier }) =>
        !/^\.\/[A-Za-z]+$/.test(specifier) &&
        !specifier.startsWith('node:') &&
        !(file.endsWith('.test.ts') && specifier === 'vitest'),
    );
    expect(foreign).toEqual([]);
  });
});
