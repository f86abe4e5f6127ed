import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts', 'test/support/log-scan-setup.ts'],
    // Every worker's console output is captured and scanned for personal data after the run.
    setupFiles: ['test/support/log-tee.ts'],
    // Real databases and real HTTP servers: allow for a slow shared CI machine.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
