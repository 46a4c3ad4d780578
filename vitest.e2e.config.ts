/// <reference types="vitest/config" />
// End-to-end suite: real Chromium (playwright-core) and Firefox (WebDriver BiDi) against the lab,
// with the built extension. One process, one file at a time: the browsers and the lab are heavy.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.test.ts'],
    environment: 'node',
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    sequence: { concurrent: false },
    globalSetup: ['test/e2e/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 90_000,
  },
});
