import { describe, expect, it } from 'vitest';
import { bandOf, scoreChurn, summarizeChurn, trendOf, type ChurnInput } from '../../src/domain/churn.js';
import { configHash, resolveChurnConfig, riskOnPoints, riskOnScale, type ChurnConfigInput } from '../../src/domain/churnConfig.js';
import { emptyAggregate, foldActivity, type ActivityAggregate } from '../../src/domain/activity.js';
import { ChurnRisk } from '../../src/domain/insights.js';
import type { Account, Activity, Contact, Deal, Ticket, UsageMetric } from '../../src/domain/model.js';
import { accountRecord } from '../helpers/records.js';

const AS_OF = '2026-11-28T12:00:00.000Z';
const ACCOUNT_ID = 'salesforce:001A';

function account(over: Partial<Account> = {}): Account {
  return accountRecord(ACCOUNT_ID, { updatedAt: '2026-11-01T00:00:00.000Z', name: 'Acme Corp', domain: 'acme.example', ...over });
}

function activity(id: string, type: Activity['type'], occurredAt: string, over: Partial<Activity> = {}): Activity {
  return {
    id,
    source: 'salesforce',
    externalId: id.split(':')[1] as string,
    updatedAt: occurredAt,
    type,
    accountId: ACCOUNT_ID,
    dealId: null,
    contactId: null,
    ownerId: null,
    occurredAt,
    direction: 'outbound',
    subject: null,
    bodyExcerpt: null,
    completed: null,
    ...over,
  };
}

function aggregateOf(activities: Activity[], competitors: string[] = []): ActivityAggregate {
  const agg = emptyAggregate(ACCOUNT_ID);
  for (const a of activities) foldActivity(agg, a, null, competitors);
  return agg;
}

function contact(id: string, name: string, over: Partial<Contact> = {}): Contact {
  return {
    id,
    source: 'salesforce',
    externalId: id.split(':')[1] as string,
    updatedAt: '2026-01-01T00:00:00.000Z',
    accountId: ACCOUNT_ID,
    name,
    email: null,
    title: null,
    active: true,
    createdAt: '2025-01-01T00:00:00.000Z',
    ...over,
  };
}

function ticket(id: string, priority: Ticket['priority'], createdAt: string, over: Partial<Ticket> = {}): Ticket {
  return {
    id,
    source: 'salesforce',
    externalId: id.split(':')[1] as string,
    updatedAt: createdAt,
    accountId: ACCOUNT_ID,
    subject: `Case ${id}`,
    priority,
    status: 'open',
    escalated: false,
    createdAt,
    closedAt: null,
    ...over,
  };
}

function deal(id: string, over: Partial<Deal> = {}): Deal {
  return {
    id,
    source: 'salesforce',
    externalId: id.split(':')[1] as string,
    updatedAt: '2026-10-01T00:00:00.000Z',
    name: `Deal ${id}`,
    accountId: ACCOUNT_ID,
    ownerId: null,
    amount: 1000,
    currency: null,
    status: 'open',
    stage: 'Negotiation',
    stageId: 'neg',
    pipeline: null,
    probability: 0.5,
    forecastCategory: 'pipeline',
    closeDate: '2026-12-31',
    type: 'renewal',
    createdAt: '2026-01-01T00:00:00.000Z',
    ...over,
  };
}

function usage(metric: string, date: string, value: number): UsageMetric {
  return { accountId: ACCOUNT_ID, metric, date, value, source: 'api' };
}

function input(over: Partial<ChurnInput> = {}): ChurnInput {
  return { account: account(), contacts: [], activity: emptyAggregate(ACCOUNT_ID), tickets: [], deals: [], usage: [], ...over };
}

const allOff = {
  activityRecency: 0,
  activityTrend: 0,
  contactEngagement: 0,
  supportLoad: 0,
  lostDeals: 0,
  renewalProximity: 0,
  usageTrend: 0,
  competitorMentions: 0,
};

