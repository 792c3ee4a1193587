/**
 * A small hand-built SeedOrg for tests (and a stand-in until the generator is used): 2 teams of
 * 4 owners, 3 Salesforce accounts, 1 HubSpot-only and 1 in both CRMs, with contacts, deals
 * (history and line items), activities, cases and quotas. Dates are laid out around
 * `asOf` = 2026-11-15.
 */
import type { SeedOrg } from '../seed/types.js';

export function tinySeedOrg(): SeedOrg {
  return {
    seed: 7,
    asOf: '2026-11-15',
    competitors: ['Globex'],
    teams: [
      { key: 'team-east', name: 'East', managerKey: 'owner-mgr' },
      { key: 'team-west', name: 'West', managerKey: 'owner-mgr' },
    ],
    owners: [
      { key: 'owner-head', firstName: 'Hana', lastName: 'Head', email: 'hana.head@example.com', managerKey: null, teamKey: null, active: true },
      { key: 'owner-mgr', firstName: 'Milo', lastName: 'Manager', email: 'milo.manager@example.com', managerKey: 'owner-head', teamKey: 'team-east', active: true },
      { key: 'owner-rep1', firstName: 'Rita', lastName: 'Rep', email: 'rita.rep@example.com', managerKey: 'owner-mgr', teamKey: 'team-east', active: true },
      { key: 'owner-rep2', firstName: 'Sam', lastName: 'Seller', email: 'sam.seller@example.com', managerKey: 'owner-mgr', teamKey: 'team-west', active: false },
    ],
    quotas: [
      { ownerKey: 'owner-rep1', periodStart: '2026-10-01', periodEnd: '2026-12-31', amount: 120000 },
      { ownerKey: 'owner-rep2', periodStart: '2026-10-01', periodEnd: '2026-12-31', amount: 90000 },
      { ownerKey: 'owner-rep1', periodStart: '2026-07-01', periodEnd: '2026-09-30', amount: 100000 },
    ],
    products: [
      { key: 'prod-core', name: 'Core Platform', sku: 'CORE-1', family: 'Platform', price: 1000 },
      { key: 'prod-analytics', name: 'Analytics Add-on', sku: 'ANL-1', family: 'Add-on', price: 250 },
    ],
    accounts: [
      { key: 'acct-1', name: 'Northwind Logistics', domain: 'northwind-logistics.com', industry: 'Transportation', employees: 1200, annualRevenue: 50_000_000, ownerKey: 'owner-rep1', crm: 'salesforce', createdAt: '2025-01-10T09:00:00Z', renewalDate: '2027-01-31', churned: false, usage: [50, 52, 55, 57, 60, 61] },
      { key: 'acct-2', name: 'Contoso Retail', domain: 'contoso-retail.com', industry: 'Retail', employees: 300, annualRevenue: 8_000_000, ownerKey: 'owner-rep1', crm: 'salesforce', createdAt: '2025-03-02T09:00:00Z', renewalDate: '2026-12-20', churned: true, usage: [80, 70, 60, 40, 30, 20] },
      { key: 'acct-3', name: 'Fabrikam Health', domain: 'fabrikam-health.com', industry: 'Healthcare', employees: 5000, annualRevenue: 400_000_000, ownerKey: 'owner-rep2', crm: 'salesforce', createdAt: '2025-06-20T09:00:00Z', renewalDate: null, churned: false, usage: [] },
      { key: 'acct-4', name: 'Tailspin Toys', domain: 'tailspin-toys.com', industry: 'Retail', employees: 80, annualRevenue: 2_000_000, ownerKey: 'owner-rep2', crm: 'hubspot', createdAt: '2025-07-01T09:00:00Z', renewalDate: null, churned: false, usage: [10] },
      { key: 'acct-5', name: 'Litware Labs', domain: 'litware-labs.com', industry: 'Technology', employees: 150, annualRevenue: 12_000_000, ownerKey: 'owner-mgr', crm: 'both', createdAt: '2025-08-15T09:00:00Z', renewalDate: '2027-03-01', churned: false, usage: [5, 6] },
    ],
    contacts: [
      { key: 'ct-1', accountKey: 'acct-1', firstName: 'Ada', lastName: 'Buyer', email: 'ada@northwind-logistics.com', title: 'VP Operations', active: true, createdAt: '2025-01-11T09:00:00Z' },
      { key: 'ct-2', accountKey: 'acct-1', firstName: 'Ben', lastName: 'User', email: 'ben@northwind-logistics.com', title: 'Analyst', active: true, createdAt: '2025-01-12T09:00:00Z' },
      { key: 'ct-3', accountKey: 'acct-2', firstName: 'Cy', lastName: 'Champion', email: 'cy@contoso-retail.com', title: 'CIO', active: false, createdAt: '2025-03-03T09:00:00Z' },
      { key: 'ct-4', accountKey: 'acct-4', firstName: 'Dee', lastName: 'Hub', email: 'dee@tailspin-toys.com', title: 'CEO', active: true, createdAt: '2025-07-02T09:00:00Z' },
    ],
    deals: [
      {
        key: 'deal-1', accountKey: 'acct-1', ownerKey: 'owner-rep1', name: 'Northwind expansion', amount: 1500, stage: 'negotiation', closeDate: '2026-12-15',
        createdAt: '2026-09-01T10:00:00Z', type: 'expansion',
        history: [
          { at: '2026-09-20T10:00:00Z', field: 'stage', from: 'discovery', to: 'proposal' },
          { at: '2026-10-05T10:00:00Z', field: 'amount', from: '1000', to: '1500' },
          { at: '2026-10-20T10:00:00Z', field: 'stage', from: 'proposal', to: 'negotiation' },
          { at: '2026-10-20T10:00:00Z', field: 'closeDate', from: '2026-11-30', to: '2026-12-15' },
        ],
        lineItems: [
          { key: 'li-1', productKey: 'prod-core', quantity: 1, unitPrice: 1000 },
          { key: 'li-2', productKey: 'prod-analytics', quantity: 2, unitPrice: 250 },
        ],
      },
      {
        key: 'deal-2', accountKey: 'acct-2', ownerKey: 'owner-rep1', name: 'Contoso renewal', amount: 8000, stage: 'lost', closeDate: '2026-10-31',
        createdAt: '2026-06-01T10:00:00Z', type: 'renewal',
        history: [{ at: '2026-10-31T10:00:00Z', field: 'stage', from: 'contract', to: 'lost' }],
        lineItems: [],
      },
      {
        key: 'deal-3', accountKey: 'acct-3', ownerKey: 'owner-rep2', name: 'Fabrikam new logo', amount: null, stage: 'discovery', closeDate: '2027-02-28',
        createdAt: '2026-11-01T10:00:00Z', type: 'new', history: [], lineItems: [],
      },
      {
        key: 'deal-4', accountKey: 'acct-1', ownerKey: 'owner-rep1', name: 'Northwind renewal 2026', amount: 20000, stage: 'won', closeDate: '2026-08-15',
        createdAt: '2026-05-01T10:00:00Z', type: 'renewal',
        history: [{ at: '2026-08-15T10:00:00Z', field: 'stage', from: 'contract', to: 'won' }],
        lineItems: [],
      },
      {
        key: 'deal-5', accountKey: 'acct-4', ownerKey: 'owner-rep2', name: 'Tailspin pilot', amount: 500, stage: 'qualified', closeDate: '2026-12-01',
        createdAt: '2026-10-01T10:00:00Z', type: 'new', history: [], lineItems: [],
      },
    ],
    activities: [
      { key: 'act-1', accountKey: 'acct-1', contactKey: 'ct-1', dealKey: 'deal-1', ownerKey: 'owner-rep1', type: 'call', at: '2026-11-10T15:00:00Z', direction: 'outbound', subject: 'Pricing call', body: 'Discussed pricing; Globex was mentioned.', completed: null },
      { key: 'act-2', accountKey: 'acct-1', contactKey: 'ct-2', dealKey: null, ownerKey: 'owner-rep1', type: 'email', at: '2026-11-12T08:30:00Z', direction: 'inbound', subject: 'Re: onboarding', body: 'Thanks for the onboarding session.', completed: null },
      { key: 'act-3', accountKey: 'acct-1', contactKey: 'ct-1', dealKey: 'deal-1', ownerKey: 'owner-rep1', type: 'meeting', at: '2026-11-05T14:00:00Z', direction: null, subject: 'QBR', body: 'Quarterly business review.', completed: null },
      { key: 'act-4', accountKey: 'acct-2', contactKey: null, dealKey: null, ownerKey: 'owner-rep1', type: 'task', at: '2026-11-20T09:00:00Z', direction: null, subject: 'Follow up on renewal', body: '', completed: false },
      { key: 'act-5', accountKey: 'acct-2', contactKey: 'ct-3', dealKey: null, ownerKey: 'owner-rep1', type: 'note', at: '2026-09-01T09:00:00Z', direction: null, subject: 'Note', body: 'Evaluating Globex.', completed: null },
      { key: 'act-6', accountKey: 'acct-4', contactKey: 'ct-4', dealKey: null, ownerKey: 'owner-rep2', type: 'call', at: '2026-11-01T09:00:00Z', direction: 'inbound', subject: 'HubSpot-only call', body: '', completed: null },
    ],
    tickets: [
      { key: 'tk-1', accountKey: 'acct-2', subject: 'Outage in EU region', priority: 'urgent', status: 'open', escalated: true, createdAt: '2026-11-01T07:00:00Z', closedAt: null },
      { key: 'tk-2', accountKey: 'acct-2', subject: 'Invoice question', priority: 'low', status: 'closed', escalated: false, createdAt: '2026-10-01T07:00:00Z', closedAt: '2026-10-03T07:00:00Z' },
      { key: 'tk-3', accountKey: 'acct-1', subject: 'SSO setup', priority: 'medium', status: 'open', escalated: false, createdAt: '2026-11-08T07:00:00Z', closedAt: null },
    ],
  };
}

/** tinySeedOrg plus `extra` Salesforce accounts "Bulk Account 0001"… (for paging tests). */
export function seedWithAccounts(extra: number): SeedOrg {
  const seed = tinySeedOrg();
  for (let i = 1; i <= extra; i++) {
    const n = String(i).padStart(4, '0');
    seed.accounts.push({
      key: `acct-bulk-${n}`, name: `Bulk Account ${n}`, domain: `bulk-${n}.example.com`, industry: i % 2 ? 'Retail' : 'Technology',
      employees: i, annualRevenue: i * 1000, ownerKey: 'owner-rep1', crm: 'salesforce',
      createdAt: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(), renewalDate: null, churned: false, usage: [],
    });
  }
  return seed;
}
