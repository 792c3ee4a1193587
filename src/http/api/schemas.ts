/** Shapes the JSON API answers with, built from the domain's own schemas. */
import { z } from 'zod';
import { Alert, Attainment, ChurnRisk, CrossSellOpportunity, Period, RiskBand } from '../../domain/insights.js';
import { Account, CrmSource, QuarantinedRecord } from '../../domain/model.js';

export const OwnerSummary = z.object({
  id: z.string(),
  name: z.string(),
  teamId: z.string().nullable(),
  teamName: z.string().nullable(),
});

export const ChurnSummary = z.object({
  score: z.number(),
  band: RiskBand,
  previous: z.number().nullable(),
  trend: ChurnRisk.shape.trend,
  /** the drivers' texts, largest contribution first (at most 3) */
  topReasons: z.array(z.string()),
  scoredAt: z.string(),
});

export const AccountSummary = z.object({
  id: z.string(),
  name: z.string(),
  source: CrmSource,
  externalId: z.string(),
  link: z.string().nullable(),
  owner: OwnerSummary.nullable(),
  renewalDate: z.string().nullable(),
  churn: ChurnSummary.nullable(),
  crossSellCount: z.number().int().nonnegative(),
});
export type AccountSummary = z.infer<typeof AccountSummary>;

export const AccountPage = z.object({
  items: z.array(AccountSummary),
  /** pass as `cursor` for the next page; null on the last page */
  nextCursor: z.string().nullable(),
});

export const ChurnHistoryPoint = z.object({ at: z.string(), score: z.number(), band: RiskBand });

export const AccountDetail = z.object({
  account: Account,
  link: z.string().nullable(),
  owner: OwnerSummary.nullable(),
  churn: ChurnRisk.nullable(),
  /** newest first */
  history: z.array(ChurnHistoryPoint),
  crossSell: z.array(CrossSellOpportunity),
});

export const AttainmentReport = z.object({
  period: Period,
  items: z.array(Attainment),
});

export const AlertList = z.object({ items: z.array(Alert), total: z.number().int().nonnegative() });

export const Run = z.object({
  id: z.string(),
  kind: z.enum(['sync', 'score', 'writeback', 'alert', 'cycle']),
  scope: z.string(),
  status: z.enum(['running', 'succeeded', 'partial', 'failed', 'stopped']),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  counts: z.record(z.string(), z.number()),
  message: z.string().nullable(),
  parentId: z.string().nullable(),
});

export const RunEvent = z.object({
  at: z.string(),
  type: z.string(),
  message: z.string(),
  records: z.array(z.string()).optional(),
  data: z.record(z.string(), z.unknown()).optional(),
});

export const RunList = z.object({ items: z.array(Run) });
export const RunDetail = z.object({ run: Run, events: z.array(RunEvent) });

export const QuarantineList = z.object({
  items: z.array(QuarantinedRecord),
  /** "<source>:<stream>" → records quarantined since the store was created */
  counts: z.record(z.string(), z.number()),
  /** records in the kept list */
  total: z.number().int().nonnegative(),
});

/** Paging by position for logs (runs, quarantine). */
export const OffsetQuery = z.object({
  offset: z.coerce.number().int().min(0).max(100_000).default(0),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