/** Config where only the named signal counts, so the score equals its sub-score. */
function only(signal: keyof typeof allOff, extra: ChurnConfigInput = {}) {
  return resolveChurnConfig({ ...extra, weights: { ...allOff, [signal]: 10 } });
}

function daysBefore(days: number, hour = 12): string {
  const d = new Date(Date.parse(AS_OF) - days * 86_400_000);
  d.setUTCHours(hour);
  return d.toISOString();
}

describe('churn config', () => {
  it('fills every default and stamps a 12-hex version that ignores how the defaults were written', () => {
    const c = resolveChurnConfig({});
    expect(c.weights).toEqual({
      activityRecency: 20,
      activityTrend: 15,
      contactEngagement: 10,
      supportLoad: 15,
      lostDeals: 15,
      renewalProximity: 10,
      usageTrend: 10,
      competitorMentions: 5,
    });
    expect(c.bands).toEqual({ amber: 40, red: 70 });
    expect(c.missingData).toEqual({ policy: 'renormalize', neutralRisk: 50 });
    expect(c.ticketPriorityWeights).toEqual({ urgent: 3, high: 2, medium: 1, low: 0.5 });
    expect(c.windows).toEqual({ activityDays: 90, contactDays: 60, supportDays: 90, lostDealsDays: 180, usageDays: 90, competitorDays: 90 });
    expect(c.configVersion).toMatch(/^[0-9a-f]{12}$/);
    expect(resolveChurnConfig(undefined).configVersion).toBe(c.configVersion);
    expect(resolveChurnConfig({ bands: { amber: 40 }, weights: { supportLoad: 15 } }).configVersion).toBe(c.configVersion);
    expect(resolveChurnConfig({ weights: { supportLoad: 16 } }).configVersion).not.toBe(c.configVersion);
  });

  it('hashes key order away', () => {
    expect(configHash({ a: 1, b: [1, { c: 2, d: 3 }] })).toBe(configHash({ b: [1, { d: 3, c: 2 }], a: 1 }));
    expect(configHash({ a: 1 })).not.toBe(configHash({ a: 2 }));
  });

  it('rejects unsorted points and inverted bands with messages naming the key', () => {
    expect(() => resolveChurnConfig({ scales: { activityRecency: { points: [[15, 40], [0, 0]] } } })).toThrow(/scales.*activityRecency.*points|sorted/s);
    const bad = (() => {
      try {
        resolveChurnConfig({ scales: { activityRecency: { points: [[15, 40], [0, 0]] } } });
      } catch (e) {
        return String(e);
      }
      return '';
    })();
    expect(bad).toContain('scale points must be sorted by value');
    expect(bad).toContain('activityRecency');
    expect(() => resolveChurnConfig({ bands: { amber: 80, red: 70 } })).toThrow(/bands.amber must not exceed bands.red/);
    expect(() => resolveChurnConfig({ weights: { lostDeals: -1 } })).toThrow(/lostDeals/);
  });
});

describe('scales', () => {
  const step = { points: [[0, 0], [15, 40], [46, 70], [91, 100]] as [number, number][], interpolate: 'step' as const };
  it('step: the last point at or below x, the first point below the range', () => {
    expect([-3, 0, 14, 14.9, 15, 45, 46, 90, 91, 1000].map((x) => riskOnPoints(step, x))).toEqual([0, 0, 0, 0, 40, 40, 70, 70, 100, 100]);
  });
  it('linear: interpolates and clamps', () => {
    const lin = { points: [[0, 100], [10, 0]] as [number, number][], interpolate: 'linear' as const };
    expect([-5, 0, 2.5, 5, 10, 20].map((x) => riskOnPoints(lin, x))).toEqual([100, 100, 75, 50, 0, 0]);
  });
  it('map: listed values, default, and missing without a default', () => {
    expect(riskOnScale({ map: { 'Month-to-month': 100, 'Two year': 0 } }, 'Month-to-month')).toBe(100);
    expect(riskOnScale({ map: { 'Month-to-month': 100 } }, 'One year')).toBeNull();
    expect(riskOnScale({ map: { 'Month-to-month': 100 }, default: 10 }, 'One year')).toBe(10);
    expect(riskOnScale({ map: { true: 80 } }, true)).toBe(80);
    expect(riskOnScale({ map: { x: 1 } }, null)).toBeNull();
    expect(riskOnScale(step, '20')).toBe(40);
    expect(riskOnScale(step, 'twenty')).toBeNull();
    expect(riskOnScale(step, '')).toBeNull();
  });
});

