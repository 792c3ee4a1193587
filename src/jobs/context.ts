/**
 * Everything a worker needs, built once per process from the loaded configuration: the store, the
 * connectors of the enabled CRMs, the queues, the logger. Jobs receive it; nothing is global.
 */
import type { Redis } from 'ioredis';
import type { ConnectionOptions } from 'bullmq';
import type { Logger } from 'pino';
import type { LoadedConfig } from '../config/load.js';
import type { CrmConnector } from '../connectors/types.js';
import type { CrmSource } from '../domain/model.js';
import { Store } from '../store/index.js';
import { durationMs } from '../config/schema.js';
import { QueueSet } from './queues.js';
import { Metrics } from '../metrics.js';

export interface AppContext {
  loaded: LoadedConfig;
  logger: Logger;
  redis: Redis;
  store: Store;
  queues: QueueSet;
  connectors: Map<CrmSource, CrmConnector>;
  /** how to reach Redis for BullMQ (workers need their own blocking connections) */
  connection: ConnectionOptions;
  /** "now", injectable so tests and backfills can score as of a date */
  now: () => Date;
  /** link to a CRM record for alerts and the dashboard */
  recordLink: (ref: { type: string; id: string }) => string | null;
  metrics: Metrics;
}

export interface ContextOptions {
  loaded: LoadedConfig;
  logger: Logger;
  redis: Redis;
  connectors: Map<CrmSource, CrmConnector>;
  competitors?: readonly string[];
  now?: () => Date;
  metrics?: Metrics;
}

/** BullMQ connection options from a Redis URL (workers need maxRetriesPerRequest null). */
export function bullConnection(url: string): ConnectionOptions {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: u.pathname && u.pathname !== '/' ? Number(u.pathname.slice(1)) : undefined,
    tls: u.protocol === 'rediss:' ? {} : undefined,
    maxRetriesPerRequest: null,
  };
}

export function recordLinker(loaded: LoadedConfig): (ref: { type: string; id: string }) => string | null {
  const { env } = loaded;
  return (ref) => {
    const [source, externalId] = ref.id.split(/:(.*)/s);
    if (!externalId) return null;
    if (source === 'salesforce') return `${env.SALESFORCE_INSTANCE_URL.replace(/\/$/, '')}/${encodeURIComponent(externalId)}`;
    if (source === 'hubspot') {
      const base = env.HUBSPOT_BASE_URL.includes('api.hubapi.com') ? 'https://app.hubspot.com' : env.HUBSPOT_BASE_URL.replace(/\/$/, '');
      const kind = ref.type === 'account' || ref.type === 'company' ? 'company' : ref.type === 'deal' ? 'deal' : ref.type === 'ticket' ? 'ticket' : ref.type === 'contact' ? 'contact' : 'record';
      return `${base}/contacts/_/${kind}/${encodeURIComponent(externalId)}`;
    }
    return null;
  };
}

export function createContext(options: ContextOptions): AppContext {
  const { loaded } = options;
  const url = loaded.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const connection = bullConnection(url);
  const store = new Store(options.redis, { prefix: loaded.env.ACCOUNTPULSE_PREFIX, competitors: options.competitors ?? [] });
  const queues = new QueueSet({ connection, prefix: loaded.env.ACCOUNTPULSE_PREFIX, attempts: loaded.config.queues.attempts, backoffMs: durationMs(loaded.config.queues.backoff) });
  return {
    loaded,
    logger: options.logger,
    redis: options.redis,
    store,
    queues,
    connectors: options.connectors,
    connection,
    now: options.now ?? (() => new Date()),
    recordLink: recordLinker(loaded),
    metrics: options.metrics ?? new Metrics(),
  };
}
