import { describe, expect, it } from 'vitest';
import {
  backtestRuleScore,
  buildSnapshots,
  churnDateOf,
  encodeRow,
  evaluateChurnModel,
  explainChurn,
  featureContributions,
  fitEncoder,
  monthEnds,
  predictChurn,
  scoreChurnLearned,
  snapshotFeatures,
  splitByTime,
  trainChurnModel,
  type FeatureRecord,
} from '../../src/domain/learn/churnModel.js';
import { rocAuc } from '../../src/domain/learn/metrics.js';
import { resolveChurnConfig, type ChurnInput } from '../../src/domain/churn.js';
import { emptyAggregate, type ActivityAggregate } from '../../src/domain/activity.js';
import { ChurnRisk } from '../../src/domain/insights.js';
import type { Account, Contact, Deal, Ticket } from '../../src/domain/model.js';
import { accountRecord } from '../helpers/records.js';

const account = accountRecord;

function deal(id: string, over: Partial<Deal>): Deal {
  return {
    id,
    source: 'salesforce',
    externalId: id,
    updatedAt: '2026-06-30T00:00:00.000Z',
    name: id,
    accountId: null,
    ownerId: null,
    amount: 100,
    currency: null,
    status: 'open',
    stage: 's',
    stageId: 's',
    pipeline: null,
    probability: null,
    forecastCategory: 'pipeline',
    closeDate: null,
    type: 'renewal',
    createdAt: '2025-01-01T00:00:00.000Z',
    ...over,
  };
}

function ticket(id: string, priority: Ticket['priority'], createdAt: string, closedAt: string | null): Ticket {
  return {
    id,
    source: 'salesforce',
    externalId: id,
    updatedAt: createdAt,
    accountId: null,
    subject: id,
    priority,
    status: closedAt ? 'closed' : 'open',
    escalated: false,
    createdAt,
    closedAt,
  };
}

function contact(id: string, createdAt: string): Contact {
  return {
    id,
    source: 'salesforce',
    externalId: id,
    updatedAt: createdAt,
    accountId: null,
    name: id,
    email: null,
    title: null,
    active: true,
    createdAt,
  };
}

function input(acc: Account, over: Partial<ChurnInput> = {}): ChurnInput {
  return { account: acc, contacts: [], activity: emptyAggregate(acc.id), tickets: [], deals: [], usage: [], ...over };
}

