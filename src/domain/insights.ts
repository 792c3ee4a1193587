/**
 * What AccountPulse computes: attainment and forecast, churn risk, cross-sell opportunities, alerts.
 * Pure zod schemas and types; the maths that fills them is in quota.ts, churn.ts, crosssell.ts,
 * alerts.ts.
 */
import { z } from 'zod';
import { IsoDate, IsoDateTime, RecordRef } from './model.js';

/** A note about the data behind a figure: what was missing or excluded, and how many. */
export const DataQualityNote = z.object({
  code: z.string(),
  message: z.string(),
  count: z.number().int().nonnegative().optional(),
  records: z.array(RecordRef).optional(),
});
export type DataQualityNote = z.infer<typeof DataQualityNote>;

export const Period = z.object({
  /** e.g. FY2026-Q3 or FY2026-M08 */
  id: z.string(),
  kind: z.enum(['month', 'quarter', 'year']),
  start: IsoDate,
  /** inclusive last day */
  end: IsoDate,
});
export type Period = z.infer<typeof Period>;

export const Attainment = z.object({
  scope: z.enum(['owner', 'team', 'org']),
  /** owner id, team id (manager's owner id for a manager rollup) or 'org' */
  subjectId: z.string(),
  subjectName: z.string(),
  period: Period,
  asOf: IsoDate,
  currency: z.string().length(3),
  quota: z.number().nullable(),
  closedWon: z.number(),
  /** closedWon / quota; null when the quota is missing or zero (never Infinity). */
  attainment: z.number().nullable(),
  expectedToDate: z.object({ linear: z.number().nullable(), seasonal: z.number().nullable() }),
  /** closedWon / expected-to-date, linear and seasonal */
  pacing: z.object({ linear: z.number().nullable(), seasonal: z.number().nullable() }),
  weightedPipeline: z.number(),
  categories: z.object({
    closed: z.number(),
    commit: z.number(),
    bestCase: z.number(),
    pipeline: z.number(),
    omitted: z.number(),
  }),
  /** cumulative rollups: commit = commit + closed; bestCase = best case + commit + closed */
  rollups: z.object({ commit: z.number(), bestCase: z.number(), openPipeline: z.number() }),
  forecast: z.number(),
  coverage: z.number().nullable(),
  winRate: z.number().nullable(),
  avgDealSize: z.number().nullable(),
  cycleDays: z.number().nullable(),
  velocityPerDay: z.number().nullable(),
  slippage: z.object({
    pushedDeals: z.number().int(),
    pushCount: z.number().int(),
    daysPushed: z.number(),
    commitSlippedOut: z.array(RecordRef),
  }),
  notes: z.array(DataQualityNote),
});
export type Attainment = z.infer<typeof Attainment>;

export const riskBands = ['green', 'amber', 'red'] as const;
export const RiskBand = z.enum(riskBands);
export type RiskBand = z.infer<typeof RiskBand>;

export const Driver = z.object({
  signal: z.string(),
  /** the signal's sub-score 0..100 (risk) */
  risk: z.number(),
  /** weighted contribution to the overall score, in points */
  points: z.number(),
  text: z.string(),
  records: z.array(RecordRef),
});
export type Driver = z.infer<typeof Driver>;

export const ChurnRisk = z.object({
  accountId: z.string(),
  score: z.number().min(0).max(100),
  band: RiskBand,
  previous: z.number().nullable(),
  previousBand: RiskBand.nullable(),
  trend: z.enum(['up', 'down', 'flat', 'new']),
  /** share of the configured weight whose signals had data, 0..1 */
  completeness: z.number().min(0).max(1),
  model: z.enum(['rules', 'learned']),
  /** learned model only: probability of churn within the horizon */
  probability: z.number().min(0).max(1).nullable(),
  drivers: z.array(Driver),
  scoredAt: IsoDateTime,
  configVersion: z.string(),
});
export type ChurnRisk = z.infer<typeof ChurnRisk>;

export const CrossSellOpportunity = z.object({
  accountId: z.string(),
  /** product family (or product name) the account does not own */
  product: z.string(),
  productId: z.string().nullable(),
  score: z.number(),
  /** plain-language evidence, e.g. "62% of accounts that own A and B also own C, 2.3x the base rate" */
  evidence: z.array(z.string()),
  estimatedValue: z.number().nullable(),
  rule: z
    .object({ antecedent: z.array(z.string()), support: z.number(), confidence: z.number(), lift: z.number() })
    .nullable(),
  peerPenetration: z.object({ owners: z.number().int(), peers: z.number().int(), segment: z.string() }).nullable(),
});
export type CrossSellOpportunity = z.infer<typeof CrossSellOpportunity>;

export const alertTypes = [
  'churn_band_rose',
  'churn_score_drop',
  'renewal_at_risk',
  'pacing_behind',
  'forecast_gap',
  'commit_slipped',
  'cross_sell',
  'sync_health',
  /** the weekly digest: a summary, delivered like an alert but never open */
  'digest',
] as const;
export const AlertType = z.enum(alertTypes);
export type AlertType = z.infer<typeof AlertType>;

export const AlertSubject = z.object({
  kind: z.enum(['account', 'owner', 'team', 'connection', 'deal']),
  id: z.string(),
  name: z.string(),
});
export type AlertSubject = z.infer<typeof AlertSubject>;

export const Alert = z.object({
  /** dedupe key: `${type}|${subject.kind}:${subject.id}|${reason}` */
  key: z.string(),
  type: AlertType,
  severity: z.enum(['info', 'warning', 'critical']),
  subject: AlertSubject,
  /** machine reason inside the key, e.g. "band:red" or "period:FY2026-Q3" */
  reason: z.string(),
  state: z.enum(['open', 'resolved']),
  title: z.string(),
  details: z.array(z.string()),
  records: z.array(RecordRef),
  ownerId: z.string().nullable(),
  teamId: z.string().nullable(),
  openedAt: IsoDateTime,
  updatedAt: IsoDateTime,
  resolvedAt: IsoDateTime.nullable(),
  /** increases each time the content of an open alert changes; deliveries are per (key, version, state) */
  version: z.number().int().positive(),
});
export type Alert = z.infer<typeof Alert>;

export function alertKey(type: AlertType, subject: Pick<AlertSubject, 'kind' | 'id'>, reason: string): string {
  return `${type}|${subject.kind}:${subject.id}|${reason}`;
}
