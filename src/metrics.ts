/**
 * Prometheus metrics, one registry per process. Jobs record into it; GET /metrics exposes it
 * (plus queue depths and API budgets, which are gauges collected at scrape time).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class Metrics {
  readonly registry = new Registry();
  readonly recordsSynced = new Counter({ name: 'accountpulse_records_synced_total', help: 'Records read from a CRM and landed in the store', labelNames: ['source', 'stream', 'outcome'] as const, registers: [this.registry] });
  readonly apiCalls = new Counter({ name: 'accountpulse_crm_api_calls_total', help: 'CRM API calls made', labelNames: ['source'] as const, registers: [this.registry] });
  readonly rateLimited = new Counter({ name: 'accountpulse_crm_rate_limited_total', help: 'CRM answers of 429 (rate limited)', labelNames: ['source'] as const, registers: [this.registry] });
  readonly budgetRemaining = new Gauge({ name: 'accountpulse_crm_daily_budget_remaining', help: 'Daily API calls left as the CRM last reported them', labelNames: ['source'] as const, registers: [this.registry] });
  readonly budgetLimit = new Gauge({ name: 'accountpulse_crm_daily_budget_limit', help: 'Daily API allowance as the CRM last reported it', labelNames: ['source'] as const, registers: [this.registry] });
  readonly queueDepth = new Gauge({ name: 'accountpulse_queue_jobs', help: 'Jobs per queue and state', labelNames: ['queue', 'state'] as const, registers: [this.registry] });
  readonly jobDuration = new Histogram({ name: 'accountpulse_job_duration_seconds', help: 'Job processing time', labelNames: ['queue', 'name', 'outcome'] as const, buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 180, 600], registers: [this.registry] });
  readonly writeBack = new Counter({ name: 'accountpulse_writeback_fields_total', help: 'Write-back field results', labelNames: ['source', 'outcome'] as const, registers: [this.registry] });
  readonly alertsDelivered = new Counter({ name: 'accountpulse_alert_deliveries_total', help: 'Alert deliveries by outcome', labelNames: ['route', 'outcome'] as const, registers: [this.registry] });
  readonly alertsChanged = new Counter({ name: 'accountpulse_alerts_changed_total', help: 'Alert state changes', labelNames: ['type', 'state'] as const, registers: [this.registry] });

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'accountpulse_process_' });
  }
}
