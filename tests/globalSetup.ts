/**
 * Gives the test run a real Redis when REDIS_URL is not set (e.g. `npx vitest run tests/integration`
 * without the npm script): the same local-Redis code the demo and CI use.
 */
import { ensureRedis, type LocalRedis } from '../src/store/localRedis.js';

let redis: LocalRedis | undefined;

export async function setup(): Promise<void> {
  redis = await ensureRedis({ log: () => {} });
  process.env.REDIS_URL = redis.url;
}

export async function teardown(): Promise<void> {
  await redis?.stop();
}
