import { describe, expect, it } from 'vitest';
import { accountConditions, attainmentConditions, connectionConditions, reconcileAlerts, type AlertRulesConfig } from '../../src/domain/alerts.js';
import type { Alert, Attainment, ChurnRisk } from '../../src/domain/insights.js';

const rules: AlertRulesConfig = {
  churnBandRose: { enabled: true, to: 'red' },
  churnScoreDrop: { enabled: true, points: 15, days: 30 },
  renewalAtRisk: { enabled: true, days: 60 },
  pacingBehind: { enabled: true, threshold: 0.7, afterFraction: 0.5 },
  forecastGap: { enabled: true, threshold: 0.85 },
  commitSlipped: { enabled: true },
  crossSell: { enabled: true, minScore: 0.5 },
  syncHealth: { enabled: true, errorRate: 0.05 },
};

const risk = (score: number, previous: number | null, at = '2026-11-20T00:00:00.000Z'): ChurnRisk => ({
  accountId: 'hubspot:1', score, band: score >= 70 ? 'red' : score >= 40 ? 'amber' : 'green', previous, previousBand: null, trend: 'up',
  completeness: 1, model: 'rules', probability: null, scoredAt: at, configVersion: 'c1',
  drivers: [{ signal: 'activityRecency', risk: 100, points: 30, text: 'No activity for 63 days (last: call hubspot:55, 2026-09-18)', records: [{ type: 'call', id: 'hubspot:55', at: '2026-09-18' }] }],
});

const account = { id: 'hubspot:1', name: 'Acme', ownerId: 'hubspot:o1', renewalDate: '2026-12-20' };
const asOf = '2026-11-20T00:00:00.000Z';

describe('alert conditions', () => {
  it('red band, a 15-point rise in 30 days, and renewal within 60 days while red', () => {
    const conds = accountConditions({ account, teamId: 't1', risk: risk(78, 41), history: [{ at: '2026-11-20T00:00:00.000Z', score: 78 }, { at: '2026-11-01T00:00:00.000Z', score: 41 }, { at: '2026-09-01T00:00:00.000Z', score: 20 }], crossSell: [] }, rules, asOf);
    expect(conds.map((c) => [c.type, c.reason, c.severity, c.title])).toEqual([
      ['churn_band_rose', 'band:red', 'critical', 'Acme: churn risk 78 (red, was 41)'],
      ['churn_score_drop', 'rise:30d', 'warning', 'Acme: churn risk up 37 points in 19 days (41 → 78)'],
      ['renewal_at_risk', 'renewal:2026-12-20', 'critical', 'Acme: renewal in 30 days (2026-12-20) while red'],
    ]);
    expect(conds[0]?.details).toEqual(['No activity for 63 days (last: call hubspot:55, 2026-09-18)']);
    expect(conds[0]?.records).toEqual([{ type: 'call', id: 'hubspot:55', at: '2026-09-18' }]);
  });

  it('a green account raises nothing', () => {
    expect(accountConditions({ account, teamId: null, risk: risk(20, 18), history: [], crossSell: [] }, rules, asOf)).toEqual([]);
  });

  it('pacing behind after mid-period; forecast gap for a team; slipped commit deals', () => {
    const row = (over: Partial<Attainment>): Attainment => ({
      scope: 'owner', subjectId: 'hubspot:o1', subjectName: 'Grace Hopper', period: { id: 'FY2026-Q4', kind: 'quarter', start: '2026-10-01', end: '2026-12-31' }, asOf: '2026-11-20',
      currency: 'USD', quota: 100_000, closedWon: 30_000, attainment: 0.3, expectedToDate: { linear: 55_000, seasonal: 50_000 }, pacing: { linear: 0.545, seasonal: 0.6 },
      weightedPipeline: 20_000, categories: { closed: 30_000, commit: 10_000, bestCase: 5_000, pipeline: 8_000, omitted: 0 }, rollups: { commit: 40_000, bestCase: 45_000, openPipeline: 23_000 },
      forecast: 60_000, coverage: 0.33, winRate: 0.5, avgDealSize: 10_000, cycleDays: 40, velocityPerDay: 100,
      slippage: { pushedDeals: 1, pushCount: 2, daysPushed: 45, commitSlippedOut: [{ type: 'deal', id: 'hubspot:d9', label: 'Acme expansion', at: '2027-01-15' }] }, notes: [], ...over,
    });
    const conds = attainmentConditions({ rows: [row({}), row({ scope: 'team', subjectId: 'hubspot:m1', subjectName: 'East', slippage: { pushedDeals: 0, pushCount: 0, daysPushed: 0, commitSlippedOut: [] } })], elapsed: { 'FY2026-Q4': 0.55 }, ownerTeam: { 'hubspot:o1': 'hubspot:m1' } }, rules);
    expect(conds.map((c) => [c.type, c.subject.id, c.reason, c.title])).toEqual([
      ['pacing_behind', 'hubspot:o1', 'period:FY2026-Q4', 'Grace Hopper: pacing at 60% of expected in FY2026-Q4 (30% of quota, 55% of the period gone)'],
      ['commit_slipped', 'hubspot:d9', 'period:FY2026-Q4', 'Commit deal Acme expansion slipped out of FY2026-Q4'],
      ['forecast_gap', 'hubspot:m1', 'period:FY2026-Q4', 'East: forecast 60% of quota for FY2026-Q4 (gap 40000)'],
    ]);
    expect(conds[0]?.teamId).toBe('hubspot:m1');
  });

  it('sync health', () => {
    expect(connectionConditions([{ source: 'salesforce', problem: 'budget', message: '190 of 1000 calls left' }], rules)).toMatchObject([{ type: 'sync_health', severity: 'warning', reason: 'budget', title: 'salesforce: daily API budget reserve reached' }]);
  });
});

