/**
 * GET /metrics: the process registry (counters the jobs fill) plus gauges refreshed at scrape time:
 * jobs per queue and state, and each CRM's API budget as its shared limiter last saw it.
 */
import { Router } from 'express';
import { Gauge, type Registry } from 'prom-client';
import type { AppContext } from '../jobs/context.js';

const SCRAPE_TIMEOUT_MS = 3_000;

function gauge(registry: Registry, name: string, help: string, labelNames: string[]): Gauge {
  // createApp may run twice on one context (tests): reuse the gauge instead of registering it again
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as Gauge;
  return new Gauge({ name, help, labelNames, registers: [registry] });
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export class ScrapeCollector {
  private readonly rateLimited: Gauge;
  private readonly paused: Gauge;
  private readonly scrapeErrors: Gauge;

  constructor(private readonly ctx: AppContext) {
    const registry = ctx.metrics.registry;
    this.rateLimited = gauge(registry, 'accountpulse_crm_budget_rate_limited', '429 answers the shared API budget has recorded (all workers)', ['source']);
    this.paused = gauge(registry, 'accountpulse_crm_budget_paused', '1 while the shared API budget is paused (Retry-After or reserve reached)', ['source']);
    this.scrapeErrors = gauge(registry, 'accountpulse_scrape_errors', 'Parts of the last scrape that could not be read (queues, budgets)', ['part']);
  }

  async refresh(): Promise<void> {
    const { metrics, queues, connectors } = this.ctx;
    const counts = await withTimeout(queues.counts().catch(() => null), SCRAPE_TIMEOUT_MS);
    this.scrapeErrors.set({ part: 'queues' }, counts ? 0 : 1);
    if (counts) for (const [queue, states] of Object.entries(counts)) for (const [state, n] of Object.entries(states)) metrics.queueDepth.set({ queue, state }, n);
    let budgetErrors = 0;
    await Promise.all(
      [...connectors.values()].map(async (connector) => {
        const status = await withTimeout(connector.budget().catch(() => null), SCRAPE_TIMEOUT_MS);
        if (!status) {
          budgetErrors += 1;
          return;
        }
        const source = connector.source;
        if (status.dailyRemaining !== null) metrics.budgetRemaining.set({ source }, status.dailyRemaining);
        if (status.dailyLimit !== null) metrics.budgetLimit.set({ source }, status.dailyLimit);
        this.rateLimited.set({ source }, status.rateLimited);
        this.paused.set({ source }, status.pausedUntil !== null || status.reserveReached ? 1 : 0);
      }),
    );
    this.scrapeErrors.set({ part: 'budgets' }, budgetErrors);
  }
}

export function metricsRouter(ctx: AppContext): Router {
  const router = Router();
  const collector = new ScrapeCollector(ctx);
  router.get('/metrics', async (_req, res) => {
    await collector.refresh();
    res.type(ctx.metrics.registry.contentType).send(await ctx.metrics.registry.metrics());
  });
  return router;
}
