import { beforeAll, describe, expect, it } from 'vitest';
import { generateSeedOrg } from '../../src/sandbox/seed/generate.js';
import { measurePlantedPatterns, type PlantedPatternFigures } from '../../src/sandbox/seed/patterns.js';
import { seedStages, type SeedOrg } from '../../src/sandbox/seed/types.js';

const AS_OF = '2026-11-28';

describe('generateSeedOrg: determinism and options', () => {
  it('gives byte-identical JSON for the same seed, accounts and asOf, and a different org for another seed', () => {
    const a = JSON.stringify(generateSeedOrg({ seed: 3, accounts: 300, asOf: AS_OF }));
    const b = JSON.stringify(generateSeedOrg({ seed: 3, accounts: 300, asOf: AS_OF }));
    const c = JSON.stringify(generateSeedOrg({ seed: 4, accounts: 300, asOf: AS_OF }));
    expect(a).toBe(b);
    expect(c).not.toBe(a);
  });

  it('lays data out relative to today (UTC) when asOf is not given', () => {
    const before = new Date().toISOString().slice(0, 10);
    const org = generateSeedOrg({ seed: 1, accounts: 100 });
    const after = new Date().toISOString().slice(0, 10);
    expect([before, after]).toContain(org.asOf);
  });

  it('rejects bad options with a message naming the option', () => {
    expect(() => generateSeedOrg({ accounts: 5 })).toThrow(/accounts/);
    expect(() => generateSeedOrg({ asOf: '28/11/2026' })).toThrow(/asOf: expected YYYY-MM-DD/);
    expect(() => generateSeedOrg({ seed: -1 })).toThrow(/seed/);
  });
});

describe('generateSeedOrg: counts scale with accounts', () => {
  it.each([100, 1000, 3000])('%i accounts', (accounts) => {
    const org = generateSeedOrg({ seed: 11, accounts, asOf: AS_OF });
    const reps = org.owners.filter((o) => o.active && o.teamKey !== null && !org.teams.some((t) => t.managerKey === o.key));
    expect(org.accounts).toHaveLength(accounts);
    expect(reps).toHaveLength(Math.min(300, Math.max(3, Math.round(accounts / 60))));
    expect(org.teams.length).toBeGreaterThanOrEqual(3);
    expect(org.teams.length).toBeLessThanOrEqual(6);
    expect(org.owners.filter((o) => o.managerKey === null)).toHaveLength(1);
    expect(org.owners.filter((o) => !o.active).length).toBeGreaterThanOrEqual(1);
    expect(org.products).toHaveLength(12);
    expect(new Set(org.products.map((p) => p.family)).size).toBe(5);
    expect(org.competitors).toEqual(['Vantora', 'Pipewell', 'Brightlane', 'Kestrelio']);
    expect(org.activities.length / accounts).toBeGreaterThan(8);
    expect(org.activities.length / accounts).toBeLessThan(12);
    expect(org.contacts.length / accounts).toBeGreaterThan(2);
    expect(org.contacts.length / accounts).toBeLessThan(4);
    expect(org.deals.length / accounts).toBeGreaterThan(2);
    expect(org.deals.length / accounts).toBeLessThan(4);
    // 8 quarters per active rep (6 past, current, next), fewer for reps who left
    expect(org.quotas.length).toBeGreaterThanOrEqual(reps.length * 8);
    expect(org.quotas.length).toBeLessThan((reps.length + org.owners.filter((o) => !o.active).length) * 8);
  });
});

