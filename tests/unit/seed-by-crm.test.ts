import { describe, expect, it } from 'vitest';
import { generateSeedOrg, generateSeedOrgsByCrm } from '../../src/sandbox/seed/generate.js';
import type { SeedOrg } from '../../src/sandbox/seed/types.js';

/** the whole org restricted to the accounts `keep` takes, the way each CRM loader reads it */
function restrict(org: SeedOrg, keep: (crm: string) => boolean): SeedOrg {
  const keys = new Set(org.accounts.filter((a) => keep(a.crm)).map((a) => a.key));
  return {
    ...org,
    accounts: org.accounts.filter((a) => keys.has(a.key)),
    contacts: org.contacts.filter((c) => keys.has(c.accountKey)),
    deals: org.deals.filter((d) => keys.has(d.accountKey)),
    activities: org.activities.filter((a) => keys.has(a.accountKey)),
    tickets: org.tickets.filter((t) => keys.has(t.accountKey)),
  };
}

describe('generateSeedOrgsByCrm', () => {
  const options = { seed: 7, accounts: 300, asOf: '2026-11-28' };
  const whole = generateSeedOrg(options);
  const parts = generateSeedOrgsByCrm(options);

  it('gives each CRM exactly its part of the whole org, quotas included', () => {
    expect(JSON.stringify(parts.hubspot)).toBe(JSON.stringify(restrict(whole, (crm) => crm !== 'salesforce')));
    expect(JSON.stringify(parts.salesforce)).toBe(JSON.stringify(restrict(whole, (crm) => crm !== 'hubspot')));
  });

  it('splits the accounts hubspot / salesforce / both with the duplicates in both parts', () => {
    const both = whole.accounts.filter((a) => a.crm === 'both').length;
    expect(both).toBeGreaterThan(0);
    expect(parts.hubspot.accounts.length + parts.salesforce.accounts.length - both).toBe(300);
    expect(parts.hubspot.accounts.every((a) => a.crm !== 'salesforce')).toBe(true);
    expect(parts.salesforce.accounts.every((a) => a.crm !== 'hubspot')).toBe(true);
    expect(parts.hubspot.quotas.length).toBe(whole.quotas.length);
  });
});
