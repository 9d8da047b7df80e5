import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['server/**/*.test.ts', 'nodes/**/*.test.ts', 'client/**/*.test.ts', 'tests/**/*.test.ts'],
    exclude: ['node_modules/**', 'client/dist/**'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
    fileParallelism: true,
  },
});