describe('activity recency', () => {
  const config = only('activityRecency');
  it.each([
    [0, 0],
    [14, 0],
    [15, 40],
    [45, 40],
    [46, 70],
    [90, 70],
    [91, 100],
  ])('%i days since the last touch -> risk %i', (days, risk) => {
    const r = scoreChurn(input({ activity: aggregateOf([activity('salesforce:00T9', 'email', daysBefore(days, 12))]) }), config, null, AS_OF);
    expect(r.score).toBe(risk);
    expect(r.completeness).toBe(1);
  });

  it('names the last touch: type, id and date', () => {
    const agg = aggregateOf([
      activity('hubspot:123', 'call', '2026-09-26T10:00:00.000Z'),
      activity('hubspot:99', 'email', '2026-08-01T10:00:00.000Z'),
    ]);
    const r = scoreChurn(input({ activity: agg }), config, null, AS_OF);
    expect(r.drivers).toEqual([
      {
        signal: 'activityRecency',
        risk: 70,
        points: 70,
        text: 'No activity for 63 days (last: call hubspot:123, 2026-09-26)',
        records: [{ type: 'call', id: 'hubspot:123', at: '2026-09-26T10:00:00.000Z' }],
      },
    ]);
  });

  it('an account never touched counts from its creation date', () => {
    const old = scoreChurn(input({ account: account({ createdAt: '2026-05-12T12:00:00.000Z' }) }), config, null, AS_OF);
    expect(old.score).toBe(100);
    expect(old.drivers[0]?.text).toBe('No activity recorded since the account was created 200 days ago (2026-05-12)');
    const young = scoreChurn(input({ account: account({ createdAt: daysBefore(10) }) }), config, null, AS_OF);
    expect(young.score).toBe(0);
    expect(young.drivers).toEqual([]);
  });

  it('an account never touched and without a creation date has no recency data', () => {
    const r = scoreChurn(input({ account: account({ createdAt: null }) }), config, null, AS_OF);
    expect(r.completeness).toBe(0);
    expect(r.score).toBe(50);
    expect(r.drivers).toEqual([{ signal: 'noData', risk: 50, points: 50, text: 'No data for any signal; scored neutral 50', records: [] }]);
  });

  it('ignores touches after asOf (backtest) and falls back to the weekly counts', () => {
    const agg = aggregateOf([
      activity('salesforce:00T1', 'call', '2026-09-02T10:00:00.000Z'), // week of 2026-08-31
      activity('salesforce:00T2', 'call', '2026-11-27T10:00:00.000Z'),
    ]);
    const r = scoreChurn(input({ activity: agg }), config, null, '2026-11-20T00:00:00.000Z');
    // last week with activity 2026-08-31, counted from its Sunday 2026-09-06: 75 days
    expect(r.drivers[0]?.text).toBe('No activity for about 75 days (last in the week of 2026-08-31)');
    expect(r.score).toBe(70);
  });
});

