/**
 * Alert rules: turn insights into alerts with identity. Each rule states the conditions that hold
 * now ("this account is red", "this rep is pacing at 54% past mid-quarter"); `reconcileAlerts`
 * compares them with the alerts already known by dedupe key (subject, type, reason):
 *   - a condition without an open alert opens one (or reopens a resolved one, with a new version);
 *   - a condition whose content changed updates the open alert (new version), not a new alert;
 *   - an open alert whose condition no longer holds, for a subject that was evaluated, resolves.
 * Deliveries are per (key, version, state), so a receiver gets each alert state exactly once.
 * Pure and deterministic: same input, same output.
 */
import type { Account, RecordRef } from './model.js';
import { alertKey, type Alert, type AlertSubject, type AlertType, type Attainment, type ChurnRisk, type CrossSellOpportunity, type RiskBand } from './insights.js';

export interface AlertRulesConfig {
  churnBandRose: { enabled: boolean; to: 'amber' | 'red' };
  churnScoreDrop: { enabled: boolean; points: number; days: number };
  renewalAtRisk: { enabled: boolean; days: number };
  pacingBehind: { enabled: boolean; threshold: number; afterFraction: number };
  forecastGap: { enabled: boolean; threshold: number };
  commitSlipped: { enabled: boolean };
  crossSell: { enabled: boolean; minScore: number };
  syncHealth: { enabled: boolean; errorRate: number };
}

/** A condition that holds now: the content of an alert, without its lifecycle. */
export interface AlertCondition {
  type: AlertType;
  severity: Alert['severity'];
  subject: AlertSubject;
  reason: string;
  title: string;
  details: string[];
  records: RecordRef[];
  ownerId: string | null;
  teamId: string | null;
}

export interface AccountAlertInput {
  account: Pick<Account, 'id' | 'name' | 'ownerId' | 'renewalDate'>;
  teamId: string | null;
  risk: ChurnRisk | null;
  /** score history newest first (as the store keeps it), used for "rose N points in D days" */
  history: { at: string; score: number }[];
  crossSell: CrossSellOpportunity[];
}

export interface ConnectionHealth {
  source: string;
  problem: 'auth' | 'budget' | 'error_rate';
  message: string;
}

const bandRank: Record<RiskBand, number> = { green: 0, amber: 1, red: 2 };
const DAY = 86_400_000;

function daysBetween(fromIso: string, toIso: string): number {
  return Math.round((Date.parse(toIso) - Date.parse(fromIso)) / DAY);
}

function driverLines(risk: ChurnRisk, n = 3): string[] {
  return risk.drivers.slice(0, n).map((d) => d.text);
}

function driverRecords(risk: ChurnRisk, n = 3): RecordRef[] {
  return risk.drivers.slice(0, n).flatMap((d) => d.records);
}

