/**
 * The YAML configuration (config/default.yaml, overridden by the file ACCOUNTPULSE_CONFIG names and
 * by ACCOUNTPULSE__SECTION__KEY env vars). Every key has a default here, so an empty file is valid;
 * default.yaml spells the defaults out for people to read and copy.
 *
 * The analytics sections (quota, churn, crossSell) are the domain's own schemas: the maths and its
 * parameters are defined in one place.
 */
import { z } from 'zod';
import { ChurnConfigSchema } from '../domain/churnConfig.js';
import { CrossSellConfigSchema } from '../domain/crosssell.js';
import { QuotaConfigSchema } from '../domain/quota-config.js';

const duration = z
  .string()
  .regex(/^\d+(ms|s|m|h|d)$/, 'a duration like 500ms, 30s, 5m, 2h or 1d')
  .describe('duration');

export function durationMs(value: string): number {
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(value);
  if (!m) throw new Error(`not a duration: ${value}`);
  const n = Number(m[1]);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
  return n * unit;
}

/** A CRM field mapped into the model: `from` is the CRM property/field name, `to` our name. */
const FieldMapping = z.object({
  from: z.string().min(1),
  to: z.string().min(1),
  type: z.enum(['string', 'number', 'boolean', 'date']).default('string'),
});

const ConnectionSchema = z.object({
  /** Account fields (custom properties / __c fields) copied into Account.fields under `to`. */
  accountFields: z.array(FieldMapping).default([]),
  /** Field holding the renewal / contract end date. */
  renewalDateField: z.string().nullable().default(null),
  /** Field whose truthy value marks a churned account (labels for the learned model). */
  churnLabelField: z.string().nullable().default(null),
  /** Field holding a product-usage index, folded into usage metrics as `usage`. */
  usageField: z.string().nullable().default(null),
});

export const SyncSchema = z.object({
  /**
   * An incremental pass reads up to the CRM's time minus this (HubSpot search is eventually
   * consistent; a long Salesforce transaction commits after its SystemModstamp); the next pass
   * starts there. The CRM's time comes from its Date headers, so clock skew opens no gap.
   */
  settle: duration.default('30s'),
  /** Optional extra overlap: a pass starts this far before the saved cursor (the store dedupes). */
  lookback: duration.default('0s'),
  /** Stop a run when the daily API allowance left falls under this share. */
  budgetReserve: z.number().min(0).max(0.9).default(0.2),
  /** Salesforce: use Bulk API 2.0 above this many rows (from a COUNT()), REST below. */
  bulkThreshold: z.number().int().positive().default(10_000),
  /** Salesforce write-back: Bulk API 2.0 ingest (~6 calls) above this many records; below, composite calls of 5 collections (1,000 records each). */
  bulkWriteThreshold: z.number().int().positive().default(6_000),
  incrementalEvery: duration.default('5m'),
  /** Cron (UTC) of the nightly full reconciliation. */
  reconcileCron: z.string().default('0 2 * * *'),
  /** Cron (UTC) of the weekly digest. */
  digestCron: z.string().default('0 7 * * 1'),
  /** HubSpot burst allowance per 10 s when the portal sends no headers yet (190 Pro/Enterprise). */
  hubspotBurstPer10s: z.number().int().positive().default(190),
  hubspotSearchPerSecond: z.number().positive().max(5).default(4),
});

export const WriteBackSchema = z.object({
  enabled: z.boolean().default(true),
  /** Overwrite a value a person edited in the CRM since we last wrote it. */
  overwriteHumanEdits: z.boolean().default(false),
  /** Scores that moved less than this are not rewritten. */
  scoreTolerance: z.number().min(0).default(1),
  /** Failed records are retried on later runs this many times, then dead-lettered. */
  maxAttempts: z.number().int().min(1).max(50).default(5),
  /** Create owner tasks when an account turns red. */
  tasks: z.boolean().default(true),
  /** Prefix of the HubSpot properties / Salesforce custom fields AccountPulse writes. */
  fieldPrefix: z.string().regex(/^[a-z][a-z0-9_]*$/i).default('accountpulse'),
});