describe('generateSeedOrg: a 1,000-account org', () => {
  let org: SeedOrg;
  beforeAll(() => {
    org = generateSeedOrg({ seed: 42, accounts: 1000, asOf: AS_OF });
  });

  it('has unique keys per kind and unique, well-formed domains', () => {
    const unique = (keys: string[]): void => expect(new Set(keys).size).toBe(keys.length);
    unique(org.accounts.map((a) => a.key));
    unique(org.contacts.map((c) => c.key));
    unique(org.deals.map((d) => d.key));
    unique(org.deals.flatMap((d) => d.lineItems.map((li) => li.key)));
    unique(org.activities.map((a) => a.key));
    unique(org.tickets.map((t) => t.key));
    unique(org.owners.map((o) => o.key));
    unique(org.owners.map((o) => o.email));
    unique(org.accounts.map((a) => a.domain));
    unique(org.quotas.map((q) => `${q.ownerKey}|${q.periodStart}`));
    expect(org.accounts.filter((a) => !/^[a-z0-9]+(-[a-z0-9]+)*\.com$/.test(a.domain))).toEqual([]);
    const domainOf = new Map(org.accounts.map((a) => [a.key, a.domain]));
    expect(org.contacts.filter((c) => !c.email.endsWith(`@${domainOf.get(c.accountKey)}`))).toEqual([]);
    expect(org.accounts[41]?.key).toBe('acct-000042');
  });

  it('resolves every reference', () => {
    const accounts = new Map(org.accounts.map((a) => [a.key, a]));
    const owners = new Map(org.owners.map((o) => [o.key, o]));
    const contacts = new Map(org.contacts.map((c) => [c.key, c]));
    const deals = new Map(org.deals.map((d) => [d.key, d]));
    const products = new Set(org.products.map((p) => p.key));
    const teams = new Set(org.teams.map((t) => t.key));
    const broken: string[] = [];
    const check = (ok: boolean, what: string): void => {
      if (!ok) broken.push(what);
    };
    for (const t of org.teams) check(owners.get(t.managerKey)?.teamKey === t.key, `team ${t.key}`);
    for (const o of org.owners) {
      check(o.managerKey === null || owners.has(o.managerKey), `owner ${o.key} manager`);
      check(o.teamKey === null || teams.has(o.teamKey), `owner ${o.key} team`);
    }
    for (const a of org.accounts) check(owners.get(a.ownerKey)?.active === true, `account ${a.key} owner`);
    for (const c of org.contacts) check(accounts.has(c.accountKey), `contact ${c.key}`);
    for (const d of org.deals) {
      check(accounts.has(d.accountKey), `deal ${d.key} account`);
      check(owners.has(d.ownerKey), `deal ${d.key} owner`);
      for (const li of d.lineItems) check(products.has(li.productKey), `line item ${li.key}`);
    }
    for (const a of org.activities) {
      check(accounts.has(a.accountKey) && owners.has(a.ownerKey), `activity ${a.key}`);
      check(a.contactKey === null || contacts.get(a.contactKey)?.accountKey === a.accountKey, `activity ${a.key} contact`);
      check(a.dealKey === null || deals.get(a.dealKey)?.accountKey === a.accountKey, `activity ${a.key} deal`);
    }
    for (const t of org.tickets) check(accounts.has(t.accountKey), `ticket ${t.key}`);
    for (const q of org.quotas) check(typeof owners.get(q.ownerKey)?.teamKey === 'string', `quota ${q.ownerKey}`);
    expect(broken).toEqual([]);
    expect(org.activities.filter((a) => a.dealKey !== null).length).toBeGreaterThan(org.activities.length * 0.05);
    expect(org.activities.filter((a) => a.contactKey !== null).length).toBeGreaterThan(org.activities.length * 0.8);
  });

  it('splits accounts ~50% HubSpot, ~45% Salesforce, ~5% both', () => {
    const share = (crm: string): number => org.accounts.filter((a) => a.crm === crm).length / org.accounts.length;
    expect(share('hubspot')).toBeGreaterThan(0.45);
    expect(share('hubspot')).toBeLessThan(0.55);
    expect(share('salesforce')).toBeGreaterThan(0.4);
    expect(share('salesforce')).toBeLessThan(0.5);
    expect(share('both')).toBeGreaterThan(0.03);
    expect(share('both')).toBeLessThan(0.07);
  });

  it('keeps deals consistent: history ends on current values, open deals close ahead, won amounts = line items', () => {
    expect(dealProblems(org, '2027-03-31')).toEqual([]);
    const stages = new Set(org.deals.map((d) => d.stage));
    expect([...stages].sort()).toEqual([...seedStages].sort());
    expect(new Set(org.deals.map((d) => d.type))).toEqual(new Set(['new', 'renewal', 'expansion']));
    expect(org.deals.some((d) => d.type === 'renewal' && d.stage === 'lost')).toBe(true);
    expect(org.deals.some((d) => d.history.some((h) => h.field === 'amount' && h.from !== null))).toBe(true);
    expect(org.deals.filter((d) => d.amount === null).length).toBeGreaterThan(0);
    expect(org.deals.filter((d) => d.amount === null).length).toBeLessThan(org.deals.length * 0.02);
  });

  it('puts every past event before asOf and after the account was created', () => {
    expect(eventProblems(org)).toEqual([]);
  });

  it('gives every churned account a renewal that was lost or is due within 90 days', () => {
    for (const a of org.accounts.filter((x) => x.churned)) {
      const renewals = org.deals.filter((d) => d.accountKey === a.key && d.type === 'renewal');
      const decisive = renewals.find((d) => d.closeDate === a.renewalDate);
      expect(decisive, a.key).toBeDefined();
      if (decisive && decisive.closeDate < AS_OF) expect(decisive.stage).toBe('lost');
      else expect(['qualified', 'proposal', 'negotiation', 'contract']).toContain(decisive?.stage);
      expect(a.renewalDate !== null && a.renewalDate >= '2026-09-29' && a.renewalDate <= '2027-02-26').toBe(true);
    }
  });
});