describe('activity trend', () => {
  const config = only('activityTrend');
  const agg = (weeks: Record<string, number>): ActivityAggregate => ({
    ...emptyAggregate(ACCOUNT_ID),
    weeks: Object.fromEntries(Object.entries(weeks).map(([w, n]) => [w, { 'call:outbound': n }])),
  });

  it('compares the 13 weeks ending with asOf week against the 13 before', () => {
    // asOf week 2026-11-23; current weeks 2026-08-31..2026-11-23; previous 2026-06-01..2026-08-24
    const r = scoreChurn(input({ activity: agg({ '2026-11-16': 3, '2026-08-31': 2, '2026-08-24': 10, '2026-06-01': 3, '2026-05-25': 50, '2026-11-30': 40 }) }), config, null, AS_OF);
    expect(r.drivers).toEqual([{ signal: 'activityTrend', risk: 70, points: 70, text: 'Activity down 62% vs the previous 90 days (5 vs 13 activities)', records: [] }]);
  });

  it.each([
    [0, 20, 100],
    [4, 20, 100],
    [5, 20, 70],
    [9, 20, 70],
    [10, 20, 40],
    [14, 20, 40],
    [15, 20, 0],
    [60, 20, 0],
  ])('%i vs %i activities -> risk %i', (cur, prev, risk) => {
    const r = scoreChurn(input({ activity: agg({ '2026-11-16': cur, '2026-07-06': prev }) }), config, null, AS_OF);
    expect(r.score).toBe(risk);
  });

  it('has no data without a previous window to compare with', () => {
    const r = scoreChurn(input({ activity: agg({ '2026-11-16': 4 }) }), config, null, AS_OF);
    expect(r.completeness).toBe(0);
  });
});

describe('contact engagement', () => {
  const config = only('contactEngagement');
  it('share of active contacts touched in 60 days; a contact marked gone lifts the risk to 70', () => {
    const agg = aggregateOf([activity('salesforce:00T1', 'meeting', daysBefore(20), { contactId: 'salesforce:003A' })]);
    const contacts = [
      contact('salesforce:003A', 'Ann'),
      contact('salesforce:003B', 'Bob'),
      contact('salesforce:003C', 'Carol', { active: false, updatedAt: daysBefore(10) }),
    ];
    const r = scoreChurn(input({ activity: agg, contacts }), config, null, AS_OF);
    expect(r.drivers).toEqual([
      {
        signal: 'contactEngagement',
        risk: 70,
        points: 70,
        text: '1 of 2 active contacts engaged in the last 60 days; 1 contact marked gone (Carol salesforce:003C)',
        records: [{ type: 'contact', id: 'salesforce:003C', label: 'Carol' }],
      },
    ]);
    // Without the departure: 50% engaged -> 40
    const stayed = scoreChurn(input({ activity: agg, contacts: contacts.slice(0, 2) }), config, null, AS_OF);
    expect(stayed.score).toBe(40);
    expect(stayed.drivers[0]?.records).toEqual([{ type: 'contact', id: 'salesforce:003B', label: 'Bob' }]);
  });

  it('nobody engaged in the window is risk 100; a contact gone long ago does not count', () => {
    const agg = aggregateOf([activity('salesforce:00T1', 'call', daysBefore(61), { contactId: 'salesforce:003A' })]);
    const contacts = [contact('salesforce:003A', 'Ann'), contact('salesforce:003C', 'Carol', { active: false, updatedAt: daysBefore(200) })];
    const r = scoreChurn(input({ activity: agg, contacts }), config, null, AS_OF);
    expect(r.score).toBe(100);
    expect(r.drivers[0]?.text).toBe('0 of 1 active contact engaged in the last 60 days');
  });

  it('has no data when the account has no contacts', () => {
    expect(scoreChurn(input(), config, null, AS_OF).completeness).toBe(0);
  });
});