describe('reconcileAlerts', () => {
  const now1 = '2026-11-20T00:00:00.000Z';
  const now2 = '2026-11-21T00:00:00.000Z';
  const cond = accountConditions({ account, teamId: null, risk: risk(78, 41), history: [], crossSell: [] }, { ...rules, renewalAtRisk: { enabled: false, days: 1 } }, asOf);
  const evaluated = { subjects: new Set(['account:hubspot:1']), types: new Set(['churn_band_rose', 'churn_score_drop', 'renewal_at_risk', 'cross_sell'] as const) };

  it('opens, keeps, updates, resolves and reopens with increasing versions', () => {
    const first = reconcileAlerts(cond, new Map(), evaluated, now1);
    expect(first.changed).toHaveLength(1);
    const opened = first.changed[0] as Alert;
    expect(opened).toMatchObject({ key: 'churn_band_rose|account:hubspot:1|band:red', state: 'open', version: 1, openedAt: now1 });

    const same = reconcileAlerts(cond, new Map([[opened.key, opened]]), evaluated, now2);
    expect(same).toEqual({ changed: [], unchanged: 1 });

    const worse = accountConditions({ account, teamId: null, risk: risk(85, 78), history: [], crossSell: [] }, { ...rules, renewalAtRisk: { enabled: false, days: 1 } }, asOf);
    const upd = reconcileAlerts(worse, new Map([[opened.key, opened]]), evaluated, now2);
    expect(upd.changed[0]).toMatchObject({ state: 'open', version: 2, openedAt: now1, updatedAt: now2, title: 'Acme: churn risk 85 (red, was 78)' });

    const resolved = reconcileAlerts([], new Map([[opened.key, upd.changed[0] as Alert]]), evaluated, now2);
    expect(resolved.changed[0]).toMatchObject({ state: 'resolved', version: 3, resolvedAt: now2 });

    const reopened = reconcileAlerts(cond, new Map([[opened.key, resolved.changed[0] as Alert]]), evaluated, '2026-11-25T00:00:00.000Z');
    expect(reopened.changed[0]).toMatchObject({ state: 'open', version: 4, openedAt: '2026-11-25T00:00:00.000Z', resolvedAt: null });
  });

  it('does not resolve alerts of subjects or types that were not evaluated', () => {
    const opened = reconcileAlerts(cond, new Map(), evaluated, now1).changed[0] as Alert;
    expect(reconcileAlerts([], new Map([[opened.key, opened]]), { subjects: new Set(['account:other']), types: evaluated.types }, now2).changed).toEqual([]);
    expect(reconcileAlerts([], new Map([[opened.key, opened]]), { subjects: evaluated.subjects, types: new Set(['pacing_behind'] as const) }, now2).changed).toEqual([]);
  });
});

describe('reconcileAlerts compares content, not key order', () => {
  it('a stored alert whose records were re-serialised in another key order is unchanged', () => {
    const cond = accountConditions({ account, teamId: null, risk: risk(78, null), history: [], crossSell: [] }, { ...rules, churnScoreDrop: { enabled: false, points: 1, days: 1 }, renewalAtRisk: { enabled: false, days: 1 } }, asOf);
    const opened = reconcileAlerts(cond, new Map(), { subjects: new Set(['account:hubspot:1']), types: new Set(['churn_band_rose'] as const) }, asOf).changed[0] as Alert;
    const reordered: Alert = { ...opened, records: opened.records.map((r) => ({ at: r.at, label: r.label, id: r.id, type: r.type })) };
    expect(reconcileAlerts(cond, new Map([[opened.key, reordered]]), { subjects: new Set(['account:hubspot:1']), types: new Set(['churn_band_rose'] as const) }, asOf)).toEqual({ changed: [], unchanged: 1 });
  });
});
