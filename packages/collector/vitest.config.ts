import { defineConfig } from 'vitest/config';

/**
 * Browser tests wait for whole dashboards and chat turns in Chromium, each
 * step with its own timeout (`PANEL_TIMEOUT_MS`, 30 s): the test itself must
 * outlast several such steps, since a full run shares the 2 cores with a
 * native compile and the ClickHouse suites, which makes Chromium several
 * times slower than on an idle machine.
 */
const BROWSER_TEST_TIMEOUT_MS = 120_000;

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Tests share one machine with 2 cores; child-process and browser tests
    // are heavy, so keep file-level parallelism modest.
    maxWorkers: 2,
    minWorkers: 1,
    projects: [
      {
        extends: true,
        test: { name: 'node', include: ['src/**/*.test.ts', 'test/**/*.test.ts'], exclude: ['test/e2e/**'] },
      },
      {
        extends: true,
        test: { name: 'browser', include: ['test/e2e/**/*.test.ts'], testTimeout: BROWSER_TEST_TIMEOUT_MS },
      },
    ],
  },
});