describe('support load', () => {
  const config = only('supportLoad');
  it('weights open and recent tickets by priority, adds open escalations, names the tickets', () => {
    const tickets = [
      ticket('salesforce:500B', 'urgent', daysBefore(3)),
      ticket('salesforce:500A', 'urgent', daysBefore(5), { escalated: true }),
      ticket('salesforce:500C', 'high', daysBefore(40), { status: 'closed', closedAt: daysBefore(30) }),
      ticket('salesforce:500D', 'low', daysBefore(200), { status: 'closed', closedAt: daysBefore(190) }),
      ticket('salesforce:500E', 'medium', '2026-11-29T00:00:00.000Z'),
    ];
    const r = scoreChurn(input({ tickets }), config, null, AS_OF);
    // 3 + 3 + 2 + escalation 2 = 10 -> 100
    expect(r.score).toBe(100);
    expect(r.drivers[0]?.text).toBe(
      '2 urgent tickets open (salesforce:500A, salesforce:500B), 1 high ticket closed in the last 90 days (salesforce:500C), 1 open escalation (salesforce:500A)',
    );
    expect(r.drivers[0]?.records.map((x) => x.id)).toEqual(['salesforce:500A', 'salesforce:500B', 'salesforce:500C']);
  });

  it.each([
    [[], 0],
    [['low'], 0],
    [['medium'], 20],
    [['high'], 20],
    [['urgent'], 50],
    [['urgent', 'urgent'], 80],
    [['urgent', 'urgent', 'urgent'], 100],
  ] as [Ticket['priority'][], number][])('open tickets %j -> risk %i', (priorities, risk) => {
    const tickets = priorities.map((p, i) => ticket(`salesforce:50${i}`, p, daysBefore(1)));
    expect(scoreChurn(input({ tickets }), config, null, AS_OF).score).toBe(risk);
  });

  it('a ticket open at a past asOf but closed since counts as open then', () => {
    const tickets = [ticket('salesforce:500A', 'urgent', '2026-10-01T00:00:00.000Z', { status: 'closed', closedAt: '2026-11-10T00:00:00.000Z' })];
    const then = scoreChurn(input({ tickets }), config, null, '2026-11-01T00:00:00.000Z');
    expect(then.drivers[0]?.text).toBe('1 urgent ticket open (salesforce:500A)');
  });
});

describe('lost deals', () => {
  const config = only('lostDeals');
  it('lost renewal 100, lost expansion 50, new deals and old losses ignored', () => {
    const deals = [
      deal('salesforce:006E', { status: 'lost', type: 'expansion', closeDate: '2026-10-01' }),
      deal('salesforce:006N', { status: 'lost', type: 'new', closeDate: '2026-10-02' }),
      deal('salesforce:006O', { status: 'lost', type: 'renewal', closeDate: '2026-05-01' }),
    ];
    const r = scoreChurn(input({ deals }), config, null, AS_OF);
    expect(r.drivers).toEqual([
      {
        signal: 'lostDeals',
        risk: 50,
        points: 50,
        text: '1 lost expansion (salesforce:006E, 2026-10-01) in the last 180 days',
        records: [{ type: 'deal', id: 'salesforce:006E', label: 'Deal salesforce:006E', at: '2026-10-01' }],
      },
    ]);
    const renewal = deal('salesforce:006R', { status: 'lost', type: 'renewal', closeDate: '2026-11-01' });
    const both = scoreChurn(input({ deals: [...deals, renewal] }), config, null, AS_OF);
    expect(both.score).toBe(100);
    expect(both.drivers[0]?.text).toBe('1 lost renewal (salesforce:006R, 2026-11-01), 1 lost expansion (salesforce:006E, 2026-10-01) in the last 180 days');
  });

  it('no losses is risk 0 with data (completeness 1)', () => {
    const r = scoreChurn(input(), config, null, AS_OF);
    expect(r.score).toBe(0);
    expect(r.completeness).toBe(1);
  });
});

