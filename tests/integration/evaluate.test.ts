/**
 * `accountpulse evaluate` on a real Redis: a synthetic org of 200 accounts is written to the store
 * (churn through lost renewals after activity fades, co-purchased product families, deals around
 * FY2026-Q3) and the three backtests read it back through the store, as after a sync.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { loadConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/logger.js';
import { createContext, type AppContext } from '../../src/jobs/context.js';
import type { Account, Activity, Deal, DealHistory, LineItem, Product } from '../../src/domain/model.js';
import { evaluateChurnOnStore, evaluateCrossSellOnStore, evaluateForecastOnStore, NoSyncedDataError } from '../../src/jobs/evaluation.js';
import { runEvaluateCommand } from '../../src/commands/evaluate.js';
import { ExitError } from '../../src/commands/runtime.js';
import { mulberry32 } from '../../src/domain/learn/random.js';

const NOW = new Date('2026-11-28T12:00:00.000Z');
const DAY = 86_400_000;
const UPDATED = '2026-11-01T00:00:00.000Z';
const date = (ms: number) => new Date(ms).toISOString().slice(0, 10);


const base = (id: string) => ({ id: `salesforce:${id}`, source: 'salesforce' as const, externalId: id, updatedAt: UPDATED });

function deal(id: string, over: Partial<Deal>): Deal {
  return {
    ...base(id),
    name: id,
    accountId: null,
    ownerId: 'salesforce:U1',
    amount: 1000,
    currency: 'USD',
    status: 'won',
    stage: 'Closed Won',
    stageId: 'Closed Won',
    pipeline: null,
    probability: 1,
    forecastCategory: 'closed',
    closeDate: null,
    type: 'new',
    createdAt: '2024-01-01T00:00:00.000Z',
    ...over,
  };
}

const families = ['Core', 'Analytics', 'Support', 'Security', 'Training', 'Backup'] as const;
const products: Product[] = families.map((family) => ({ ...base(`P-${family}`), name: `${family} edition`, sku: null, family, price: 100, active: true }));

interface Org {
  accounts: Account[];
  activities: Activity[];
  deals: Deal[];
  lineItems: LineItem[];
  history: DealHistory[];
  /** account id → churn date, for lost renewals */
  churn: Map<string, string>;
  /** the accounts flagged churned with a date in `churnedOn` (12) and the one flagged without a date */
  flagged: string[];
  undatedFlagged: string;
  /** expected held-out item per cross-sell case */
  heldOut: Map<string, string>;
}

/**
 * Accounts A000-A199, created 2024-01-01. About 30% churn between 2025-06 and 2026-10 through a lost
 * renewal; the weekly activity of three in four fades over the 120 days before (a tenth of the
 * others go quiet for 120 days and stay). Product families: Core plus Analytics (60%) or Support
 * (40%), and Security with Analytics, Training with Support: odd accounts buy the follow-up later
 * (it is their newest item), even ones in the same first deal (the co-occurrence the scorer learns
 * from); every 4th account adds Backup last, every 7th bought Backup with its first deal. So 100 odd
 * accounts hide their follow-up, 42 hide Backup (multiples of 4 but not of 28), 58 are not evaluated.
 */