describe.each([
  ['2027-01-01', '2027-06-30'],
  ['2026-12-31', '2027-03-31'],
  ['2028-02-29', '2028-06-30'],
])('an org as of %s (first/last day of a quarter, leap day)', (asOf, nextQuarterEnd) => {
  it('keeps the same invariants', () => {
    const org = generateSeedOrg({ seed: 5, accounts: 400, asOf });
    expect(org.asOf).toBe(asOf);
    expect(dealProblems(org, nextQuarterEnd)).toEqual([]);
    expect(eventProblems(org)).toEqual([]);
  });
});

describe.each([42, 7])('planted patterns hold on a 1,000-account org (seed %i)', (seed) => {
  let f: PlantedPatternFigures;
  beforeAll(() => {
    f = measurePlantedPatterns(generateSeedOrg({ seed, accounts: 1000, asOf: AS_OF }));
  });

  it('~12% churned, ~80% customers', () => {
    expect(f.accounts.churned / f.accounts.total).toBeGreaterThan(0.09);
    expect(f.accounts.churned / f.accounts.total).toBeLessThan(0.15);
    expect(f.accounts.customers / f.accounts.total).toBeGreaterThan(0.75);
    expect(f.accounts.customers / f.accounts.total).toBeLessThan(0.85);
  });

  it("churned accounts' activity falls to < 45% of the 90 days before; others hold steady", () => {
    expect(f.churn.activityRatioChurned).toBeLessThan(0.45);
    expect(f.churn.activityRatioOthers).toBeGreaterThan(0.9);
    expect(f.churn.declineBelow40Churned).toBeGreaterThan(3 * f.churn.declineBelow40Others);
  });

  it('churned accounts have urgent open tickets, competitor mentions, falling usage and lost champions', () => {
    expect(f.churn.urgentOpenTicketChurned).toBeGreaterThan(0.6);
    expect(f.churn.urgentOpenTicketOthers).toBeLessThan(0.1);
    expect(f.churn.competitorMention120dChurned).toBeGreaterThan(0.45);
    expect(f.churn.competitorMention120dOthers).toBeLessThan(0.1);
    expect(f.churn.usageDropChurned).toBeGreaterThan(0.95);
    expect(f.churn.usageDropOthers).toBeLessThan(0.05);
    expect(f.churn.renewalLostChurned + f.churn.renewalDueSoonChurned).toBe(1);
    expect(f.churn.decisionMakerInactiveChurned).toBeGreaterThan(2 * f.churn.decisionMakerInactiveOthers);
  });

  it('co-purchases follow the planted structure', () => {
    expect(f.crossSell.bundleOwners).toBeGreaterThan(100);
    expect(f.crossSell.forecastingGivenBundle).toBeGreaterThan(0.45);
    expect(f.crossSell.forecastingOtherwise).toBeLessThan(0.12);
    expect(f.crossSell.auditGivenSso).toBeGreaterThan(0.5);
    expect(f.crossSell.auditOtherwise).toBeLessThan(0.12);
    expect(f.crossSell.complianceShare).toBeGreaterThan(0.01);
    expect(f.crossSell.complianceShare).toBeLessThan(0.08);
    expect(f.crossSell.openForecastingOffersToBundleOwners).toBeGreaterThan(0);
  });

  it('commit deals slip out of the current quarter and past attainment spreads around 50-130%', () => {
    expect(f.slippage.commitPushedOutPerRep).toBeGreaterThan(1);
    expect(f.slippage.commitPushedOutPerRep).toBeLessThan(8);
    expect(f.attainment.shareWithin50to130).toBeGreaterThan(0.85);
    expect(f.attainment.median).toBeGreaterThan(0.75);
    expect(f.attainment.median).toBeLessThan(1.05);
  });
});