export function accountConditions(input: AccountAlertInput, rules: AlertRulesConfig, asOf: string): AlertCondition[] {
  const out: AlertCondition[] = [];
  const { account, risk } = input;
  const subject: AlertSubject = { kind: 'account', id: account.id, name: account.name };
  const base = { subject, ownerId: account.ownerId, teamId: input.teamId };

  if (risk && rules.churnBandRose.enabled && bandRank[risk.band] >= bandRank[rules.churnBandRose.to]) {
    const was = risk.previous === null ? '' : `, was ${Math.round(risk.previous)}`;
    out.push({
      ...base,
      type: 'churn_band_rose',
      severity: risk.band === 'red' ? 'critical' : 'warning',
      reason: `band:${risk.band}`,
      title: `${account.name}: churn risk ${Math.round(risk.score)} (${risk.band}${was})`,
      details: driverLines(risk),
      records: driverRecords(risk),
    });
  }

  if (risk && rules.churnScoreDrop.enabled) {
    const since = new Date(Date.parse(asOf) - rules.churnScoreDrop.days * DAY).toISOString();
    const window = input.history.filter((h) => h.at >= since && h.at < risk.scoredAt);
    const low = window.reduce<{ at: string; score: number } | null>((m, h) => (m === null || h.score < m.score ? h : m), null);
    if (low && risk.score - low.score >= rules.churnScoreDrop.points) {
      out.push({
        ...base,
        type: 'churn_score_drop',
        severity: 'warning',
        reason: `rise:${rules.churnScoreDrop.days}d`,
        title: `${account.name}: churn risk up ${Math.round(risk.score - low.score)} points in ${daysBetween(low.at, risk.scoredAt)} days (${Math.round(low.score)} → ${Math.round(risk.score)})`,
        details: driverLines(risk),
        records: driverRecords(risk),
      });
    }
  }

  if (risk && rules.renewalAtRisk.enabled && account.renewalDate && risk.band !== 'green') {
    const days = daysBetween(asOf.slice(0, 10), account.renewalDate);
    if (days >= 0 && days <= rules.renewalAtRisk.days) {
      out.push({
        ...base,
        type: 'renewal_at_risk',
        severity: risk.band === 'red' ? 'critical' : 'warning',
        reason: `renewal:${account.renewalDate}`,
        title: `${account.name}: renewal in ${days} days (${account.renewalDate}) while ${risk.band}`,
        details: driverLines(risk),
        records: driverRecords(risk),
      });
    }
  }

  if (rules.crossSell.enabled) {
    const top = input.crossSell[0];
    if (top && top.score >= rules.crossSell.minScore) {
      out.push({
        ...base,
        type: 'cross_sell',
        severity: 'info',
        reason: `product:${top.product}`,
        title: `${account.name}: cross-sell ${top.product}${top.estimatedValue ? ` (est. ${Math.round(top.estimatedValue)})` : ''}`,
        details: top.evidence,
        records: [],
      });
    }
  }
  return out;
}

export interface AttainmentAlertInput {
  rows: Attainment[];
  /** period fraction elapsed (0..1) by period id */
  elapsed: Record<string, number>;
  ownerTeam: Record<string, string | null>;
}

const pct = (x: number) => `${Math.round(x * 100)}%`;

export function attainmentConditions(input: AttainmentAlertInput, rules: AlertRulesConfig): AlertCondition[] {
  const out: AlertCondition[] = [];
  for (const row of input.rows) {
    const elapsed = input.elapsed[row.period.id] ?? 0;
    const subject: AlertSubject = { kind: row.scope === 'owner' ? 'owner' : row.scope === 'team' ? 'team' : 'team', id: row.subjectId, name: row.subjectName };
    const ownerId = row.scope === 'owner' ? row.subjectId : null;
    const teamId = row.scope === 'owner' ? (input.ownerTeam[row.subjectId] ?? null) : row.subjectId;
    const pace = row.pacing.seasonal ?? row.pacing.linear;
    if (rules.pacingBehind.enabled && row.scope === 'owner' && elapsed > rules.pacingBehind.afterFraction && pace !== null && pace < rules.pacingBehind.threshold && row.quota) {
      out.push({
        type: 'pacing_behind', severity: 'warning', subject, ownerId, teamId,
        reason: `period:${row.period.id}`,
        title: `${row.subjectName}: pacing at ${pct(pace)} of expected in ${row.period.id} (${pct(row.attainment ?? 0)} of quota, ${pct(elapsed)} of the period gone)`,
        details: [`closed won ${Math.round(row.closedWon)} of quota ${Math.round(row.quota)}`, `forecast ${Math.round(row.forecast)}`],
        records: [],
      });
    }
    if (rules.forecastGap.enabled && row.scope !== 'owner' && row.quota && row.forecast / row.quota < rules.forecastGap.threshold) {
      out.push({
        type: 'forecast_gap', severity: 'warning', subject, ownerId, teamId,
        reason: `period:${row.period.id}`,
        title: `${row.subjectName}: forecast ${pct(row.forecast / row.quota)} of quota for ${row.period.id} (gap ${Math.round(row.quota - row.forecast)})`,
        details: [`commit ${Math.round(row.rollups.commit)}, best case ${Math.round(row.rollups.bestCase)}, coverage ${row.coverage === null ? 'n/a' : row.coverage.toFixed(1)}x`],
        records: [],
      });
    }
    if (rules.commitSlipped.enabled && row.scope === 'owner') {
      for (const deal of row.slippage.commitSlippedOut) {
        out.push({
          type: 'commit_slipped', severity: 'warning',
          subject: { kind: 'deal', id: deal.id, name: deal.label ?? deal.id }, ownerId, teamId,
          reason: `period:${row.period.id}`,
          title: `Commit deal ${deal.label ?? deal.id} slipped out of ${row.period.id}`,
          details: [deal.at ? `close date now ${deal.at}` : 'close date moved past the period end'],
          records: [deal],
        });
      }
    }
  }
  return out;
}

