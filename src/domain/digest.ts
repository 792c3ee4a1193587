/**
 * The weekly digest for sales leaders: what is open (churn, renewals, pacing, forecast gaps,
 * slipped commits), the riskiest accounts and the best cross-sell opportunities, as one message
 * delivered through the alert routes. It has identity (one per ISO week) so it is sent once.
 */
import type { Alert, Attainment, ChurnRisk, CrossSellOpportunity } from './insights.js';

export interface DigestInput {
  now: string;
  openAlerts: readonly Alert[];
  riskiest: readonly (ChurnRisk & { name: string })[];
  crossSell: readonly (CrossSellOpportunity & { name: string })[];
  org: Attainment | null;
}

/** ISO week id (e.g. 2026-W48) of an instant. */
export function isoWeek(iso: string): string {
  const d = new Date(iso);
  const day = (d.getUTCDay() + 6) % 7;
  const thursday = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - day + 3));
  const firstThursday = new Date(Date.UTC(thursday.getUTCFullYear(), 0, 4));
  const week = 1 + Math.round(((thursday.getTime() - firstThursday.getTime()) / 86_400_000 - 3 + ((firstThursday.getUTCDay() + 6) % 7)) / 7);
  return `${thursday.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

const pct = (x: number | null) => (x === null ? 'n/a' : `${Math.round(x * 100)}%`);

export function buildDigest(input: DigestInput): Alert {
  const week = isoWeek(input.now);
  const count = (type: Alert['type']) => input.openAlerts.filter((a) => a.type === type).length;
  const details: string[] = [];
  if (input.org) {
    details.push(`${input.org.period.id}: ${pct(input.org.attainment)} of quota won, forecast ${Math.round(input.org.forecast)} of ${input.org.quota === null ? 'n/a' : Math.round(input.org.quota)}, pacing ${pct(input.org.pacing.seasonal ?? input.org.pacing.linear)}`);
  }
  details.push(
    `Open: ${count('churn_band_rose')} red accounts, ${count('renewal_at_risk')} renewals at risk, ${count('pacing_behind')} reps behind pace, ${count('forecast_gap')} forecast gaps, ${count('commit_slipped')} slipped commit deals`,
  );
  for (const r of input.riskiest.slice(0, 5)) details.push(`Risk ${Math.round(r.score)} ${r.name}: ${r.drivers[0]?.text ?? 'no driver'}`);
  for (const x of input.crossSell.slice(0, 3)) details.push(`Cross-sell ${x.product} to ${x.name}: ${x.evidence[0] ?? ''}`);
  return {
    key: `digest|team:org|week:${week}`,
    type: 'digest',
    severity: 'info',
    subject: { kind: 'team', id: 'org', name: 'Whole org' },
    reason: `week:${week}`,
    // Never open: a digest is news, not a condition that resolves.
    state: 'resolved',
    title: `Weekly digest ${week}: ${count('churn_band_rose')} red accounts, ${count('renewal_at_risk')} renewals at risk, ${count('pacing_behind')} reps behind pace`,
    details,
    records: input.riskiest.slice(0, 5).map((r) => ({ type: 'account', id: r.accountId, label: r.name })),
    ownerId: null,
    teamId: null,
    openedAt: input.now,
    updatedAt: input.now,
    resolvedAt: input.now,
    version: 1,
  };
}