/** what is wrong with the org's deals, one line per deal ([] when all is well) */
function dealProblems(org: SeedOrg, nextQuarterEnd: string): string[] {
  const asOf = org.asOf;
  const created = new Map(org.accounts.map((a) => [a.key, a.createdAt]));
  const broken: string[] = [];
  for (const d of org.deals) {
    const last = (field: string): string | undefined => d.history.filter((h) => h.field === field).at(-1)?.to;
    const times = d.history.map((h) => h.at);
    const problems = [
      last('stage') === d.stage ? '' : 'last stage',
      last('closeDate') === d.closeDate ? '' : 'last closeDate',
      last('amount') === (d.amount === null ? undefined : String(d.amount)) ? '' : 'last amount',
      times.join() === [...times].sort().join() ? '' : 'history order',
      times[0] === d.createdAt ? '' : 'first change at createdAt',
      d.createdAt >= (created.get(d.accountKey) ?? '') ? '' : 'created before its account',
      times.every((t) => t < asOf) ? '' : 'change after asOf',
      d.stage === 'won' || d.stage === 'lost' ? (d.closeDate < asOf ? '' : 'closed in the future') : d.closeDate >= asOf && d.closeDate <= nextQuarterEnd ? '' : 'open close date',
      d.amount === null && !['discovery', 'qualified'].includes(d.stage) ? 'null amount late' : '',
      d.lineItems.length > 0 && d.amount !== d.lineItems.reduce((s, li) => s + li.quantity * li.unitPrice, 0) ? 'amount != line items' : '',
      d.stage === 'won' && d.lineItems.length === 0 ? 'won without line items' : '',
      d.stage === 'lost' && d.lineItems.length > 0 ? 'lost with line items' : '',
    ].filter(Boolean);
    if (problems.length > 0) broken.push(`${d.key}: ${problems.join(', ')}`);
  }
  return broken;
}

/** activities, tickets, contacts and accounts out of their time window or inconsistent */
function eventProblems(org: SeedOrg): string[] {
  const asOf = org.asOf;
  const created = new Map(org.accounts.map((a) => [a.key, a.createdAt]));
  const broken: string[] = [];
  for (const a of org.activities) {
    if (!(a.at < asOf && a.at >= (created.get(a.accountKey) ?? ''))) broken.push(`${a.key} at`);
    if ((a.direction === null) !== (a.type !== 'email' && a.type !== 'call')) broken.push(`${a.key} direction`);
    if ((a.completed === null) !== (a.type !== 'task')) broken.push(`${a.key} completed`);
  }
  for (const t of org.tickets) {
    if (!(t.createdAt < asOf && t.createdAt >= (created.get(t.accountKey) ?? ''))) broken.push(`${t.key} createdAt`);
    if ((t.closedAt === null) !== (t.status === 'open')) broken.push(`${t.key} status`);
    if (t.closedAt !== null && !(t.closedAt > t.createdAt && t.closedAt < asOf)) broken.push(`${t.key} closedAt`);
  }
  for (const c of org.contacts) if (!(c.createdAt >= (created.get(c.accountKey) ?? '') && c.createdAt < asOf)) broken.push(`${c.key} createdAt`);
  for (const a of org.accounts) if (a.usage.length !== 6 || a.createdAt >= asOf) broken.push(`${a.key}`);
  return broken;
}
