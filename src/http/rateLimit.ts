/**
 * Fixed-window rate limiting kept in Redis, so every HTTP process of an installation shares the
 * count: per API token on authenticated routes (set by auth.ts in res.locals.caller), per client
 * IP elsewhere, and per bucket: CRM webhooks count in their own (a burst of HubSpot change
 * batches must neither be throttled by, nor throttle, people using the dashboard from one address). Over the limit: 429 problem with Retry-After. If Redis cannot be reached the
 * request is let through (readyz reports Redis; refusing all traffic would add an outage).
 */
import type { NextFunction, Request, Response } from 'express';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { HttpProblem } from './problem.js';

export interface RateLimiterOptions {
  redis: Redis;
  /** key prefix (the installation prefix) */
  prefix: string;
  limitPerMinute: number;
  /** which allowance this limiter counts against, e.g. "api", "webhooks" */
  bucket: string;
  logger: Logger;
  now?: () => number;
}

const WINDOW_MS = 60_000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from Redis within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export class RateLimiter {
  constructor(private readonly options: RateLimiterOptions) {}

  /** Counts one request for `caller`; returns seconds to wait when over the limit, else null. */
  async hit(caller: string): Promise<number | null> {
    const now = (this.options.now ?? Date.now)();
    const window = Math.floor(now / WINDOW_MS);
    const key = `${this.options.prefix}:rl:${this.options.bucket}:${caller}:${window}`;
    const [[, count] = [null, 0]] = ((await this.options.redis.multi().incr(key).pexpire(key, WINDOW_MS * 2).exec()) ?? []) as [Error | null, number][];
    if (Number(count) <= this.options.limitPerMinute) return null;
    return Math.max(1, Math.ceil(((window + 1) * WINDOW_MS - now) / 1000));
  }

  /** Middleware; the caller is res.locals.caller (set by token auth) or the client IP. */
  middleware() {
    return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
      const caller = typeof res.locals.caller === 'string' ? res.locals.caller : `ip:${req.ip ?? 'unknown'}`;
      let retryAfter: number | null;
      try {
        retryAfter = this.options.redis.status === 'end' ? null : await withTimeout(this.hit(caller), 1000);
      } catch (err) {
        this.options.logger.warn({ err: (err as Error).message }, 'rate limiter: Redis unavailable, request let through');
        retryAfter = null;
      }
      if (retryAfter !== null) {
        throw new HttpProblem(429, `more than ${this.options.limitPerMinute} requests per minute from this caller; retry in ${retryAfter} s`, { headers: { 'Retry-After': String(retryAfter) } });
      }
      next();
    };
  }
}
