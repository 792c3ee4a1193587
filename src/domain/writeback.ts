/**
 * Write-back as a diff: which AccountPulse fields to write on which CRM records. A field goes into
 * the plan only when its value differs from the last value written (the ledger), beyond a tolerance
 * for scores. A value a person changed in the CRM since our last write is left alone (unless
 * configured otherwise) and reported. `lastScoredAt` rides along only with a real change, so a
 * cycle with nothing new writes nothing; reasons and evidence count as changed when their wording
 * changes, and their figures are refreshed whenever anything else is written. Pure and deterministic.
 */
import type { ChurnRisk, CrossSellOpportunity } from './insights.js';
import type { CrmSource } from './model.js';

export type FieldValue = string | number | boolean | null;

/** Logical field names; connectors map them to their CRM's property / field names. */
export const writeBackFields = ['churnRiskScore', 'churnRiskBand', 'churnRiskTrend', 'churnRiskReasons', 'crossSellTop', 'crossSellEvidence', 'lastScoredAt'] as const;
export type WriteBackField = (typeof writeBackFields)[number];

export const REASONS_MAX_CHARS = 1000;

/** What AccountPulse wants the CRM to show for an account, as field values. */
export function desiredFields(risk: ChurnRisk | null, crossSell: readonly CrossSellOpportunity[]): Partial<Record<WriteBackField, FieldValue>> {
  const out: Partial<Record<WriteBackField, FieldValue>> = {};
  if (risk) {
    out.churnRiskScore = Math.round(risk.score);
    out.churnRiskBand = risk.band;
    out.churnRiskTrend = risk.trend;
    out.churnRiskReasons = truncate(risk.drivers.slice(0, 3).map((d) => d.text).join('; '), REASONS_MAX_CHARS);
    out.lastScoredAt = risk.scoredAt;
  }
  const top = crossSell[0];
  out.crossSellTop = top ? top.product : null;
  out.crossSellEvidence = top ? truncate(top.evidence.join('; '), REASONS_MAX_CHARS) : null;
  return out;
}

function truncate(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}

export interface WriteTarget {
  source: CrmSource;
  /** the CRM's id of the account */
  externalId: string;
  /** our id of the account record in that CRM */
  accountId: string;
  desired: Partial<Record<WriteBackField, FieldValue>>;
  /** what the CRM holds now for our fields, when known (from the last sync); undefined = unknown */
  current?: Partial<Record<WriteBackField, FieldValue>>;
}

export interface LedgerView {
  /** last value we wrote, by `${externalId}|${field}` */
  written: ReadonlyMap<string, { value: FieldValue }>;
  /** writes that failed before and are due for retry, by `${externalId}|${field}` */
  failed: ReadonlyMap<string, { value: FieldValue; attempts: number }>;
}

export interface PlannedUpdate {
  source: CrmSource;
  externalId: string;
  accountId: string;
  fields: Partial<Record<WriteBackField, FieldValue>>;
}

export interface SkippedEdit {
  source: CrmSource;
  externalId: string;
  accountId: string;
  field: WriteBackField;
  ours: FieldValue;
  theirs: FieldValue;
}

export interface WriteBackPlan {
  updates: PlannedUpdate[];
  /** fields left alone because a person changed them since our last write */
  skippedHumanEdits: SkippedEdit[];
  /** fields whose desired value equals what we last wrote (within tolerance) */
  unchangedFields: number;
}

export interface PlanOptions {
  scoreTolerance: number;
  overwriteHumanEdits: boolean;
  /**
   * Rewrite reasons and evidence whose wording is the same but whose figures moved (normally not
   * worth a write): after a rescore on a portfolio that was incomplete, the figures were wrong.
   */
  refreshTexts?: boolean;
}

function equalValues(a: FieldValue, b: FieldValue): boolean {
  if (a === b) return true;
  if (a === null || b === null) return (a ?? '') === (b ?? '');
  return String(a) === String(b);
}

/** Reasons and evidence quote figures that drift daily ("no activity for 63 days"); only a change of wording is news. */
const wordingOnly = (v: FieldValue) => (typeof v === 'string' ? v.replace(/\d+([.,]\d+)?/g, '#') : v);

function withinTolerance(field: WriteBackField, a: FieldValue, b: FieldValue, tolerance: number, refreshTexts: boolean): boolean {
  if (field === 'churnRiskReasons' || field === 'crossSellEvidence') return refreshTexts ? equalValues(a, b) : equalValues(wordingOnly(a), wordingOnly(b));
  if (field !== 'churnRiskScore') return equalValues(a, b);
  if (typeof a === 'number' && typeof b === 'number') return Math.abs(a - b) < Math.max(tolerance, 1e-9);
  return equalValues(a, b);
}

export function planWriteBack(targets: readonly WriteTarget[], ledger: LedgerView, options: PlanOptions): WriteBackPlan {
  const updates: PlannedUpdate[] = [];
  const skippedHumanEdits: SkippedEdit[] = [];
  let unchangedFields = 0;
  for (const t of targets) {
    const fields: Partial<Record<WriteBackField, FieldValue>> = {};
    for (const field of writeBackFields) {
      if (field === 'lastScoredAt' || !(field in t.desired)) continue;
      const value = t.desired[field] as FieldValue;
      const key = `${t.externalId}|${field}`;
      const last = ledger.written.get(key);
      const retry = ledger.failed.get(key);
      if (last && withinTolerance(field, value, last.value, options.scoreTolerance, options.refreshTexts ?? false) && !retry) {
        unchangedFields += 1;
        continue;
      }
      if (!last && value === null && !retry) {
        // Never written and nothing to say: do not write an empty value.
        unchangedFields += 1;
        continue;
      }
      const theirs = t.current?.[field];
      if (last && theirs !== undefined && !equalValues(theirs, last.value) && !options.overwriteHumanEdits) {
        skippedHumanEdits.push({ source: t.source, externalId: t.externalId, accountId: t.accountId, field, ours: value, theirs });
        continue;
      }
      fields[field] = value;
    }
    if (Object.keys(fields).length === 0) continue;
    for (const rider of ['churnRiskReasons', 'crossSellEvidence', 'lastScoredAt'] as const) {
      const v = t.desired[rider];
      if (v === undefined || rider in fields) continue;
      const last = ledger.written.get(`${t.externalId}|${rider}`);
      if (rider === 'lastScoredAt' || (last && !equalValues(v, last.value))) fields[rider] = v;
    }
    updates.push({ source: t.source, externalId: t.externalId, accountId: t.accountId, fields });
  }
  updates.sort((a, b) => a.source.localeCompare(b.source) || a.externalId.localeCompare(b.externalId));
  return { updates, skippedHumanEdits, unchangedFields };
}

/** A record without what our own write-back changes: its modstamp and AccountPulse's fields (`ap.*`). */
function withoutOwnFields(record: unknown): string {
  if (!record || typeof record !== 'object') return JSON.stringify(record);
  const { updatedAt: _updatedAt, fields, ...rest } = record as { updatedAt?: unknown; fields?: Record<string, unknown> };
  const theirs = Object.entries(fields ?? {})
    .filter(([k]) => !k.startsWith('ap.'))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([Object.entries(rest).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)), theirs]);
}

/**
 * True when an account read back from the CRM differs from the stored one only in AccountPulse's
 * own fields: the echo of our write-back. It is stored (the write-back compares against it to see
 * a person's edits) but is no reason to score the account again.
 */
export function isWriteBackEcho(previous: unknown, next: unknown): boolean {
  return previous !== undefined && previous !== null && withoutOwnFields(previous) === withoutOwnFields(next);
}
