import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // the long resilience tests run on their own: npm run test:resilience (vitest.resilience.config.ts)
    exclude: ['**/node_modules/**', 'tests/resilience/**'],
    // Integration tests share one Redis (separate DB index / key prefix per file), and the sandbox
    // binds ephemeral ports, so files can run in parallel on the 2 cores CI has.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    setupFiles: ['tests/setup.ts'],
    globalSetup: ['tests/globalSetup.ts'],
  },
});
