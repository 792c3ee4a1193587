/**
 * The history-learned parts of the forecast: stage probabilities, the seasonal curve F, the creation
 * run-rate and the backtest, on small hand-made cases with every number worked out by hand.
 */
import { describe, expect, it } from 'vitest';
import type { Deal, DealHistory, Owner } from '../../src/domain/model.js';
import { computeAttainment } from '../../src/domain/quota.js';
import { backtestForecast, learnSeasonality, learnStageProbabilities } from '../../src/domain/forecast.js';
import { indexHistory, prepareDeals } from '../../src/domain/deal-inputs.js';
import { normalizeForecastCategory } from '../../src/domain/slippage.js';
import { QuotaConfigSchema } from '../../src/domain/quota-config.js';
import { dayNumber, periodById } from '../../src/domain/periods.js';

const STAMP = '2026-09-30T00:00:00.000Z';
const OWNER = 'hubspot:1';
const owners: Owner[] = [
  { id: OWNER, source: 'hubspot', externalId: '1', updatedAt: STAMP, name: 'Ann', email: 'ann@example.com', managerId: null, teamId: null, teamName: null, active: true },
];

function deal(key: string, fields: Partial<Deal>): Deal {
  return {
    id: `hubspot:${key}`,
    source: 'hubspot',
    externalId: key,
    updatedAt: STAMP,
    name: `Deal ${key}`,
    accountId: null,
    ownerId: OWNER,
    amount: null,
    currency: null,
    status: 'open',
    stage: 'Proposal',
    stageId: 'proposal',
    pipeline: 'default',
    probability: null,
    forecastCategory: 'pipeline',
    closeDate: null,
    type: null,
    createdAt: null,
    ...fields,
  };
}

let seq = 0;
function change(dealKey: string, field: DealHistory['field'], from: string | null, to: string | null, changedAt: string): DealHistory {
  seq += 1;
  return { id: `hubspot:h${seq}`, source: 'hubspot', externalId: `h${seq}`, updatedAt: STAMP, dealId: `hubspot:${dealKey}`, field, from, to, changedAt: `${changedAt}T10:00:00.000Z` };
}

const won = (key: string, amount: number, closeDate: string, createdAt: string | null = null) =>
  deal(key, { amount, status: 'won', stage: 'Won', stageId: 'won', forecastCategory: 'closed', closeDate, createdAt: createdAt === null ? null : `${createdAt}T00:00:00Z` });

describe('learned stage probabilities', () => {
  // Through 'proposal' (current or historical stage): 3 won, 1 lost. A deal closed after the cut-off
  // and a stage change after it do not count.
  const deals = [
    deal('p1', { status: 'won', stageId: 'won', closeDate: '2026-06-01' }),
    deal('p2', { status: 'won', stageId: 'won', closeDate: '2026-06-02' }),
    deal('p3', { status: 'won', stageId: 'proposal', closeDate: '2026-06-03' }),
    deal('p4', { status: 'lost', stageId: 'lost', closeDate: '2026-06-04' }),
    deal('late', { status: 'lost', stageId: 'lost', closeDate: '2026-08-01' }),
    deal('open', { amount: 10_000, probability: 0.1, closeDate: '2026-09-15' }),
  ];
  const history = [
    change('p1', 'stage', 'proposal', 'won', '2026-06-01'),
    change('p2', 'stage', 'proposal', 'won', '2026-06-02'),
    change('p4', 'stage', 'proposal', 'lost', '2026-06-04'),
    change('late', 'stage', 'proposal', 'lost', '2026-08-01'),
    change('p3', 'stage', 'qualification', 'proposal', '2026-07-20'),
  ];
  const config = QuotaConfigSchema.parse({});

  it('is won / closed among deals that passed through the stage, before the cut-off', () => {
    const learned = learnStageProbabilities(prepareDeals(deals, config).deals, indexHistory(history).index, dayNumber('2026-07-15'), 2);
    expect(learned.get('proposal')).toEqual({ stageId: 'proposal', p: 0.75, closed: 4, won: 3 });
    expect(learned.get('won')).toEqual({ stageId: 'won', p: 1, closed: 2, won: 2 });
    expect(learned.has('lost')).toBe(false); // 1 deal < minDeals 2
    expect(learned.has('qualification')).toBe(false); // its change is after the cut-off
  });

  it('replaces the CRM probability in the weighted pipeline once learned', () => {
    const period = periodById('FY2026-Q3');
    const learnedRow = computeAttainment({ deals, history, owners, quotas: [], period, asOf: '2026-07-15', config: { stageProbabilityMinDeals: 2 } })[0];
    expect(learnedRow?.weightedPipeline).toBeCloseTo(7_500, 9);
    const crmRow = computeAttainment({ deals, history, owners, quotas: [], period, asOf: '2026-07-15', config: { stageProbabilityMinDeals: 5 } })[0];
    expect(crmRow?.weightedPipeline).toBeCloseTo(1_000, 9);
    expect(crmRow?.notes.find((n) => n.code === 'stage_probability_from_crm')?.count).toBe(1);
  });

  it('weights a deal with neither learned nor CRM probability at 0, with a note', () => {
    const row = computeAttainment({
      deals: [deal('n', { amount: 10_000, closeDate: '2026-09-15' })],
      history: [],
      owners,
      quotas: [],
      period: periodById('FY2026-Q3'),
      asOf: '2026-07-15',
    })[0];
    expect(row?.weightedPipeline).toBe(0);
    expect(row?.notes.find((n) => n.code === 'missing_probability')?.count).toBe(1);
  });
});

