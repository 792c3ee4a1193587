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
