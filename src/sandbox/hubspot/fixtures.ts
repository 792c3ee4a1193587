/**
 * A small hand-built SeedOrg for tests and quick demos while (and after) the generator exists.
 * Deterministic: account i (0-based) lives in HubSpot unless i % 5 === 3 (Salesforce) or
 * i % 5 === 4 ('both'); each account has 2 contacts, 1 deal (with one line item and a stage
 * history), 2 activities (a call with the first contact and a note on the deal) and, for even i,
 * one ticket.
 */
import type { SeedActivity, SeedOrg } from '../seed/types.js';

const pad = (n: number) => String(n).padStart(4, '0');

export function smallSeedOrg(options: { accounts?: number; asOf?: string } = {}): SeedOrg {
  const accountsCount = options.accounts ?? 10;
  const asOf = options.asOf ?? '2026-11-01';
  const owners = [
    { key: 'own-1', firstName: 'Grace', lastName: 'Hopper', email: 'grace@example.com', managerKey: null, teamKey: 'team-east', active: true },
    { key: 'own-2', firstName: 'Alan', lastName: 'Turing', email: 'alan@example.com', managerKey: 'own-1', teamKey: 'team-east', active: true },
    { key: 'own-3', firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com', managerKey: 'own-1', teamKey: 'team-west', active: false },
  ];
  const seed: SeedOrg = {
    seed: 1,
    asOf,
    teams: [
      { key: 'team-east', name: 'East', managerKey: 'own-1' },
      { key: 'team-west', name: 'West', managerKey: 'own-1' },
    ],
    owners,
    quotas: [
      { ownerKey: 'own-1', periodStart: '2026-10-01', periodEnd: '2026-12-31', amount: 500000 },
      { ownerKey: 'own-2', periodStart: '2026-10-01', periodEnd: '2026-12-31', amount: 300000 },
    ],
    products: [
      { key: 'prod-1', name: 'Core Platform', sku: 'CORE-1', family: 'Platform', price: 12000 },
      { key: 'prod-2', name: 'Analytics Add-on', sku: 'ANL-1', family: 'Add-ons', price: 4000 },
    ],
    accounts: [],
    contacts: [],
    deals: [],
    activities: [],
    tickets: [],
    competitors: ['Globex'],
  };
  for (let i = 0; i < accountsCount; i++) {
    const key = `acct-${pad(i)}`;
    const ownerKey = i % 2 === 0 ? 'own-1' : 'own-2';
    seed.accounts.push({
      key, name: `Account ${pad(i)}`, domain: `account-${pad(i)}.example.com`, industry: 'Software', employees: 100 + i,
      annualRevenue: 1_000_000 + i * 1000, ownerKey, crm: i % 5 === 3 ? 'salesforce' : i % 5 === 4 ? 'both' : 'hubspot',
      createdAt: '2024-01-15T10:00:00.000Z', renewalDate: '2027-01-31', churned: i % 7 === 0, usage: [50, 52, 55, 53, 51, 49 + i % 10],
    });
    for (let c = 0; c < 2; c++) {
      seed.contacts.push({
        key: `cont-${pad(i)}-${c}`, accountKey: key, firstName: `First${c}`, lastName: `Last${pad(i)}`,
        email: `contact${c}@account-${pad(i)}.example.com`, title: c === 0 ? 'VP Sales' : 'Buyer', active: true, createdAt: '2024-02-01T10:00:00.000Z',
      });
    }
    seed.deals.push({
      key: `deal-${pad(i)}`, accountKey: key, ownerKey, name: `Deal ${pad(i)}`, amount: i % 6 === 5 ? null : 10000 + i * 100,
      stage: i % 3 === 0 ? 'won' : 'proposal', closeDate: '2026-12-15', createdAt: '2026-06-01T09:00:00.000Z', type: 'new',
      history: [
        { at: '2026-07-01T09:00:00.000Z', field: 'stage', from: 'discovery', to: 'proposal' },
        ...(i % 3 === 0 ? [{ at: '2026-09-01T09:00:00.000Z', field: 'stage' as const, from: 'proposal', to: 'won' }] : []),
        { at: '2026-08-01T09:00:00.000Z', field: 'closeDate', from: '2026-11-30', to: '2026-12-15' },
      ],
      lineItems: [{ key: `li-${pad(i)}`, productKey: 'prod-1', quantity: 2, unitPrice: 5000 }],
    });
    const activity = (n: number, type: SeedActivity['type'], extra: Partial<SeedActivity>): SeedActivity => ({
      key: `act-${pad(i)}-${n}`, accountKey: key, contactKey: null, dealKey: null, ownerKey, type, at: '2026-10-01T12:00:00.000Z',
      direction: null, subject: `${type} ${pad(i)}`, body: `About the Globex comparison (${pad(i)})`, completed: null, ...extra,
    });
    seed.activities.push(
      activity(0, 'call', { contactKey: `cont-${pad(i)}-0`, direction: 'outbound' }),
      activity(1, 'note', { dealKey: `deal-${pad(i)}` }),
    );
    if (i % 2 === 0) {
      seed.tickets.push({
        key: `tick-${pad(i)}`, accountKey: key, subject: `Ticket ${pad(i)}`, priority: i % 4 === 0 ? 'urgent' : 'low',
        status: i % 4 === 0 ? 'open' : 'closed', escalated: i % 4 === 0, createdAt: '2026-09-10T08:00:00.000Z',
        closedAt: i % 4 === 0 ? null : '2026-09-12T08:00:00.000Z',
      });
    }
  }
  return seed;
}
