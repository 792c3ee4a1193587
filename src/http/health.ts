/**
 * Probes. /healthz: the process answers (no I/O). /readyz: Redis answers PING, each CRM
 * connection's last authentication succeeded (checked at most once a minute: a probe every few
 * seconds must not spend CRM API calls), and workers are consuming the sync queue.
 */
import { Router } from 'express';
import { z } from 'zod';
import type { CrmConnector } from '../connectors/types.js';
import type { AppContext } from '../jobs/context.js';
import { scrubSecrets } from '../logger.js';

export const AUTH_CACHE_MS = 60_000;
const PROBE_TIMEOUT_MS = 2_000;

export const Check = z.object({ ok: z.boolean(), message: z.string() });
export const Readiness = z.object({
  status: z.enum(['ready', 'not_ready']),
  /** names of the checks that failed, e.g. ["redis", "crm.hubspot"] */
  failed: z.array(z.string()),
  checks: z.record(z.string(), Check),
});
export type Readiness = z.infer<typeof Readiness>;

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The last checkAuth() result per connector, refreshed when older than `ttlMs`. */
export class AuthStatusCache {
  private readonly entries = new Map<string, { at: number; ok: boolean; message: string }>();
  private readonly inFlight = new Map<string, Promise<{ ok: boolean; message: string }>>();

  constructor(private readonly options: { ttlMs?: number; now?: () => number } = {}) {}

  async status(connector: CrmConnector): Promise<{ ok: boolean; message: string }> {
    const now = (this.options.now ?? Date.now)();
    const cached = this.entries.get(connector.source);
    if (cached && now - cached.at < (this.options.ttlMs ?? AUTH_CACHE_MS)) return cached;
    let pending = this.inFlight.get(connector.source);
    if (!pending) {
      pending = withTimeout(connector.checkAuth(), PROBE_TIMEOUT_MS * 5, `${connector.source} authentication check`)
        .then((s) => ({ ok: s.ok, message: s.ok ? `authenticated${s.identity ? ` as ${s.identity}` : ''}` : (s.message ?? 'authentication failed') }))
        .catch((err: unknown) => ({ ok: false, message: `authentication check failed: ${(err as Error).message}` }))
        .then((s) => {
          this.entries.set(connector.source, { ...s, at: (this.options.now ?? Date.now)() });
          this.inFlight.delete(connector.source);
          return s;
        });
      this.inFlight.set(connector.source, pending);
    }
    return pending;
  }
}

export interface HealthOptions {
  /** false when no worker is expected to consume the queues (an API-only deployment without workers) */
  expectWorkers?: boolean;
  authCache?: AuthStatusCache;
}

export async function readiness(ctx: AppContext, options: HealthOptions & { authCache: AuthStatusCache }): Promise<Readiness> {
  const checks: Record<string, { ok: boolean; message: string }> = {};
  const redisCheck = async () => {
    try {
      const pong = await withTimeout(ctx.redis.ping(), PROBE_TIMEOUT_MS, 'Redis PING');
      checks.redis = { ok: pong === 'PONG', message: pong === 'PONG' ? 'PONG' : `unexpected answer ${pong}` };
    } catch (err) {
      checks.redis = { ok: false, message: `Redis unreachable: ${(err as Error).message}` };
    }
  };
  const crmChecks = [...ctx.connectors.values()].map(async (connector) => {
    checks[`crm.${connector.source}`] = await options.authCache.status(connector);
  });
  const workersCheck = async () => {
    if (options.expectWorkers === false) {
      checks.workers = { ok: true, message: 'not checked: this deployment runs no workers' };
      return;
    }
    try {
      const workers = await withTimeout(ctx.queues.queues.sync.getWorkers(), PROBE_TIMEOUT_MS, 'listing sync workers');
      checks.workers = { ok: workers.length > 0, message: workers.length > 0 ? `${workers.length} worker(s) on the sync queue` : 'no worker is consuming the sync queue: start `accountpulse worker` or `serve`' };
    } catch (err) {
      checks.workers = { ok: false, message: `cannot list workers: ${(err as Error).message}` };
    }
  };
  await Promise.all([redisCheck(), workersCheck(), ...crmChecks]);
  for (const check of Object.values(checks)) check.message = scrubSecrets(check.message, ctx.loaded.secrets);
  const failed = Object.entries(checks).filter(([, c]) => !c.ok).map(([name]) => name).sort();
  return { status: failed.length === 0 ? 'ready' : 'not_ready', failed, checks };
}

export function healthRouter(ctx: AppContext, options: HealthOptions = {}): Router {
  const router = Router();
  const authCache = options.authCache ?? new AuthStatusCache();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const report = await readiness(ctx, { ...options, authCache });
    res.status(report.status === 'ready' ? 200 : 503).json(report);
  });
  return router;
}