describe('snapshotFeatures', () => {
  const T = '2026-06-30T23:59:59.999Z';
  const weeks = (w: Record<string, number>): ActivityAggregate['weeks'] =>
    Object.fromEntries(Object.entries(w).map(([k, n]) => [k, { 'call:outbound': n }]));
  const past: ChurnInput = input(account('salesforce:A', { createdAt: '2025-06-30T00:00:00.000Z', fields: { plan: 'pro', status: 'cancelled' } }), {
    activity: {
      ...emptyAggregate('salesforce:A'),
      // t is a Tuesday: its week (2026-06-29) is partial and left out; current = the 13 whole weeks
      // 2026-03-30..2026-06-22, previous = 2025-12-29..2026-03-23
      weeks: weeks({ '2026-06-29': 5, '2026-06-22': 2, '2026-03-30': 1, '2026-03-23': 4, '2025-12-29': 1, '2025-12-22': 7 }),
      competitorMentions: [{ competitor: 'Acme', activityId: 'salesforce:n1', type: 'note', at: '2026-06-15T00:00:00.000Z' }],
    },
    contacts: [contact('salesforce:c1', '2026-01-01T00:00:00.000Z')],
    tickets: [
      ticket('salesforce:t1', 'urgent', '2026-06-01T00:00:00.000Z', '2026-07-15T00:00:00.000Z'),
      ticket('salesforce:t2', 'high', '2026-05-01T00:00:00.000Z', '2026-05-10T00:00:00.000Z'),
      ticket('salesforce:t3', 'low', '2026-01-01T00:00:00.000Z', null),
    ],
    deals: [
      deal('salesforce:d1', { status: 'lost', type: 'renewal', closeDate: '2026-03-01' }),
      deal('salesforce:d2', { status: 'lost', type: 'expansion', closeDate: '2025-12-01' }),
      deal('salesforce:d3', { status: 'open', type: 'renewal', closeDate: '2026-09-28', createdAt: '2026-05-01T00:00:00.000Z' }),
    ],
    usage: [
      { accountId: 'salesforce:A', metric: 'seats', date: '2026-06-01', value: 10, source: 'api' },
      { accountId: 'salesforce:A', metric: 'seats', date: '2026-05-01', value: 10, source: 'api' },
      { accountId: 'salesforce:A', metric: 'seats', date: '2026-03-01', value: 20, source: 'api' },
    ],
  });

  const expected: FeatureRecord = {
    tenureDays: 365,
    activityCurrent: 3,
    activityPrevious: 5,
    activityLogRatio: Math.log(4 / 6),
    daysSinceActivity: 2,
    contacts: 1,
    ticketLoadOpen: 3.5,
    ticketsRaised: 2,
    lostDeals: 1,
    daysToRenewal: 90,
    usageChangePct: -50,
    competitorMentions: 1,
    'field:plan': 'pro',
  };

  it('computes each feature from data at or before t', () => {
    expect(snapshotFeatures(past, T, { staticFields: ['plan'] })).toEqual(expected);
  });

  it('counts the week holding t only when t ends it (Sunday)', () => {
    const one = input(account('salesforce:W'), { activity: { ...emptyAggregate('salesforce:W'), weeks: weeks({ '2026-06-22': 2 }) } });
    expect(snapshotFeatures(one, '2026-06-28T23:59:59.999Z')).toMatchObject({ activityCurrent: 2, daysSinceActivity: 0 });
    expect(snapshotFeatures(one, '2026-06-27T23:59:59.999Z')).toMatchObject({ activityCurrent: 0 });
  });

  it('is unchanged by anything that happens after t (no leakage)', () => {
    const withFuture: ChurnInput = {
      ...past,
      activity: {
        ...past.activity,
        weeks: { ...past.activity.weeks, ...weeks({ '2026-06-29': 9, '2026-07-06': 3, '2026-09-07': 9 }) },
        // lastTouch and contact dates reveal the future and must not be read
        lastTouch: { call: { id: 'salesforce:x', type: 'call', at: '2026-09-08T00:00:00.000Z', subject: null } },
        contacts: { 'salesforce:c1': '2026-09-08T00:00:00.000Z' },
        competitorMentions: [...past.activity.competitorMentions, { competitor: 'Acme', activityId: 'salesforce:n2', type: 'note', at: '2026-07-15T00:00:00.000Z' }],
      },
      contacts: [...past.contacts, contact('salesforce:c2', '2026-08-01T00:00:00.000Z')],
      tickets: [...past.tickets, ticket('salesforce:t9', 'urgent', '2026-07-02T00:00:00.000Z', null)],
      deals: [
        ...past.deals,
        deal('salesforce:d8', { status: 'lost', type: 'renewal', closeDate: '2026-08-01', createdAt: '2026-07-01T00:00:00.000Z' }),
        deal('salesforce:d9', { status: 'open', type: 'renewal', closeDate: '2026-08-01', createdAt: '2026-07-10T00:00:00.000Z' }),
      ],
      usage: [...past.usage, { accountId: 'salesforce:A', metric: 'seats', date: '2026-07-01', value: 0, source: 'api' }],
    };
    expect(snapshotFeatures(withFuture, T, { staticFields: ['plan'] })).toEqual(expected);
  });
});