describe('renewal proximity', () => {
  const config = only('renewalProximity');
  it.each([
    ['2027-06-01', 0, 'Renewal in 185 days (2027-06-01)'],
    ['2027-03-01', 20, 'Renewal in 93 days (2027-03-01)'],
    ['2027-01-07', 60, 'Renewal in 40 days (2027-01-07)'],
    ['2026-11-28', 80, 'Renewal in 0 days (2026-11-28)'],
    ['2026-11-16', 100, 'Renewal date 2026-11-16 passed 12 days ago'],
  ])('renewal %s -> risk %i', (renewalDate, risk, text) => {
    const r = scoreChurn(input({ account: account({ renewalDate }) }), config, null, AS_OF);
    expect(r.score).toBe(risk);
    expect(r.drivers.length ? r.drivers[0]?.text : text).toBe(text);
  });

  it('takes the earliest upcoming date, from an open renewal deal when that is sooner', () => {
    const deals = [deal('salesforce:006R', { closeDate: '2026-12-20' }), deal('salesforce:006W', { status: 'won', closeDate: '2026-12-01' })];
    const r = scoreChurn(input({ account: account({ renewalDate: '2026-11-01' }), deals }), config, null, AS_OF);
    expect(r.drivers[0]).toEqual({
      signal: 'renewalProximity',
      risk: 80,
      points: 80,
      text: 'Renewal in 22 days (2026-12-20, deal salesforce:006R)',
      records: [{ type: 'deal', id: 'salesforce:006R', label: 'Deal salesforce:006R', at: '2026-12-20' }],
    });
  });

  it('has no data without a renewal date or open renewal deal', () => {
    expect(scoreChurn(input(), config, null, AS_OF).completeness).toBe(0);
  });
});

describe('usage trend', () => {
  const config = only('usageTrend');
  it('the metric with the largest fall drives the risk', () => {
    const data = [
      usage('active_users', '2026-11-01', 12),
      usage('active_users', '2026-10-01', 12),
      usage('active_users', '2026-08-01', 20),
      usage('active_users', '2026-07-01', 20),
      usage('logins', '2026-11-01', 300),
      usage('logins', '2026-07-01', 100),
      usage('active_users', '2026-05-01', 1000),
      usage('active_users', '2026-12-01', 0),
    ];
    const r = scoreChurn(input({ usage: data }), config, null, AS_OF);
    expect(r.drivers).toEqual([
      { signal: 'usageTrend', risk: 40, points: 40, text: 'Usage of active_users down 40% vs the previous 90 days (mean 12 vs 20)', records: [] },
    ]);
    const watched = scoreChurn(input({ usage: data }), only('usageTrend', { usageMetrics: ['logins'] }), null, AS_OF);
    expect(watched.score).toBe(0);
  });

  it('has no data without both windows', () => {
    expect(scoreChurn(input({ usage: [usage('active_users', '2026-11-01', 12)] }), config, null, AS_OF).completeness).toBe(0);
  });
});

describe('competitor mentions', () => {
  const config = only('competitorMentions', { competitors: ['Acme'] });
  it('counts mentions in the window by competitor and names the activities', () => {
    const agg = aggregateOf(
      [
        activity('hubspot:n1', 'note', daysBefore(30), { bodyExcerpt: 'They are trialling Acme.' }),
        activity('hubspot:n2', 'note', daysBefore(5), { subject: 'acme pricing' }),
        activity('hubspot:n0', 'note', daysBefore(120), { subject: 'Acme again' }),
        activity('hubspot:e1', 'email', daysBefore(2), { subject: 'Globex offer' }),
      ],
      ['Acme', 'Globex'],
    );
    const r = scoreChurn(input({ activity: agg }), config, null, AS_OF);
    expect(r.score).toBe(80);
    expect(r.drivers[0]?.text).toBe('Competitor Acme mentioned in 2 notes (hubspot:n2, hubspot:n1)');
    expect(r.drivers[0]?.records.map((x) => x.id)).toEqual(['hubspot:n2', 'hubspot:n1']);
    // with no configured list, every folded mention counts
    const all = scoreChurn(input({ activity: agg }), only('competitorMentions'), null, AS_OF);
    expect(all.score).toBe(100);
    expect(all.drivers[0]?.text).toBe('Competitor Acme mentioned in 2 notes (hubspot:n2, hubspot:n1); Competitor Globex mentioned in 1 email (hubspot:e1)');
  });
});