describe('seasonal pacing', () => {
  // Q1 2026 (90 days): 100 on day 10, 300 on day 80. Q2 2026 (91 days): 200 on day 46, 200 on day 91.
  const history = [
    won('s1', 100, '2026-01-10'),
    won('s2', 300, '2026-03-21'),
    won('s3', 200, '2026-05-16'),
    won('s4', 200, '2026-06-30'),
  ];
  const config = QuotaConfigSchema.parse({});
  const prepared = prepareDeals(history, config).deals;
  const seasonality = learnSeasonality(prepared, [periodById('FY2026-Q1'), periodById('FY2026-Q2')], 2);

  it('is the mean cumulative share of bookings by fraction of the period, days counted from 1', () => {
    expect(seasonality?.periods.map((p) => p.id)).toEqual(['FY2026-Q1', 'FY2026-Q2']);
    // x = 0.5: Q1 up to day 45 → 100/400; Q2 up to day 45 (45.5 rounds down) → 0/400
    expect(seasonality?.shareAt(0.5)).toBeCloseTo(0.125, 12);
    // x = 46/91: Q1 up to day 45 → 0.25; Q2 up to day 46 → 0.5
    expect(seasonality?.shareAt(46 / 91)).toBeCloseTo(0.375, 12);
    expect(seasonality?.shareAt(0)).toBe(0);
    expect(seasonality?.shareAt(1)).toBe(1);
  });

  it('is null when fewer periods than required had bookings', () => {
    expect(learnSeasonality(prepared, [periodById('FY2026-Q1'), periodById('FY2025-Q4')], 2)).toBeNull();
  });

  it('sets seasonal expected-to-date and pacing in computeAttainment', () => {
    const period = periodById('FY2026-Q3');
    const current = won('c', 1_000, '2026-07-20');
    const [row] = computeAttainment({
      deals: [...history, current],
      history: [],
      owners,
      quotas: [],
      period,
      asOf: '2026-08-15',
      config: { quotas: [{ owner: OWNER, period: 'FY2026-Q3', amount: 10_000 }] },
    });
    expect(row?.expectedToDate.linear).toBeCloseTo(5_000, 9);
    expect(row?.expectedToDate.seasonal).toBeCloseTo(1_250, 9);
    expect(row?.pacing.linear).toBeCloseTo(0.2, 12);
    expect(row?.pacing.seasonal).toBeCloseTo(0.8, 12);
    expect(row?.notes.map((n) => n.code)).not.toContain('seasonal_fallback_linear');
  });
});