function buildOrg(): Org {
  const rand = mulberry32(7);
  const org: Org = { accounts: [], activities: [], deals: [], lineItems: [], history: [], churn: new Map(), flagged: [], undatedFlagged: '', heldOut: new Map() };
  const firstMonday = Date.parse('2024-11-04T00:00:00Z');
  const line = (dealId: string, family: string) =>
    org.lineItems.push({ ...base(`L-${dealId}-${family}`), dealId: `salesforce:${dealId}`, productId: `salesforce:P-${family}`, name: family, quantity: 1, unitPrice: 100, amount: 100 });
  for (let i = 0; i < 200; i++) {
    const n = String(i).padStart(3, '0');
    const id = `salesforce:A${n}`;
    const churnMs = rand() < 0.3 ? Date.parse('2025-06-01T00:00:00Z') + Math.floor(rand() * 510) * DAY : null;
    const account: Account = {
      ...base(`A${n}`),
      name: `Account ${n}`,
      domain: `a${n}.example.com`,
      industry: i % 2 ? 'Software' : 'Retail',
      employees: 100 + i,
      annualRevenue: null,
      ownerId: 'salesforce:U1',
      parentId: null,
      renewalDate: null,
      churned: null,
      createdAt: '2024-01-01T00:00:00.000Z',
      fields: {},
    };
    if (churnMs !== null) {
      const churnDate = date(churnMs);
      org.churn.set(id, churnDate);
      org.deals.push(deal(`R${n}`, { accountId: id, status: 'lost', stage: 'Closed Lost', stageId: 'Closed Lost', probability: 0, forecastCategory: 'omitted', type: 'renewal', amount: 5000, closeDate: churnDate, createdAt: new Date(churnMs - 60 * DAY).toISOString() }));
      if (org.flagged.length < 12) {
        account.churned = true;
        account.fields = { churnedOn: churnDate };
        org.flagged.push(id);
      } else if (!org.undatedFlagged) {
        account.churned = true;
        org.undatedFlagged = id;
      }
    }
    org.accounts.push(account);
    // Noise: a quarter of churners give no warning, a tenth of the others go quiet for a while and stay.
    const warns = churnMs !== null && rand() < 0.75;
    const quietFrom = churnMs === null && rand() < 0.1 ? Date.parse('2025-03-01T00:00:00Z') + Math.floor(rand() * 500) * DAY : null;
    for (let w = firstMonday; w < NOW.getTime() - 7 * DAY; w += 7 * DAY) {
      if (churnMs !== null && w >= churnMs) break;
      const fading = (warns && w >= (churnMs as number) - 120 * DAY) || (quietFrom !== null && w >= quietFrom && w < quietFrom + 120 * DAY);
      const calls = fading ? (rand() < 0.15 ? 1 : 0) : 1 + Math.floor(rand() * 2);
      for (let c = 0; c < calls; c++) {
        const at = new Date(w + (1 + c) * DAY + 10 * 3_600_000).toISOString();
        org.activities.push({ ...base(`T${n}-${w}-${c}`), type: 'call', accountId: id, dealId: null, contactId: null, ownerId: 'salesforce:U1', occurredAt: at, direction: 'outbound', subject: 'Check-in', bodyExcerpt: null, completed: null });
      }
    }

    const first = i % 5 < 3 ? 'Analytics' : 'Support';
    const then = first === 'Analytics' ? 'Security' : 'Training';
    const bundle = i % 2 === 0;
    org.deals.push(deal(`D1-${n}`, { accountId: id, closeDate: date(Date.parse('2024-02-01T00:00:00Z') + i * DAY) }));
    line(`D1-${n}`, 'Core');
    line(`D1-${n}`, first);
    if (bundle) line(`D1-${n}`, then);
    if (i % 7 === 0) line(`D1-${n}`, 'Backup');
    if (!bundle) {
      org.deals.push(deal(`D2-${n}`, { accountId: id, type: 'expansion', closeDate: date(Date.parse('2025-01-15T00:00:00Z') + i * DAY) }));
      line(`D2-${n}`, then);
      org.heldOut.set(id, then);
    }
    if (i % 4 === 0) {
      org.deals.push(deal(`D3-${n}`, { accountId: id, type: 'expansion', closeDate: '2025-12-01' }));
      line(`D3-${n}`, 'Backup');
      if (i % 7 !== 0) org.heldOut.set(id, 'Backup');
    }
  }

  // Around FY2026-Q3 (2026-07-01 to 2026-09-30), on account A001.
  const acct = 'salesforce:A001';
  const open = { accountId: acct, stage: 'Negotiation', stageId: 'Negotiation', forecastCategory: 'pipeline' as const, createdAt: '2026-05-01T00:00:00.000Z' };
  for (const [k, closeDate] of [['F1', '2026-05-20'], ['F2', '2026-05-21'], ['F3', '2026-06-10']] as const) {
    org.deals.push(deal(k, { accountId: acct, amount: 10_000, closeDate, createdAt: '2026-04-10T00:00:00.000Z' }));
  }
  org.deals.push(deal('O1', { ...open, status: 'won', stage: 'Closed Won', stageId: 'Closed Won', amount: 50_000, probability: 0.6, closeDate: '2026-08-15' }));
  org.deals.push(deal('O2', { ...open, status: 'lost', stage: 'Closed Lost', stageId: 'Closed Lost', amount: 40_000, probability: 0.3, closeDate: '2026-09-10' }));
  org.deals.push(deal('O3', { ...open, status: 'won', stage: 'Closed Won', stageId: 'Closed Won', amount: 20_000, probability: 0.9, closeDate: '2026-07-20' }));
  org.deals.push(deal('O4', { ...open, status: 'open', amount: 30_000, probability: 0.5, closeDate: '2026-11-15' }));
  org.deals.push(deal('N1', { accountId: acct, amount: 15_000, closeDate: '2026-08-30', createdAt: '2026-07-10T00:00:00.000Z' }));
  org.deals.push(deal('N2', { accountId: acct, amount: 5_000, closeDate: '2026-09-29', createdAt: '2026-08-01T00:00:00.000Z' }));
  const change = (id: string, dealId: string, field: DealHistory['field'], from: string, to: string, changedAt: string): DealHistory => ({ ...base(id), dealId: `salesforce:${dealId}`, field, from, to, changedAt });
  org.history.push(
    change('H1', 'O1', 'stage', 'Negotiation', 'Closed Won', '2026-08-15T10:00:00.000Z'),
    change('H2', 'O2', 'stage', 'Negotiation', 'Closed Lost', '2026-09-10T10:00:00.000Z'),
    change('H3', 'O3', 'stage', 'Negotiation', 'Closed Won', '2026-07-20T10:00:00.000Z'),
    change('H4', 'O2', 'closeDate', '2026-08-30', '2026-09-10', '2026-08-01T10:00:00.000Z'),
  );
  return org;
}