describe('field signals', () => {
  const config = resolveChurnConfig({
    weights: allOff,
    fieldSignals: [
      { field: 'contract', label: 'Contract', weight: 30, scale: { map: { 'Month-to-month': 100, 'One year': 40 }, default: 0 } },
      { field: 'tenure_months', weight: 25, scale: { points: [[0, 100], [6, 60], [12, 20], [24, 0]] } },
      { field: 'payment', weight: 15, scale: { map: { 'Electronic check': 100 } } },
    ],
  });

  it('scores each mapped field on its own scale and renormalises over the fields present', () => {
    const r = scoreChurn(input({ account: account({ fields: { contract: 'Month-to-month', tenure_months: 8, payment: 'Mailed check' } }) }), config, null, AS_OF);
    // payment value not on its scale and no default: missing. (30*100 + 25*60) / 55 = 81.8
    expect(r.score).toBe(81.8);
    expect(r.completeness).toBe(0.786);
    expect(r.drivers).toEqual([
      { signal: 'field:contract', risk: 100, points: 54.5, text: 'Contract: Month-to-month', records: [] },
      { signal: 'field:tenure_months', risk: 60, points: 27.3, text: 'tenure_months: 8', records: [] },
    ]);
  });
});

describe('weighting, missing data, bands, trend', () => {
  const base: ChurnConfigInput = { weights: { ...allOff, activityRecency: 20, renewalProximity: 10 } };
  const touched100DaysAgo = aggregateOf([activity('salesforce:00T1', 'call', daysBefore(100))]);

  it('weighted mean of the sub-scores; drivers carry points that add up to the score', () => {
    const r = scoreChurn(input({ activity: touched100DaysAgo, account: account({ renewalDate: '2027-01-07' }) }), resolveChurnConfig(base), null, AS_OF);
    // (20*100 + 10*60) / 30
    expect(r.score).toBe(86.7);
    expect(r.drivers.map((d) => [d.signal, d.risk, d.points])).toEqual([
      ['activityRecency', 100, 66.7],
      ['renewalProximity', 60, 20],
    ]);
    expect(r.completeness).toBe(1);
  });

  it("'renormalize' drops a missing signal's weight and lowers completeness", () => {
    const r = scoreChurn(input({ activity: touched100DaysAgo }), resolveChurnConfig(base), null, AS_OF);
    expect(r.score).toBe(100);
    expect(r.completeness).toBe(0.667);
  });

  it("'neutral' counts a missing signal at the neutral risk and says so", () => {
    const config = resolveChurnConfig({ ...base, missingData: { policy: 'neutral', neutralRisk: 50 } });
    const r = scoreChurn(input({ activity: touched100DaysAgo }), config, null, AS_OF);
    // (20*100 + 10*50) / 30
    expect(r.score).toBe(83.3);
    expect(r.completeness).toBe(0.667);
    expect(r.drivers[1]).toEqual({
      signal: 'renewalProximity',
      risk: 50,
      points: 16.7,
      text: 'No data for renewal proximity; counted as neutral risk 50',
      records: [],
    });
  });

  it('bands: green < 40 <= amber < 70 <= red', () => {
    const bands = { amber: 40, red: 70 };
    expect([0, 39.9, 40, 69.9, 70, 100].map((s) => bandOf(s, bands))).toEqual(['green', 'green', 'amber', 'amber', 'red', 'red']);
  });

  it('trend: new without previous, up/down at the threshold, flat inside it', () => {
    expect(trendOf(50, null, 5)).toBe('new');
    expect(trendOf(50, 45, 5)).toBe('up');
    expect(trendOf(50, 45.1, 5)).toBe('flat');
    expect(trendOf(50, 55, 5)).toBe('down');
    expect(trendOf(50, 54.9, 5)).toBe('flat');
    expect(trendOf(50, 50, 0)).toBe('flat');
  });

  it('keeps the configured number of drivers, largest points first, none with zero points', () => {
    const config = resolveChurnConfig({ maxDrivers: 1, weights: { ...allOff, activityRecency: 20, renewalProximity: 10, lostDeals: 50 } });
    const r = scoreChurn(input({ activity: touched100DaysAgo, account: account({ renewalDate: '2027-01-07' }) }), config, null, AS_OF);
    expect(r.drivers.map((d) => d.signal)).toEqual(['activityRecency']);
  });
});

