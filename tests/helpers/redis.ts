import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { Store, type StoreOptions } from '../../src/store/index.js';

/** A store on the test run's real Redis, under a prefix of its own (files run in parallel). */
export async function testStore(options: StoreOptions = {}): Promise<{ store: Store; redis: Redis; cleanup: () => Promise<void> }> {
  const url = process.env.REDIS_URL;
  if (!url) throw new Error('REDIS_URL is not set: run the tests through `npm test` or vitest (its global setup starts Redis)');
  const redis = new Redis(url, { maxRetriesPerRequest: 3 });
  const store = new Store(redis, { prefix: `t-${randomUUID().slice(0, 8)}`, ...options });
  return {
    store,
    redis,
    cleanup: async () => {
      await store.wipe();
      await store.close();
      redis.disconnect();
    },
  };
}

/**
 * Teardown of a file that made stores on one Redis connection against CRM sandboxes: every store
 * wiped and closed, then the connection, then the sandboxes (any may be missing if set-up failed).
 */
export async function closeStoresAndSandboxes(stores: readonly Store[], redis: Redis | undefined, sandboxes: readonly ({ close(): Promise<void> } | undefined)[]): Promise<void> {
  for (const store of stores) {
    await store.wipe();
    await store.close();
  }
  redis?.disconnect();
  for (const sandbox of sandboxes) await sandbox?.close();
}