const AlertRoute = z.object({
  name: z.string().min(1),
  type: z.enum(['webhook', 'slack', 'teams']),
  /** The URL, or `env:NAME` to read it from an environment variable (keeps it out of the file). */
  url: z.string().min(1),
  match: z
    .object({
      types: z.array(z.string()).optional(),
      teams: z.array(z.string()).optional(),
      owners: z.array(z.string()).optional(),
      minSeverity: z.enum(['info', 'warning', 'critical']).optional(),
    })
    .default({}),
});

export const AlertsSchema = z.object({
  rules: z
    .object({
      churnBandRose: z.object({ enabled: z.boolean().default(true), to: z.enum(['amber', 'red']).default('red') }).default({ enabled: true, to: 'red' }),
      churnScoreDrop: z.object({ enabled: z.boolean().default(true), points: z.number().positive().default(15), days: z.number().int().positive().default(30) }).default({ enabled: true, points: 15, days: 30 }),
      renewalAtRisk: z.object({ enabled: z.boolean().default(true), days: z.number().int().positive().default(60) }).default({ enabled: true, days: 60 }),
      pacingBehind: z.object({ enabled: z.boolean().default(true), threshold: z.number().positive().max(1).default(0.7), afterFraction: z.number().min(0).max(1).default(0.5) }).default({ enabled: true, threshold: 0.7, afterFraction: 0.5 }),
      forecastGap: z.object({ enabled: z.boolean().default(true), threshold: z.number().positive().max(1).default(0.85) }).default({ enabled: true, threshold: 0.85 }),
      commitSlipped: z.object({ enabled: z.boolean().default(true) }).default({ enabled: true }),
      crossSell: z.object({ enabled: z.boolean().default(true), minScore: z.number().min(0).default(0.6) }).default({ enabled: true, minScore: 0.6 }),
      syncHealth: z.object({ enabled: z.boolean().default(true), errorRate: z.number().min(0).max(1).default(0.05) }).default({ enabled: true, errorRate: 0.05 }),
    })
    .prefault({}),
  routes: z.array(AlertRoute).default([]),
  /** Allow alert webhooks to loopback and private addresses (the sandbox demo needs it). */
  allowPrivateUrls: z.boolean().default(false),
  deliveryTimeout: duration.default('10s'),
  deliveryMaxAttempts: z.number().int().min(1).max(20).default(8),
});

export const HttpSchema = z.object({
  bodyLimit: z.string().regex(/^\d+(b|kb|mb)$/).default('1mb'),
  /** Requests per minute per API token (and per IP for unauthenticated routes). */
  rateLimitPerMinute: z.number().int().positive().default(600),
  /**
   * Webhook requests per minute per sending IP, counted apart from the API's: HubSpot sends up to
   * 100 events per request and up to 10 requests at once during imports; over it they answer 429
   * and the CRM retries later (nothing lost, only delayed).
   */
  webhookRateLimitPerMinute: z.number().int().positive().default(6000),
  shutdownGrace: duration.default('20s'),
});

export const QueuesSchema = z.object({
  concurrency: z
    .object({
      sync: z.number().int().min(1).max(64).default(8),
      score: z.number().int().min(1).max(64).default(2),
      writeback: z.number().int().min(1).max(64).default(2),
      alert: z.number().int().min(1).max(64).default(4),
    })
    .prefault({}),
  /** Attempts before a job lands in the failed set. */
  attempts: z.number().int().min(1).max(50).default(5),
  backoff: duration.default('2s'),
  /** A job whose worker stops renewing its lock this long (a crashed process) goes to another worker. */
  lockDuration: duration.default('60s'),
  /** How often workers look for such stalled jobs. */
  stalledInterval: duration.default('30s'),
});

export const ConfigSchema = z
  .object({
    hubspot: ConnectionSchema.prefault({}),
    salesforce: ConnectionSchema.prefault({}),
    sync: SyncSchema.prefault({}),
    writeBack: WriteBackSchema.prefault({}),
    alerts: AlertsSchema.prefault({}),
    http: HttpSchema.prefault({}),
    queues: QueuesSchema.prefault({}),
    quota: QuotaConfigSchema.prefault({}),
    churn: ChurnConfigSchema,
    crossSell: CrossSellConfigSchema.prefault({}),
  })
  .strict();
export type Config = z.infer<typeof ConfigSchema>;