describe('scoreChurn end to end with the default config', () => {
  const activities = [
    activity('salesforce:00T1', 'call', '2026-09-26T10:00:00.000Z', { contactId: 'salesforce:003A' }),
    ...['2026-07-06', '2026-07-07', '2026-07-08', '2026-07-13'].map((d, i) => activity(`salesforce:00E${i}`, 'email', `${d}T09:00:00.000Z`)),
  ];
  const scenario = input({
    account: account({ renewalDate: '2027-01-07' }),
    activity: aggregateOf(activities),
    contacts: [contact('salesforce:003A', 'Ann'), contact('salesforce:003B', 'Bob')],
    tickets: [ticket('salesforce:500A', 'urgent', daysBefore(4)), ticket('salesforce:500B', 'urgent', daysBefore(2))],
  });
  const previous: ChurnRisk = {
    ...scoreChurn(input(), resolveChurnConfig({}), null, '2026-10-28T12:00:00.000Z'),
    score: 41,
    band: 'amber',
  };

  it('gives score, band, trend, completeness and named drivers', () => {
    const config = resolveChurnConfig({});
    const r = scoreChurn(scenario, config, previous, AS_OF);
    // recency 63 d -> 70 (w20), trend 1 vs 4 -> 70 (w15), contacts 0/2 -> 100 (w10), support 6 -> 80 (w15),
    // lost deals 0 (w15), renewal 40 d -> 60 (w10), competitors 0 (w5), usage missing (w10): 5250 / 90
    expect(r).toEqual({
      accountId: ACCOUNT_ID,
      score: 58.3,
      band: 'amber',
      previous: 41,
      previousBand: 'amber',
      trend: 'up',
      completeness: 0.9,
      model: 'rules',
      probability: null,
      drivers: [
        {
          signal: 'activityRecency',
          risk: 70,
          points: 15.6,
          text: 'No activity for 63 days (last: call salesforce:00T1, 2026-09-26)',
          records: [{ type: 'call', id: 'salesforce:00T1', at: '2026-09-26T10:00:00.000Z' }],
        },
        {
          signal: 'supportLoad',
          risk: 80,
          points: 13.3,
          text: '2 urgent tickets open (salesforce:500A, salesforce:500B)',
          records: [
            { type: 'ticket', id: 'salesforce:500A', label: 'Case salesforce:500A', at: daysBefore(4) },
            { type: 'ticket', id: 'salesforce:500B', label: 'Case salesforce:500B', at: daysBefore(2) },
          ],
        },
        { signal: 'activityTrend', risk: 70, points: 11.7, text: 'Activity down 75% vs the previous 90 days (1 vs 4 activities)', records: [] },
      ],
      scoredAt: AS_OF,
      configVersion: config.configVersion,
    });
    expect(ChurnRisk.parse(r)).toEqual(r);
    expect(summarizeChurn(r)).toBe(
      'Risk 58.3 (amber, was 41): no activity for 63 days (last: call salesforce:00T1, 2026-09-26); 2 urgent tickets open (salesforce:500A, salesforce:500B); activity down 75% vs the previous 90 days (1 vs 4 activities)',
    );
  });

  it('is deterministic', () => {
    const config = resolveChurnConfig({});
    expect(scoreChurn(scenario, config, previous, AS_OF)).toEqual(scoreChurn(structuredClone(scenario), resolveChurnConfig({}), previous, AS_OF));
  });

  it('rejects an asOf that is not a date', () => {
    expect(() => scoreChurn(scenario, resolveChurnConfig({}), null, 'yesterday')).toThrow(/asOf "yesterday" is not an ISO date-time/);
  });
});
