import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Tests share one machine with 2 cores; child-process and browser tests
    // are heavy, so keep file-level parallelism modest.
    maxWorkers: 2,
    minWorkers: 1,
  },
});
