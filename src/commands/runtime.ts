/**
 * Boots a process: configuration (exit 2 on any problem), logger, Redis (retrying with backoff in
 * `serve`/`worker`, failing fast in one-shot commands), the connectors of the enabled CRMs and the
 * app context the jobs and the HTTP layer share.
 */
import type { Redis } from 'ioredis';
import { ConfigError, loadConfig, type LoadedConfig } from '../config/load.js';
import { redisUrlForDisplay } from '../config/env.js';
import { createLogger, type Logger } from '../logger.js';
import { connectRedis } from '../store/redis.js';
import { createConnectors, type ConnectorOverrides } from '../jobs/connectors.js';
import { createContext, type AppContext } from '../jobs/context.js';
import { analyticsSettings } from '../jobs/settings.js';

export class ExitError extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
    this.name = 'ExitError';
  }
}

export interface BootOptions {
  /** keep retrying Redis forever (serve, worker) instead of failing after a few seconds */
  waitForRedis?: boolean;
  environ?: NodeJS.ProcessEnv;
  connectorOverrides?: ConnectorOverrides;
  logger?: Logger;
}

export function loadOrExit(environ?: NodeJS.ProcessEnv): LoadedConfig {
  try {
    return loadConfig({ environ });
  } catch (err) {
    if (err instanceof ConfigError) throw new ExitError(`configuration is invalid; nothing was started:\n${err.problems.join('\n')}`, 2);
    throw err;
  }
}

export async function boot(options: BootOptions = {}): Promise<AppContext> {
  const loaded = loadOrExit(options.environ);
  let settings;
  try {
    settings = analyticsSettings(loaded.config);
  } catch (err) {
    throw new ExitError(`configuration is invalid; nothing was started:\n${(err as Error).message}`, 2);
  }
  const logger = options.logger ?? createLogger({ level: loaded.env.LOG_LEVEL, secrets: loaded.secrets });
  const url = loaded.env.REDIS_URL;
  if (!url) throw new ExitError('REDIS_URL is not set: point it at your Redis (redis://host:6379), or use `npm run demo`, which starts one', 2);
  const redis: Redis = await connectRedis(url, {
    maxWaitMs: options.waitForRedis ? Number.POSITIVE_INFINITY : 15_000,
    onRetry: (attempt, delay, error) => logger.warn({ redis: redisUrlForDisplay(url), attempt, retryInMs: delay, error }, 'Redis unreachable; retrying'),
  });
  const connectors = createConnectors(loaded, redis, logger, options.connectorOverrides);
  return createContext({ loaded, logger, redis, connectors, competitors: settings.churn.competitors });
}

export async function shutdown(ctx: AppContext): Promise<void> {
  await Promise.allSettled([...ctx.connectors.values()].map((c) => c.close()));
  await ctx.queues.close().catch(() => {});
  await ctx.store.close().catch(() => {});
  ctx.redis.disconnect();
}