export function connectionConditions(health: readonly ConnectionHealth[], rules: AlertRulesConfig): AlertCondition[] {
  if (!rules.syncHealth.enabled) return [];
  return health.map((h) => ({
    type: 'sync_health' as const,
    severity: h.problem === 'budget' ? ('warning' as const) : ('critical' as const),
    subject: { kind: 'connection' as const, id: h.source, name: h.source },
    reason: h.problem,
    title: `${h.source}: ${h.problem === 'auth' ? 'authentication failed' : h.problem === 'budget' ? 'daily API budget reserve reached' : 'error rate too high'}`,
    details: [h.message],
    records: [],
    ownerId: null,
    teamId: null,
  }));
}

export interface ReconcileResult {
  /** alerts to store and deliver: opened, updated, reopened or resolved (each with a new version) */
  changed: Alert[];
  unchanged: number;
}

/** JSON with sorted keys: a stored alert (re-serialised) and a fresh condition compare by content, not key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function sameContent(a: Alert, c: AlertCondition): boolean {
  return a.title === c.title && a.severity === c.severity && canonical(a.details) === canonical(c.details) && canonical(a.records) === canonical(c.records);
}

/**
 * @param conditions every condition that holds now for the evaluated subjects
 * @param existing the stored alerts of those subjects (open and resolved), by key
 * @param evaluated subject keys (`${kind}:${id}`) and types this evaluation covered: open alerts of
 *        these without a condition resolve; others are left alone
 */
export function reconcileAlerts(
  conditions: readonly AlertCondition[],
  existing: ReadonlyMap<string, Alert>,
  evaluated: { subjects: ReadonlySet<string>; types: ReadonlySet<AlertType> },
  now: string,
): ReconcileResult {
  const changed: Alert[] = [];
  let unchanged = 0;
  const seen = new Set<string>();
  for (const c of conditions) {
    const key = alertKey(c.type, c.subject, c.reason);
    if (seen.has(key)) continue;
    seen.add(key);
    const prev = existing.get(key);
    if (prev && prev.state === 'open' && sameContent(prev, c)) {
      unchanged += 1;
      continue;
    }
    const reopened = !prev || prev.state === 'resolved';
    changed.push({
      key,
      type: c.type,
      severity: c.severity,
      subject: c.subject,
      reason: c.reason,
      state: 'open',
      title: c.title,
      details: c.details,
      records: c.records,
      ownerId: c.ownerId,
      teamId: c.teamId,
      openedAt: reopened ? now : (prev as Alert).openedAt,
      updatedAt: now,
      resolvedAt: null,
      version: (prev?.version ?? 0) + 1,
    });
  }
  for (const [key, prev] of existing) {
    if (prev.state !== 'open' || seen.has(key)) continue;
    if (!evaluated.types.has(prev.type) || !evaluated.subjects.has(`${prev.subject.kind}:${prev.subject.id}`)) continue;
    changed.push({ ...prev, state: 'resolved', resolvedAt: now, updatedAt: now, version: prev.version + 1 });
  }
  changed.sort((a, b) => a.key.localeCompare(b.key));
  return { changed, unchanged };
}
