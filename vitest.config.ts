import path from 'node:path';
import { defineConfig } from 'vitest/config';

const fixturesDir = path.resolve(import.meta.dirname, 'tests/fixtures');

/**
 * Two projects: every test against the default SD 1.x reference dataset, and the reference suite again
 * against the SD 2.x dataset (issue: the same tests must pass on any dataset of the same layout).
 */
export default defineConfig({
  test: {
    testTimeout: 180_000,
    hookTimeout: 300_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'studio',
          include: [
            'protocol/**/*.test.ts',
            'server/**/*.test.ts',
            'nodes/**/*.test.ts',
            'client/**/*.test.ts',
            'tests/**/*.test.ts',
          ],
          exclude: ['node_modules/**', 'client/dist/**'],
          env: { REFERENCE_DIR: process.env.REFERENCE_DIR ?? path.join(fixturesDir, 'reference-sd1') },
        },
      },
      {
        extends: true,
        test: {
          name: 'reference-sd2',
          include: ['tests/reference/**/*.test.ts'],
          env: { REFERENCE_DIR: process.env.REFERENCE_DIR_SD2 ?? path.join(fixturesDir, 'reference-sd2') },
        },
      },
    ],
  },
});
