/**
 * computeAttainment on one small hand-made org, every figure worked out by hand in the comments.
 *
 * Period FY2026-Q3 = 2026-07-01..2026-09-30 (92 days); as of 2026-08-15, 46 days have passed: half.
 * Owners: Maria manages Ann and Bob; Bob manages Cid. Maria has no deals and no quota.
 * Quotas: Ann 100,000 (one quarterly quota); Bob 3 × 20,000 monthly = 60,000 (plus one that only
 * partly overlaps: ignored); Cid none. EUR converts at 1.1; GBP has no rate.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Deal, DealHistory, Owner, Quota } from '../../src/domain/model.js';
import { Attainment } from '../../src/domain/insights.js';
import { computeAttainment, computeAttainmentForPeriods, QuotaConfigSchema, type QuotaConfigInput } from '../../src/domain/quota.js';
import { periodById } from '../../src/domain/periods.js';

const STAMP = '2026-08-15T00:00:00.000Z';
const Q3 = periodById('FY2026-Q3');
const ASOF = '2026-08-15';

function owner(key: string, name: string, managerKey: string | null, email: string | null = null): Owner {
  return {
    id: `salesforce:${key}`,
    source: 'salesforce',
    externalId: key,
    updatedAt: STAMP,
    name,
    email,
    managerId: managerKey === null ? null : `salesforce:${managerKey}`,
    teamId: null,
    teamName: null,
    active: true,
  };
}

function deal(key: string, fields: Partial<Deal>): Deal {
  return {
    id: `salesforce:${key}`,
    source: 'salesforce',
    externalId: key,
    updatedAt: STAMP,
    name: `Deal ${key}`,
    accountId: null,
    ownerId: null,
    amount: null,
    currency: null,
    status: 'open',
    stage: 'Negotiation',
    stageId: 'negotiation',
    pipeline: null,
    probability: null,
    forecastCategory: 'pipeline',
    closeDate: null,
    type: null,
    createdAt: null,
    ...fields,
  };
}

function quota(key: string, ownerKey: string, periodStart: string, periodEnd: string, amount: number, currency: string | null = 'USD'): Quota {
  return { id: `salesforce:${key}`, source: 'salesforce', externalId: key, updatedAt: STAMP, ownerId: `salesforce:${ownerKey}`, periodStart, periodEnd, amount, currency };
}

let historySeq = 0;
function change(dealKey: string, field: DealHistory['field'], from: string | null, to: string | null, changedAt: string): DealHistory {
  historySeq += 1;
  return { id: `salesforce:h${historySeq}`, source: 'salesforce', externalId: `h${historySeq}`, updatedAt: STAMP, dealId: `salesforce:${dealKey}`, field, from, to, changedAt: `${changedAt}T12:00:00.000Z` };
}

const owners = [owner('maria', 'Maria', null), owner('ann', 'Ann', 'maria'), owner('bob', 'Bob', 'maria'), owner('cid', 'Cid', 'bob')];
const quotas = [
  quota('qa', 'ann', '2026-07-01', '2026-09-30', 100_000),
  quota('qb7', 'bob', '2026-07-01', '2026-07-31', 20_000),
  quota('qb8', 'bob', '2026-08-01', '2026-08-31', 20_000),
  quota('qb9', 'bob', '2026-09-01', '2026-09-30', 20_000),
  quota('qbx', 'bob', '2026-09-01', '2026-12-31', 80_000),
];
const ann = 'salesforce:ann';
const bob = 'salesforce:bob';
const cid = 'salesforce:cid';
const deals: Deal[] = [
  // an older copy of a1 with another amount: the later updatedAt wins
  deal('a1', { ownerId: ann, amount: 99_999, status: 'won', forecastCategory: 'closed', closeDate: '2026-07-01', createdAt: '2026-06-01T09:00:00Z', updatedAt: '2026-07-01T00:00:00.000Z' }),
  deal('a1', { ownerId: ann, amount: 30_000, status: 'won', forecastCategory: 'closed', closeDate: '2026-07-01', createdAt: '2026-06-01T09:00:00Z' }),
  deal('a3', { ownerId: ann, amount: 50_000, probability: 0.6, forecastCategory: 'commit', closeDate: '2026-09-30' }),
  deal('a4', { ownerId: ann, amount: 20_000, probability: 0.2, forecastCategory: 'pipeline', closeDate: '2026-10-01' }),
  deal('a5', { ownerId: ann, amount: 5_000, status: 'lost', forecastCategory: 'omitted', closeDate: '2026-08-01', createdAt: '2026-07-01T00:00:00Z' }),
  deal('a6', { ownerId: ann, amount: 8_000, status: 'won', forecastCategory: 'closed', closeDate: '2026-05-20', createdAt: '2026-04-10T00:00:00Z' }),
  deal('a7', { ownerId: ann, amount: 10_000, currency: 'EUR', status: 'won', forecastCategory: 'closed', closeDate: '2026-08-15', createdAt: '2026-08-01T00:00:00Z' }),
  deal('b1', { ownerId: bob, amount: 20_000, status: 'won', forecastCategory: 'closed', closeDate: '2026-08-10', createdAt: '2026-07-10T00:00:00Z' }),
  deal('b2', { ownerId: bob, amount: null, probability: 0.5, closeDate: '2026-09-01' }),
  deal('b3', { ownerId: bob, amount: 40_000, probability: 0.3, forecastCategory: 'best_case', closeDate: '2026-09-15' }),
  deal('b4', { ownerId: bob, amount: 5_000, probability: 0.9, forecastCategory: 'commit', closeDate: '2026-08-01' }),
  deal('c1', { ownerId: cid, amount: 15_000, currency: 'GBP', status: 'won', forecastCategory: 'closed', closeDate: '2026-07-05', createdAt: '2026-06-25T00:00:00Z' }),
  deal('c2', { ownerId: cid, amount: -2_000, status: 'won', forecastCategory: 'closed', closeDate: '2026-07-20' }),
  deal('c3', { ownerId: cid, amount: 10_000, probability: 0.4, closeDate: null }),
  deal('x1', { ownerId: null, amount: 7_000, status: 'won', forecastCategory: 'closed', closeDate: '2026-07-15' }),
  deal('x2', { ownerId: 'salesforce:ghost', amount: 3_000, probability: 0.5, closeDate: '2026-09-10' }),
];
const history: DealHistory[] = [
  // a3 pushed twice inside the period: 31 + 30 days
  change('a3', 'closeDate', '2026-07-31', '2026-08-31', '2026-07-10'),
  change('a3', 'closeDate', '2026-08-31', '2026-09-30', '2026-08-05'),
  // a4: a push before the period (not counted), then out of the period while in Commit (11 days)
  change('a4', 'closeDate', '2026-09-10', '2026-09-20', '2026-06-20'),
  change('a4', 'closeDate', '2026-09-20', '2026-10-01', '2026-08-10'),
  change('a4', 'forecastCategory', 'Commit', 'Pipeline', '2026-08-12'),
];
const config: QuotaConfigInput = { currencyRates: { EUR: 1.1 } };

const rows = computeAttainment({ deals, history, owners, quotas, period: Q3, asOf: ASOF, config });
const row = (scope: Attainment['scope'], subjectId: string): Attainment => {
  const found = rows.find((r) => r.scope === scope && r.subjectId === subjectId);
  if (!found) throw new Error(`no ${scope} row for ${subjectId}`);
  return found;
};
const codes = (r: Attainment) => r.notes.map((n) => n.code);
const note = (r: Attainment, code: string) => r.notes.find((n) => n.code === code);
const dealRef = (key: string, at?: string) => (at === undefined ? { type: 'deal', id: `salesforce:${key}`, label: `Deal ${key}` } : { type: 'deal', id: `salesforce:${key}`, label: `Deal ${key}`, at });

describe('computeAttainment rows', () => {
  it('gives one row per seller, one per manager team (nested), and the org, in that order', () => {
    expect(rows.map((r) => `${r.scope}:${r.subjectId}`)).toEqual([
      'owner:salesforce:ann',
      'owner:salesforce:bob',
      'owner:salesforce:cid',
      'team:salesforce:maria',
      'team:salesforce:bob',
      'org:org',
    ]);
    expect(row('team', 'salesforce:maria').subjectName).toBe('Maria (team)');
    for (const r of rows) expect(Attainment.safeParse(r).error).toBeUndefined();
    expect(rows.every((r) => r.period === Q3 && r.asOf === ASOF && r.currency === 'USD')).toBe(true);
  });
});

describe('owner with a quota (Ann)', () => {
  const a = row('owner', ann);

  it('counts won deals closed in the period, boundary day and converted currency included', () => {
    // a1 30,000 (closes on the first day) + a7 10,000 EUR × 1.1; a6 (May) is outside
    expect(a.closedWon).toBeCloseTo(41_000, 9);
    expect(a.quota).toBe(100_000);
    expect(a.attainment).toBeCloseTo(0.41, 12);
  });

  it('paces linearly and falls back to linear for seasonal when history is short, with a note', () => {
    expect(a.expectedToDate.linear).toBeCloseTo(50_000, 9);
    expect(a.expectedToDate.seasonal).toBeCloseTo(50_000, 9);
    expect(a.pacing.linear).toBeCloseTo(0.82, 12);
    expect(a.pacing.seasonal).toBeCloseTo(0.82, 12);
    expect(note(a, 'seasonal_fallback_linear')?.message).toBe(
      'seasonal pacing is linear: fewer than 2 of the last 4 periods had bookings',
    );
  });

  it('buckets open deals of the period by category and rolls them up cumulatively', () => {
    expect(a.categories.closed).toBeCloseTo(41_000, 9);
    expect({ ...a.categories, closed: 0 }).toEqual({ closed: 0, commit: 50_000, bestCase: 0, pipeline: 0, omitted: 0 });
    expect(a.rollups.commit).toBeCloseTo(91_000, 9);
    expect(a.rollups.bestCase).toBeCloseTo(91_000, 9);
    expect(a.rollups.openPipeline).toBe(50_000);
  });

  it('weights the pipeline with the CRM probability when the stage is not learned, and forecasts', () => {
    // a3 50,000 × 0.6; a4 closes on 2026-10-01, outside
    expect(a.weightedPipeline).toBeCloseTo(30_000, 9);
    // won 41,000 + weighted 30,000 + run-rate 8,000 (a6, created and won in Q2) × remaining half
    expect(a.forecast).toBeCloseTo(75_000, 9);
    expect(note(a, 'stage_probability_from_crm')).toMatchObject({ count: 1, records: [dealRef('a3', '2026-09-30')] });
  });

  it('computes coverage, win rate, deal size, cycle and velocity', () => {
    expect(a.coverage).toBeCloseTo(50_000 / 59_000, 12);
    // closed in the trailing 365 days: a1, a6, a7 won; a5 lost
    expect(a.winRate).toBeCloseTo(0.75, 12);
    expect(a.avgDealSize).toBeCloseTo(49_000 / 3, 9);
    // a1 30 days, a7 14, a6 40
    expect(a.cycleDays).toBeCloseTo(28, 12);
    // 2 open opportunities (a3, a4) × 16,333.33 × 0.75 / 28
    expect(a.velocityPerDay).toBeCloseTo(875, 9);
  });

  it('measures pushes made in the period and lists commit deals that slipped out', () => {
    expect(a.slippage).toEqual({ pushedDeals: 2, pushCount: 3, daysPushed: 72, commitSlippedOut: [dealRef('a4', '2026-10-01')] });
  });

  it('notes only what applies', () => {
    expect(codes(a)).toEqual(['seasonal_fallback_linear', 'stage_probability_from_crm']);
  });
});

describe('owner with monthly quotas and bad deals (Bob)', () => {
  const b = row('owner', bob);

  it('sums the monthly quotas inside the quarter and ignores the one that only overlaps', () => {
    expect(b.quota).toBe(60_000);
    expect(note(b, 'quota_partial_overlap')).toMatchObject({ count: 1, records: [{ type: 'quota', id: 'salesforce:qbx', label: 'Bob' }] });
  });

  it('leaves a deal without amount out of every sum and counts it', () => {
    expect(b.closedWon).toBe(20_000);
    expect(b.attainment).toBeCloseTo(1 / 3, 12);
    expect(b.categories).toEqual({ closed: 20_000, commit: 5_000, bestCase: 40_000, pipeline: 0, omitted: 0 });
    expect(b.weightedPipeline).toBeCloseTo(40_000 * 0.3 + 5_000 * 0.9, 9);
    expect(b.forecast).toBeCloseTo(36_500, 9);
    expect(b.coverage).toBeCloseTo(45_000 / 40_000, 12);
    expect(note(b, 'missing_amount')).toEqual({
      code: 'missing_amount',
      message: '1 deal in the period has no amount; left out of every sum (they still count in win rate and cycle time)',
      count: 1,
      records: [dealRef('b2', '2026-09-01')],
    });
  });

  it('lists a commit deal whose close date passed while still open', () => {
    expect(b.slippage.commitSlippedOut).toEqual([dealRef('b4', '2026-08-01')]);
    expect(b.slippage.pushCount).toBe(0);
  });

  it('computes velocity from 2 open opportunities with an amount', () => {
    expect(b.winRate).toBe(1);
    expect(b.cycleDays).toBe(31);
    expect(b.velocityPerDay).toBeCloseTo((2 * 20_000 * 1) / 31, 9);
  });
});

describe('owner without quota, credits and unknown currency (Cid)', () => {
  const c = row('owner', cid);

  it('gives null attainment, expected-to-date, pacing and coverage, never Infinity', () => {
    expect(c.quota).toBeNull();
    expect(c.attainment).toBeNull();
    expect(c.expectedToDate).toEqual({ linear: null, seasonal: null });
    expect(c.pacing).toEqual({ linear: null, seasonal: null });
    expect(c.coverage).toBeNull();
    expect(note(c, 'missing_quota')?.message).toBe('Cid has no quota for FY2026-Q3: attainment, expected-to-date, pacing and coverage are null');
  });

  it('treats a negative amount as a credit that reduces closed-won, and excludes the unconvertible one', () => {
    expect(c.closedWon).toBe(-2_000);
    expect(c.forecast).toBe(-2_000);
    expect(note(c, 'negative_amount')).toMatchObject({ count: 1, records: [dealRef('c2', '2026-07-20')] });
    expect(note(c, 'unknown_currency')).toMatchObject({ count: 1, records: [dealRef('c1', '2026-07-05')] });
  });

  it('counts the unconvertible won deal in win rate and cycle but not in deal size', () => {
    expect(c.winRate).toBe(1);
    expect(c.avgDealSize).toBeNull();
    expect(c.cycleDays).toBe(10);
    expect(c.velocityPerDay).toBeNull();
  });

  it('puts an open deal without close date in no period', () => {
    expect(c.categories.pipeline).toBe(0);
    expect(note(c, 'missing_close_date')).toMatchObject({ count: 1, records: [dealRef('c3')] });
    expect(codes(c)).toEqual(['missing_quota', 'missing_close_date', 'negative_amount', 'unknown_currency']);
  });
});

describe('team rollups', () => {
  it('sums won and quota over the nested team: Σ won / Σ quota, not a mean of percentages', () => {
    const bobTeam = row('team', bob);
    expect(bobTeam.closedWon).toBe(18_000);
    expect(bobTeam.quota).toBe(60_000);
    expect(bobTeam.attainment).toBeCloseTo(0.3, 12);
    expect(bobTeam.forecast).toBeCloseTo(34_500, 9);
    expect(bobTeam.cycleDays).toBeCloseTo(20.5, 12);
    expect(note(bobTeam, 'members_without_quota')).toEqual({
      code: 'members_without_quota',
      message: "1 of Bob (team)'s members have no quota for FY2026-Q3; their won deals count, the quota is the others' sum",
      count: 1,
      records: [{ type: 'owner', id: cid, label: 'Cid' }],
    });

    const mariaTeam = row('team', 'salesforce:maria');
    expect(mariaTeam.closedWon).toBeCloseTo(59_000, 9);
    expect(mariaTeam.quota).toBe(160_000);
    expect(mariaTeam.attainment).toBeCloseTo(59_000 / 160_000, 12);
    expect(mariaTeam.weightedPipeline).toBeCloseTo(46_500, 9);
    expect(mariaTeam.forecast).toBeCloseTo(109_500, 9);
    expect(mariaTeam.slippage.commitSlippedOut.map((r) => r.id)).toEqual(['salesforce:a4', 'salesforce:b4']);
  });
});

describe('a rep who changed team', () => {
  it("counts the whole period for the rep's current manager (the model has no owner-at-close-date)", () => {
    // Dan closed 12,000 in July under Maria; he now reports to Bob.
    const dan = owner('dan', 'Dan', 'bob');
    const result = computeAttainment({
      deals: [deal('d1', { ownerId: dan.id, amount: 12_000, status: 'won', forecastCategory: 'closed', closeDate: '2026-07-03' })],
      history: [],
      owners: [...owners, dan],
      quotas: [],
      period: Q3,
      asOf: ASOF,
    });
    expect(result.find((r) => r.scope === 'team' && r.subjectId === bob)?.closedWon).toBe(12_000);
    expect(result.find((r) => r.scope === 'team' && r.subjectId === 'salesforce:maria')?.closedWon).toBe(12_000);
  });
});

describe('org rollup', () => {
  const org = row('org', 'org');

  it('adds deals without a known owner to the org only, and says so', () => {
    expect(org.closedWon).toBeCloseTo(66_000, 9);
    expect(org.quota).toBe(160_000);
    expect(org.attainment).toBeCloseTo(0.4125, 12);
    expect(org.categories.pipeline).toBe(3_000);
    expect(org.weightedPipeline).toBeCloseTo(48_000, 9);
    expect(org.forecast).toBeCloseTo(118_000, 9);
    expect(org.winRate).toBeCloseTo(6 / 7, 12);
    expect(org.avgDealSize).toBeCloseTo(15_200, 9);
    expect(org.cycleDays).toBeCloseTo(25, 12);
    expect(note(org, 'deals_without_owner')).toMatchObject({ count: 1, records: [dealRef('x1', '2026-07-15')] });
    expect(note(org, 'unknown_owner')).toMatchObject({ count: 1, records: [dealRef('x2', '2026-09-10')] });
    expect(note(org, 'duplicate_records')).toEqual({
      code: 'duplicate_records',
      message: '1 duplicated record (same id) was counted once, keeping the latest updatedAt',
      count: 1,
    });
  });
});

describe('quota sources and zero quotas', () => {
  const single = [owner('ann', 'Ann', null, 'Ann@Example.com')];
  const won = [deal('w', { ownerId: ann, amount: 1_000, status: 'won', forecastCategory: 'closed', closeDate: '2026-09-30' })];

  it('prefers a configured quota, matched by email, over the CRM quota', () => {
    const [a] = computeAttainment({
      deals: won,
      history: [],
      owners: single,
      quotas: [quota('qa', 'ann', '2026-07-01', '2026-09-30', 100_000)],
      period: Q3,
      asOf: '2026-09-30',
      config: { quotas: [{ owner: 'ann@example.com', period: 'FY2026-Q3', amount: 4_000 }] },
    });
    expect(a?.quota).toBe(4_000);
    expect(a?.attainment).toBe(0.25);
    expect(a?.expectedToDate.linear).toBe(4_000);
  });

  it('gives null (never Infinity or NaN) and a note for a zero quota', () => {
    const [a] = computeAttainment({
      deals: won,
      history: [],
      owners: single,
      quotas: [],
      period: Q3,
      asOf: '2026-09-30',
      config: { quotas: [{ owner: ann, period: 'FY2026-Q3', amount: 0 }] },
    });
    expect(a?.quota).toBe(0);
    expect(a?.attainment).toBeNull();
    expect(a?.pacing).toEqual({ linear: null, seasonal: null });
    expect(a?.coverage).toBeNull();
    expect(a?.notes[0]?.code).toBe('zero_quota');
  });

  it('treats a quota in a currency without rate as missing', () => {
    const [a] = computeAttainment({
      deals: won,
      history: [],
      owners: single,
      quotas: [quota('qa', 'ann', '2026-07-01', '2026-09-30', 100_000, 'JPY')],
      period: Q3,
      asOf: '2026-09-30',
    });
    expect(a?.quota).toBeNull();
    // the lone deal has no createdAt, so there is no history for the run-rate either
    expect(codes(a as Attainment)).toEqual(['missing_quota', 'run_rate_no_history', 'quota_unknown_currency']);
  });

  it('reports coverage as null once the quota is met', () => {
    const [a] = computeAttainment({
      deals: won,
      history: [],
      owners: single,
      quotas: [quota('qa', 'ann', '2026-07-01', '2026-09-30', 500)],
      period: Q3,
      asOf: '2026-09-30',
    });
    expect(a?.attainment).toBe(2);
    expect(a?.coverage).toBeNull();
    expect(note(a as Attainment, 'quota_met')).toBeDefined();
  });

  it("takes an unknown currency unconverted under policy 'as_corporate'", () => {
    const [a] = computeAttainment({
      deals: [deal('g', { ownerId: ann, amount: 900, currency: 'GBP', status: 'won', forecastCategory: 'closed', closeDate: '2026-07-02' })],
      history: [],
      owners: single,
      quotas: [],
      period: Q3,
      asOf: '2026-09-30',
      config: { unknownCurrency: 'as_corporate' },
    });
    expect(a?.closedWon).toBe(900);
    expect(note(a as Attainment, 'unconverted_currency')?.count).toBe(1);
  });
});

describe('config', () => {
  it('has working defaults', () => {
    expect(QuotaConfigSchema.parse({})).toEqual({
      fiscalYearStartMonth: 1,
      corporateCurrency: 'USD',
      currencyRates: {},
      unknownCurrency: 'exclude',
      quotas: [],
      seasonalHistoryPeriods: 4,
      seasonalMinPeriods: 2,
      stageProbabilityMinDeals: 30,
      runRateLookbackPeriods: 4,
      winRateLookbackDays: 365,
      noteRecordLimit: 20,
    });
  });

  it('rejects a malformed quota entry, naming the key', () => {
    const result = QuotaConfigSchema.safeParse({ quotas: [{ owner: 'ann', period: '2026-Q3', amount: 1 }] });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['quotas', 0, 'period']);
  });
});

describe('robustness', () => {
  const amount = fc.oneof(fc.constant(null), fc.constant(0), fc.integer({ min: -5_000, max: 50_000 }));
  const day = fc.integer({ min: 0, max: 200 }).map((d) => new Date(Date.UTC(2026, 4, 1) + d * 86_400_000).toISOString().slice(0, 10));
  const arbitraryDeal = fc.record({
    n: fc.integer({ min: 0, max: 30 }),
    owner: fc.constantFrom(null, ann, bob, cid, 'salesforce:ghost'),
    amount,
    currency: fc.constantFrom(null, 'USD', 'EUR', 'GBP'),
    status: fc.constantFrom('open' as const, 'won' as const, 'lost' as const),
    category: fc.constantFrom('pipeline' as const, 'best_case' as const, 'commit' as const, 'closed' as const, 'omitted' as const),
    close: fc.option(day),
    created: fc.option(day),
    probability: fc.option(fc.double({ min: 0, max: 1, noNaN: true })),
  });

  it('never outputs NaN or Infinity, whatever the deals and quotas', () => {
    fc.assert(
      fc.property(fc.array(arbitraryDeal, { maxLength: 25 }), fc.constantFrom(0, 50_000), (specs, annQuota) => {
        const generated = specs.map((s) =>
          deal(`r${s.n}`, {
            ownerId: s.owner,
            amount: s.amount,
            currency: s.currency,
            status: s.status,
            forecastCategory: s.category,
            closeDate: s.close,
            createdAt: s.created === null ? null : `${s.created}T00:00:00Z`,
            probability: s.probability,
          }),
        );
        const result = computeAttainment({
          deals: generated,
          history: [],
          owners,
          quotas: [quota('qa', 'ann', '2026-07-01', '2026-09-30', annQuota)],
          period: Q3,
          asOf: ASOF,
          config: { currencyRates: { EUR: 1.1 }, stageProbabilityMinDeals: 2, seasonalMinPeriods: 1 },
        });
        const numbers = JSON.stringify(result, (_k, v: unknown) => {
          if (typeof v === 'number' && !Number.isFinite(v)) throw new Error(`non-finite number ${v}`);
          return v;
        });
        expect(numbers.length).toBeGreaterThan(0);
      }),
      { numRuns: 150 },
    );
  });

  it('gives the same output for the same input', () => {
    const again = computeAttainment({ deals, history, owners, quotas, period: Q3, asOf: ASOF, config });
    expect(again).toEqual(rows);
  });

  it('computes several periods from one preparation exactly as one period at a time', () => {
    const periods = [Q3, periodById('FY2026-M08'), periodById('FY2026-M09')];
    const together = computeAttainmentForPeriods({ deals, history, owners, quotas, asOf: ASOF, config }, periods);
    const oneByOne = periods.flatMap((period) => computeAttainment({ deals, history, owners, quotas, period, asOf: ASOF, config }));
    expect(together).toEqual(oneByOne);
    expect(together.filter((r) => r.period.id === 'FY2026-M08').length).toBe(rows.length);
  });
});