describe('labels and snapshots', () => {
  const labels = { churnDateField: 'churn_date', lostRenewals: true };
  const A = input(account('salesforce:A'), { deals: [deal('salesforce:dA', { status: 'lost', type: 'renewal', closeDate: '2026-03-15' })] });
  const B = input(account('salesforce:B', { createdAt: '2026-02-10T00:00:00.000Z' }));
  const C = input(account('salesforce:C', { churned: true }));
  const D = input(account('salesforce:D', { churned: true, fields: { churn_date: '2026-05-20' } }));

  it('dates churn from the label field or a lost renewal; a flag without a date is undated', () => {
    expect(churnDateOf(A, labels)).toEqual({ date: '2026-03-15', undated: false });
    expect(churnDateOf(A, { lostRenewals: false })).toEqual({ date: null, undated: false });
    expect(churnDateOf(B, labels)).toEqual({ date: null, undated: false });
    expect(churnDateOf(C, labels)).toEqual({ date: null, undated: true });
    expect(churnDateOf(D, labels)).toEqual({ date: '2026-05-20', undated: false });
  });

  it('lists month ends within the range', () => {
    expect(monthEnds('2026-01-15', '2026-04-30')).toEqual(['2026-01-31', '2026-02-28', '2026-03-31', '2026-04-30']);
    expect(monthEnds('2024-02-01', '2024-03-30')).toEqual(['2024-02-29']);
  });

  const built = buildSnapshots([D, C, B, A], { from: '2026-01-01', to: '2026-06-30', dataEnd: '2026-06-30', horizonDays: 90, labels });

  it('one row per live account and month end with an observed horizon; label = churn in (t, t+90d]', () => {
    expect(built.undatedChurned).toEqual(['salesforce:C']);
    expect(built.snapshots.map((s) => [s.t, s.accountId, s.label])).toEqual([
      ['2026-01-31', 'salesforce:A', 1],
      ['2026-01-31', 'salesforce:D', 0],
      ['2026-02-28', 'salesforce:A', 1],
      ['2026-02-28', 'salesforce:B', 0],
      ['2026-02-28', 'salesforce:D', 1],
      ['2026-03-31', 'salesforce:B', 0],
      ['2026-03-31', 'salesforce:D', 1],
    ]);
  });

  it('splits by time: test from T0 on, train only where the horizon ends by T0', () => {
    const short = splitByTime(built.snapshots, '2026-03-31', 30);
    expect(short.test.map((s) => s.accountId)).toEqual(['salesforce:B', 'salesforce:D']);
    expect(short.train).toHaveLength(5);
    // 2026-01-31 + 59 days = 2026-03-31 (kept); 2026-02-28 + 59 days = 2026-04-28 (dropped)
    const long = splitByTime(built.snapshots, '2026-03-31', 59);
    expect(long.train.map((s) => s.t)).toEqual(['2026-01-31', '2026-01-31']);
  });
});

describe('encoder', () => {
  const train: FeatureRecord[] = [
    { usage: 10, plan: 'pro' },
    { usage: null, plan: 'basic' },
    { usage: 20, plan: 'enterprise' },
    { usage: '30', plan: null },
  ];
  const enc = fitEncoder(train, { numeric: ['usage'], categorical: ['plan'] });

  it('imputes the training mean with a missing indicator; one-hot drops the first sorted level', () => {
    expect(enc.columns).toEqual(['usage', 'usage:missing', 'plan=basic', 'plan=enterprise', 'plan=pro']);
    expect(enc.categorical[0]?.reference).toBe('(missing)');
    expect(encodeRow(enc, { usage: null, plan: 'pro' })).toEqual([20, 1, 0, 0, 1]);
    expect(encodeRow(enc, { usage: 5, plan: 'unknown-plan' })).toEqual([5, 0, 0, 0, 0]);
  });
});

/** mulberry32 + Box-Muller: a seeded synthetic data set with a known logistic truth. */
function synthetic(n: number, seed: number): { records: FeatureRecord[]; labels: number[]; logits: number[] } {
  let a = seed;
  const rand = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const records: FeatureRecord[] = [];
  const labels: number[] = [];
  const logits: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
    const plan = ['a', 'b', 'c'][Math.floor(rand() * 3)] as string;
    const z = -1 + 1.5 * x + (plan === 'b' ? 1 : plan === 'c' ? -1 : 0);
    records.push({ x, plan });
    logits.push(z);
    labels.push(rand() < 1 / (1 + Math.exp(-z)) ? 1 : 0);
  }
  return { records, labels, logits };
}