async function contextOn(prefix: string, redis: Redis): Promise<AppContext> {
  const loaded = loadConfig({ environ: { REDIS_URL: process.env.REDIS_URL, ACCOUNTPULSE_PREFIX: prefix } });
  return createContext({ loaded, logger: createLogger({ level: 'silent' }), redis, connectors: new Map(), now: () => NOW });
}

async function seed(ctx: AppContext, org: Org): Promise<void> {
  const { records, activities } = ctx.store;
  await records.upsert('account', org.accounts);
  await records.upsert('product', products);
  for (let i = 0; i < org.deals.length; i += 500) await records.upsert('deal', org.deals.slice(i, i + 500));
  for (let i = 0; i < org.lineItems.length; i += 500) await records.upsert('lineItem', org.lineItems.slice(i, i + 500));
  await records.upsert('dealHistory', org.history);
  for (let i = 0; i < org.activities.length; i += 2000) await activities.fold(org.activities.slice(i, i + 2000));
}

const org = buildOrg();
let redis: Redis;
let ctx: AppContext;
let empty: AppContext;

beforeAll(async () => {
  redis = new Redis(process.env.REDIS_URL as string, { maxRetriesPerRequest: 3 });
  const id = randomUUID().slice(0, 8);
  ctx = await contextOn(`ev-${id}`, redis);
  empty = await contextOn(`ev0-${id}`, redis);
  await seed(ctx, org);
}, 60_000);

afterAll(async () => {
  for (const c of [ctx, empty]) {
    await c.store.wipe();
    await c.queues.close();
    await c.store.close();
  }
  redis.disconnect();
});

