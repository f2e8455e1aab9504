import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Temporal dev server and PostgreSQL are real; files run in parallel forks but each gets its own task queue.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/quiet-temporal.ts'],
    // The last line names tests skipped for want of Chromium, PostgreSQL or docker-compose (test/support/requirements.ts).
    reporters: ['default', './test/support/skip-summary.ts'],
  },
});