describe('trainChurnModel / evaluate / explain', () => {
  const spec = { numeric: ['x'], categorical: ['plan'] };
  const train = synthetic(20000, 1);
  const model = trainChurnModel(train.records, train.labels, spec, { lambda: 0.01 });

  it('recovers the generating coefficients (raw units = standardised / sd)', () => {
    const raw = model.fit.coefficients.map((c, j) => c / (model.standardizer.sds[j] as number));
    expect(model.encoder.columns).toEqual(['x', 'plan=b', 'plan=c']);
    // 20,000 rows: standard errors are about 0.03-0.04, so 0.15 is a 4-sigma band
    expect(Math.abs((raw[0] as number) - 1.5)).toBeLessThan(0.15);
    expect(Math.abs((raw[1] as number) - 1)).toBeLessThan(0.15);
    expect(Math.abs((raw[2] as number) + 1)).toBeLessThan(0.15);
    const intercept = model.fit.intercept - model.fit.coefficients.reduce((s, c, j) => s + c * ((model.standardizer.means[j] as number) / (model.standardizer.sds[j] as number)), 0);
    expect(Math.abs(intercept + 1)).toBeLessThan(0.15);
    expect(model.fit.converged).toBe(true);
  });

  it('ranks held-out rows almost as well as the true model', () => {
    const test = synthetic(4000, 2);
    const evaluation = evaluateChurnModel(model, test.records, test.labels);
    const truth = rocAuc(test.logits, test.labels) as number;
    expect(evaluation.rocAuc as number).toBeGreaterThan(truth - 0.005);
    expect(evaluation.rocAuc as number).toBeLessThanOrEqual(truth + 0.005);
    expect(evaluation.brier as number).toBeLessThan(evaluation.brierBaseline as number);
    expect(evaluation.calibration.reduce((s, b) => s + b.count, 0)).toBe(4000);
    expect(evaluation.rows).toBe(4000);
  });

  it('explains an account by feature, one-hot columns summed, raising features only', () => {
    const record = { x: 2, plan: 'b' };
    const contributions = featureContributions(model, record);
    expect(contributions.map((c) => c.feature).sort()).toEqual(['plan', 'x']);
    const row = contributions.find((c) => c.feature === 'plan');
    // plan=b column and plan=c column (value 0, standardised below its mean) both count
    const j = model.encoder.columns.indexOf('plan=b');
    const k = model.encoder.columns.indexOf('plan=c');
    const z = (col: number, v: number) => (v - (model.standardizer.means[col] as number)) / (model.standardizer.sds[col] as number);
    expect(row?.contribution).toBeCloseTo((model.fit.coefficients[j] as number) * z(j, 1) + (model.fit.coefficients[k] as number) * z(k, 0), 12);
    const drivers = explainChurn(model, record, 3);
    expect(drivers.map((d) => d.signal)).toEqual(['x', 'plan']);
    expect(drivers[0]?.text).toMatch(/^x: 2 raises risk \(\+\d\.\d\d log-odds vs the average account\)$/);
    expect(drivers[1]?.text).toMatch(/^plan: b raises risk/);
  });

  it('produces a ChurnRisk with model learned, probability and banded score', () => {
    const config = resolveChurnConfig({});
    const previous = null;
    const r = scoreChurnLearned(model, 'salesforce:A', { x: 2, plan: 'b' }, config, previous, '2026-11-28T00:00:00.000Z');
    const p = predictChurn(model, [{ x: 2, plan: 'b' }])[0] as number;
    expect(ChurnRisk.parse(r)).toEqual(r);
    expect(r).toMatchObject({ model: 'learned', probability: p, score: Math.round(p * 1000) / 10, band: 'red', trend: 'new', completeness: 1 });
    expect(r.configVersion).toBe(`${config.configVersion}/${model.version}`);
    const low = scoreChurnLearned(model, 'salesforce:B', { x: -2, plan: null }, config, r, '2026-11-28T00:00:00.000Z');
    expect(low).toMatchObject({ band: 'green', trend: 'down', previous: r.score, previousBand: 'red', completeness: 0.5 });
  });
});