describe('evaluate churn', () => {
  it('backtests the rule score and the learned model on the test part, with the planted signal found', async () => {
    const report = await evaluateChurnOnStore(ctx, {});
    expect(report.asOf).toBe('2026-11-28');
    expect(report.from).toBe('2025-05-28');
    expect(report.horizonDays).toBe(90);
    // 2/3 of the way from 2025-05-28 to the last observable snapshot date 2026-08-30 (459 days): day 306.
    expect(report.split).toBe('2026-03-30');
    expect(report.accounts).toBe(200);
    // The account flagged churned without a date also lost its renewal: that dates it.
    expect(report.labels).toEqual({ field: null, lostRenewals: true, churnedAccounts: org.churn.size, undatedChurned: 0 });
    expect(report.snapshots.train.rows + report.snapshots.test.rows).toBeLessThan(report.snapshots.total);
    expect(report.snapshots.test.positives).toBeGreaterThan(10);
    expect(report.learned.fitted).toBe(true);
    const learned = report.learned.evaluation!;
    expect(learned.rows).toBe(report.snapshots.test.rows);
    expect(learned.positives).toBe(report.snapshots.test.positives);
    expect(learned.rocAuc!).toBeGreaterThan(0.7);
    expect(learned.prAuc!).toBeGreaterThan(report.snapshots.test.positives / report.snapshots.test.rows);
    expect(learned.topDecile!.lift).toBeGreaterThan(2);
    expect(learned.brier!).toBeLessThan(learned.brierBaseline!);
    expect(learned.calibration).toHaveLength(10);
    expect(learned.calibration.reduce((s, b) => s + b.count, 0)).toBe(learned.rows);
    expect(report.rule.rows).toBe(learned.rows);
    expect(report.rule.positives).toBe(learned.positives);
    expect(report.rule.rocAuc!).toBeGreaterThan(0.7);
    expect(report.rule.platt!.b).toBeGreaterThan(0);
    expect(report.rule.platt!.calibration.reduce((s, b) => s + b.count, 0)).toBe(report.rule.rows);
    expect(report.messages).toEqual(['the rule score reads some current-state data (renewal date, contact activity, open tickets), so its backtest is somewhat optimistic']);
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });

  it('says when there are too few labels and still backtests the rule score', async () => {
    const report = await evaluateChurnOnStore(ctx, { labelField: 'churnedOn', lostRenewals: false });
    expect(report.labels).toEqual({ field: 'churnedOn', lostRenewals: false, churnedAccounts: 12, undatedChurned: 1 });
    expect(report.learned).toMatchObject({ fitted: false, evaluation: null });
    expect(report.messages[0]).toBe('1 account(s) are marked churned without a churn date in field churnedOn; they are left out');
    expect(report.messages[1]).toBe('12 churned accounts found; at least 20 are needed to fit the learned model; the rule-score backtest follows');
    expect(report.rule.rows).toBe(report.snapshots.test.rows);
  });

  it('prints both models as a table', async () => {
    let out = '';
    const code = await runEvaluateCommand(['churn', '--horizon-days', '60'], { context: ctx, write: (t) => (out += t) });
    expect(code).toBe(0);
    expect(out).toContain('horizon 60 days');
    expect(out).toMatch(/^rule score(\s+[01]\.\d{3}){3}\s+\d+\.\d{3}(\s+0\.\d{3}){2}$/m);
    expect(out).toMatch(/^learned model(\s+[01]\.\d{3}){2}\s+0\.\d{3}\s+\d+\.\d{3}(\s+0\.\d{3}){2}$/m);
    expect(out).toContain('learned model:\npredicted');
  });
});

describe('evaluate cross-sell', () => {
  it('hides each account newest items and finds them with co-occurrence better than popularity', async () => {
    const report = await evaluateCrossSellOnStore(ctx, {});
    expect(report).toMatchObject({ kind: 'cross-sell', asOf: '2026-11-28', level: 'family', accountsWithItems: 200, evaluatedAccounts: 142, heldOutItems: 142, items: 6, messages: [] });
    // six items: every white-space list holds every candidate, so HR@10 is 1 for both.
    expect(report.popularity.hitRate[10]).toBe(1);
    expect(report.production.hitRate[10]).toBe(1);
    // Popularity's first white-space item is always the other starter family (Analytics 120 or Support 80 owners), never a follow-up.
    expect(report.popularity.hitRate[1]).toBe(0);
    // The scorer finds Security after Analytics first; Training after Support loses to the popular Analytics (peer blend).
    expect(report.production.hitRate[1]).toBeGreaterThan(0.3);
    expect(report.production.map).toBeGreaterThan(report.popularity.map + 0.15);
    expect(report.production.precision[10]).toBeCloseTo(0.1 * report.production.hitRate[10]!, 10);
    expect(report.production.users).toBe(142);
    expect(org.heldOut.size).toBe(142);
  });

  it('prints the scorers side by side in JSON and as a table', async () => {
    let json = '';
    expect(await runEvaluateCommand(['cross-sell', '--json'], { context: ctx, write: (t) => (json += t) })).toBe(0);
    expect(JSON.parse(json)).toMatchObject({ kind: 'cross-sell', evaluatedAccounts: 142, popularity: { hitRate: { '10': 1 } } });
    let text = '';
    await runEvaluateCommand(['cross-sell'], { context: ctx, write: (t) => (text += t) });
    expect(text.split('\n')[2]).toMatch(/^scorer\s+HR@1\s+HR@3\s+HR@10\s+P@1\s+P@3\s+P@10\s+MAP@10$/);
    expect(text).toMatch(/^popularity\s+1?0?\.\d{3}.*\s1\.000\s/m);
  });
});

