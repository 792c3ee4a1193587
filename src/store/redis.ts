/**
 * Redis connections. Errors name the URL without its credentials; connecting retries with capped
 * exponential backoff (serve keeps retrying; one-shot commands give up after `maxWaitMs`).
 */
import { Redis } from 'ioredis';
import { redisUrlForDisplay } from '../config/env.js';

export interface ConnectOptions {
  /** give up waiting for the first connection after this long (ms); Infinity = keep trying */
  maxWaitMs?: number;
  onRetry?: (attempt: number, delayMs: number, error: string) => void;
  /** BullMQ workers need null here; plain store connections use the default */
  maxRetriesPerRequest?: number | null;
}

export class RedisConnectError extends Error {}

export function redisBackoff(attempt: number): number {
  return Math.min(30_000, 200 * 2 ** Math.min(attempt, 8));
}

export function createRedis(url: string, options: ConnectOptions = {}): Redis {
  return new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: options.maxRetriesPerRequest === undefined ? 20 : options.maxRetriesPerRequest,
    enableReadyCheck: true,
    retryStrategy: (times) => redisBackoff(times),
  });
}

/** Connects and waits until Redis answers PING, retrying with backoff; throws a clear error on timeout. */
export async function connectRedis(url: string, options: ConnectOptions = {}): Promise<Redis> {
  const shown = redisUrlForDisplay(url);
  const redis = createRedis(url, options);
  const maxWait = options.maxWaitMs ?? 15_000;
  const started = Date.now();
  let attempt = 0;
  let lastError = '';
  redis.on('error', (err: Error) => {
    lastError = err.message;
  });
  for (;;) {
    try {
      if (redis.status === 'wait' || redis.status === 'end') await redis.connect();
      await redis.ping();
      return redis;
    } catch (err) {
      lastError = (err as Error).message || lastError;
      attempt += 1;
      const delay = redisBackoff(attempt);
      if (Date.now() - started + delay > maxWait) {
        redis.disconnect();
        throw new RedisConnectError(`cannot reach Redis at ${shown}: ${lastError || 'no answer'}. Check REDIS_URL and that Redis is running.`);
      }
      options.onRetry?.(attempt, delay, lastError);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}