describe('creation run-rate', () => {
  it('averages created-and-won bookings of past periods since the data starts, prorated by what remains', () => {
    // Q1: 900 created and won inside; Q2: 300 inside plus 5,000 created in Q1 and won in Q2 (not counted).
    // Q3 2025 and Q4 2025 end before the first deal was created, so they are not averaged as zeros.
    const deals = [
      won('r1', 900, '2026-02-20', '2026-01-05'),
      won('r2', 300, '2026-05-01', '2026-04-20'),
      won('r3', 5_000, '2026-04-10', '2026-03-01'),
    ];
    const [row] = computeAttainment({ deals, history: [], owners, quotas: [], period: periodById('FY2026-Q3'), asOf: '2026-08-15' });
    // (900 + 300) / 2 periods × remaining 46/92
    expect(row?.forecast).toBeCloseTo(300, 9);
  });
});

describe('backtestForecast', () => {
  const period = periodById('FY2026-Q3');
  const deals = [
    // open at the start as Proposal, 800, expected 2026-09-30; won 1,000 on 2026-07-20
    deal('d1', { amount: 1_000, status: 'won', stageId: 'won', forecastCategory: 'closed', closeDate: '2026-07-20', createdAt: '2026-06-01T00:00:00Z' }),
    // open at the start, expected 2026-08-31, later pushed to 2026-10-15
    deal('d2', { amount: 500, closeDate: '2026-10-15', createdAt: '2026-05-01T00:00:00Z' }),
    // closed before the start: they teach p(proposal) = 1/2
    deal('d3', { amount: 700, status: 'lost', stageId: 'lost', forecastCategory: 'omitted', closeDate: '2026-06-15', createdAt: '2026-05-01T00:00:00Z' }),
    deal('d4', { amount: 400, status: 'won', stageId: 'won', forecastCategory: 'closed', closeDate: '2026-05-15', createdAt: '2026-04-01T00:00:00Z' }),
    // created inside the period and won in it
    deal('d5', { amount: 600, status: 'won', stageId: 'won', forecastCategory: 'closed', closeDate: '2026-08-20', createdAt: '2026-07-05T00:00:00Z' }),
    // cannot be placed in time
    deal('d6', { amount: 50, createdAt: null, closeDate: '2026-09-01' }),
  ];
  const history = [
    change('d1', 'stage', 'proposal', 'won', '2026-07-20'),
    change('d1', 'amount', '800', '1000', '2026-07-20'),
    change('d1', 'closeDate', '2026-09-30', '2026-07-20', '2026-07-10'),
    change('d2', 'closeDate', '2026-08-31', '2026-10-15', '2026-08-01'),
    change('d3', 'stage', 'proposal', 'lost', '2026-06-15'),
    change('d4', 'stage', 'proposal', 'won', '2026-05-15'),
  ];

  it('rebuilds the pipeline as of the first day and compares with what was won', () => {
    const result = backtestForecast({ deals, history, period, config: { stageProbabilityMinDeals: 2 } });
    expect(result).toEqual({
      period,
      asOf: '2026-07-01',
      openDeals: 2,
      openGross: 1_300,
      openWeighted: 650,
      openInPeriod: 2,
      weightedInPeriod: 650,
      runRate: 400,
      runRatePeriods: ['FY2026-Q2'],
      forecast: 1_050,
      actual: 1_600,
      actualFromOpenAtStart: 1_000,
      actualFromCreatedInPeriod: 600,
      errorPct: -0.34375,
      stageProbabilities: { proposal: 0.5 },
      crmProbabilityDeals: 0,
      noProbabilityDeals: 0,
      skipped: { noCreatedAt: 1, noAmount: 0 },
    });
  });

  it('gives a null error when nothing was won in the period', () => {
    const result = backtestForecast({ deals: deals.filter((d) => d.id === 'hubspot:d2'), history, period });
    expect(result.actual).toBe(0);
    expect(result.errorPct).toBeNull();
    expect(result.noProbabilityDeals).toBe(1);
  });
});

describe('forecast category spellings in history', () => {
  it('normalizes Salesforce and HubSpot spellings', () => {
    expect(['Commit', 'Best Case', 'BestCase', 'best_case', 'Closed Won', 'Not forecasted', 'Omitted', 'Pipeline', 'Weird', null].map(normalizeForecastCategory)).toEqual([
      'commit',
      'best_case',
      'best_case',
      'best_case',
      'closed',
      'omitted',
      'omitted',
      'pipeline',
      null,
      null,
    ]);
  });
});