describe('time-split backtest on synthetic accounts whose activity fades before they churn', () => {
  let a = 99;
  const rand = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const DAY = 86_400_000;
  const firstMonday = Date.parse('2024-01-01T00:00:00Z');
  const inputs: ChurnInput[] = [];
  const churnDates = new Map<string, string>();
  for (let i = 0; i < 200; i++) {
    const id = `salesforce:S${String(i).padStart(3, '0')}`;
    const churnMs = rand() < 0.3 ? Date.parse('2025-03-01T00:00:00Z') + Math.floor(rand() * 450) * DAY : null;
    const weeks: ActivityAggregate['weeks'] = {};
    for (let w = firstMonday; w < Date.parse('2026-07-01T00:00:00Z'); w += 7 * DAY) {
      if (churnMs !== null && w >= churnMs) break;
      const fading = churnMs !== null && w >= churnMs - 120 * DAY;
      const n = fading ? (rand() < 0.3 ? 1 : 0) : 1 + Math.floor(rand() * 4);
      if (n) weeks[new Date(w).toISOString().slice(0, 10)] = { 'email:outbound': n };
    }
    const deals = churnMs === null ? [] : [deal(`salesforce:R${i}`, { status: 'lost', type: 'renewal', closeDate: new Date(churnMs).toISOString().slice(0, 10) })];
    if (churnMs !== null) churnDates.set(id, new Date(churnMs).toISOString().slice(0, 10));
    inputs.push(input(account(id), { activity: { ...emptyAggregate(id), weeks }, deals }));
  }
  const { snapshots } = buildSnapshots(inputs, {
    from: '2025-01-01',
    to: '2026-06-30',
    dataEnd: '2026-06-30',
    horizonDays: 90,
    labels: { lostRenewals: true },
  });
  const { train, test } = splitByTime(snapshots, '2025-12-31', 90);
  const spec = { numeric: ['activityCurrent', 'activityPrevious', 'activityLogRatio', 'daysSinceActivity'], categorical: [] };

  it('never keeps a snapshot at or after the churn date, nor one whose horizon is unobserved', () => {
    expect(snapshots.every((s) => !churnDates.has(s.accountId) || s.t < (churnDates.get(s.accountId) as string))).toBe(true);
    expect(snapshots.every((s) => s.t <= '2026-03-31')).toBe(true);
    expect(train.every((s) => s.t <= '2025-10-02')).toBe(true);
    expect(test.every((s) => s.t >= '2025-12-31')).toBe(true);
    expect(train.length).toBeGreaterThan(1000);
    expect(test.length).toBeGreaterThan(300);
  });

  it('backtests the rule score on the same points', () => {
    const config = resolveChurnConfig({
      weights: { activityRecency: 20, activityTrend: 15, contactEngagement: 0, supportLoad: 0, lostDeals: 0, renewalProximity: 0, usageTrend: 0, competitorMentions: 0 },
    });
    const backtest = backtestRuleScore(inputs, config, { from: '2025-01-01', to: '2026-06-30', dataEnd: '2026-06-30', horizonDays: 90, labels: { lostRenewals: true } });
    expect(backtest.rows).toBe(snapshots.length);
    expect(backtest.positives).toBe(snapshots.filter((s) => s.label === 1).length);
    expect(backtest.rocAuc as number).toBeGreaterThan(0.8);
    expect(backtest.topDecile?.lift as number).toBeGreaterThan(2);
  });

  it('learns from past snapshots and ranks later ones well', () => {
    const model = trainChurnModel(train.map((s) => s.features), train.map((s) => s.label), spec, { lambda: 1 });
    const evaluation = evaluateChurnModel(model, test.map((s) => s.features), test.map((s) => s.label));
    expect(evaluation.positives).toBeGreaterThan(10);
    expect(evaluation.rocAuc as number).toBeGreaterThan(0.95);
    expect(evaluation.brier as number).toBeLessThan(evaluation.brierBaseline as number);
  });
});
