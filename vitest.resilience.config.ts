import { defineConfig } from 'vitest/config';

/**
 * The long resilience tests (`npm run test:resilience`, run by CI after `npm test`): full cycles on
 * both sandbox CRMs under injected faults, killed workers, a restarted Redis, a spent daily budget
 * and expired tokens. One file at a time: each starts sandboxes, workers and sometimes its own Redis.
 */
export default defineConfig({
  test: {
    include: ['tests/resilience/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 120_000,
    setupFiles: ['tests/setup.ts'],
    globalSetup: ['tests/globalSetup.ts'],
  },
});