describe('evaluate forecast', () => {
  it('replays the forecast made on the first day of FY2026-Q3 against what was won in it', async () => {
    const report = await evaluateForecastOnStore(ctx, { period: 'FY2026-Q3' });
    const renewalsInQ3 = [...org.churn.values()].filter((d) => d >= '2026-07-01' && d <= '2026-09-30').length;
    const renewalsOpenAtStart = [...org.churn.values()].filter((d) => d >= '2026-07-01' && Date.parse(d) - 60 * DAY < Date.parse('2026-07-01')).length;
    expect(report).toMatchObject({
      kind: 'forecast',
      period: { id: 'FY2026-Q3', kind: 'quarter', start: '2026-07-01', end: '2026-09-30' },
      forecastAsOf: '2026-07-01',
      asOf: '2026-11-28',
      complete: true,
      openDeals: 4 + renewalsOpenAtStart,
      openInPeriod: 3 + Math.min(renewalsInQ3, renewalsOpenAtStart),
      weightedInPeriod: 50_000 * 0.6 + 40_000 * 0.3 + 20_000 * 0.9,
      runRate: 30_000 / 4,
      runRatePeriods: ['FY2025-Q3', 'FY2025-Q4', 'FY2026-Q1', 'FY2026-Q2'],
      forecast: 60_000 + 7_500,
      actual: 90_000,
      actualFromOpenAtStart: 70_000,
      actualFromCreatedInPeriod: 20_000,
      errorPct: -0.25,
      messages: [],
    });
  });

  it('says when the period is not over, and refuses one that has not started', async () => {
    const report = await evaluateForecastOnStore(ctx, { period: 'FY2026-Q4' });
    expect(report.complete).toBe(false);
    expect(report.messages[0]).toBe('FY2026-Q4 is not over (it ends on 2026-12-31): "actual" is what was won by 2026-11-28, not the final figure');
    await expect(runEvaluateCommand(['forecast', '--period', 'FY2027-Q1'], { context: ctx })).rejects.toMatchObject({
      code: 2,
      message: '--period FY2027-Q1 starts on 2027-01-01, after 2026-11-28: there is nothing to backtest yet',
    });
  });

  it('prints forecast, actual and error', async () => {
    let out = '';
    expect(await runEvaluateCommand(['forecast', '--period', 'FY2026-Q3'], { context: ctx, write: (t) => (out += t) })).toBe(0);
    expect(out).toMatch(/^forecast at period start\s+67,500$/m);
    expect(out).toMatch(/^actual won\s+90,000$/m);
    expect(out).toMatch(/^ {2}from deals created inside the period\s+20,000$/m);
    expect(out).toMatch(/^error \(forecast - actual\) \/ actual\s+-25\.0%$/m);
  });
});

describe('evaluate: bad flags and no data', () => {
  it.each([
    [['churn', '--horizon-days', 'ninety'], '--horizon-days: must be a whole number of days, e.g. 90'],
    [['churn', '--as-of', '2026-13-01'], '--as-of: must be a date such as 2026-11-28'],
    [['forecast'], '--period: is required, e.g. --period FY2026-Q3'],
    [['forecast', '--period', '2026Q3'], '--period: must be a period id such as FY2026, FY2026-Q3 or FY2026-M08'],
    [['cross-sell', '--period', 'FY2026-Q3'], "Unknown option '--period'"],
    [['upsell'], 'unknown evaluation "upsell": use churn, cross-sell or forecast'],
  ])('%j exits 2 naming the problem', async (argv, message) => {
    const error = await runEvaluateCommand(argv, { context: empty }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExitError);
    expect((error as ExitError).code).toBe(2);
    expect((error as ExitError).message.split('\n')[0]).toContain(message);
  });

  it('exits 1 with the next step when nothing was synced', async () => {
    let err = '';
    expect(await runEvaluateCommand(['churn'], { context: empty, writeError: (t) => (err += t) })).toBe(1);
    expect(err).toBe('no accounts in the store: run `accountpulse sync --once` first\n');
    await expect(evaluateCrossSellOnStore(empty)).rejects.toBeInstanceOf(NoSyncedDataError);
    await expect(evaluateForecastOnStore(empty, { period: 'FY2026-Q3' })).rejects.toBeInstanceOf(NoSyncedDataError);
  });
});
