/**
 * startSandbox({ keepSeed: false }): the seeded org is generated per CRM and dropped once loaded;
 * the servers hold the same records as with the whole org, and `summary` has the whole org's counts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type LightSandboxPair } from '../../src/sandbox/index.js';
import { generateSeedOrg } from '../../src/sandbox/seed/generate.js';

const OPTIONS = { seed: 9, accounts: 200, asOf: '2026-11-28' };

describe('startSandbox with keepSeed: false (200 accounts)', () => {
  const whole = generateSeedOrg(OPTIONS);
  let sandbox: LightSandboxPair;
  beforeAll(async () => {
    sandbox = await startSandbox({ ...OPTIONS, hubspotPort: 0, salesforcePort: 0, keepSeed: false });
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  it('returns a summary with the whole org counts and no seed org', () => {
    const inHubSpot = whole.accounts.filter((a) => a.crm !== 'salesforce').length;
    const inSalesforce = whole.accounts.filter((a) => a.crm !== 'hubspot').length;
    expect(sandbox.summary).toEqual({
      seed: 9,
      asOf: '2026-11-28',
      accounts: 200,
      inHubSpot,
      inSalesforce,
      inBoth: inHubSpot + inSalesforce - 200,
      contacts: whole.contacts.length,
      deals: whole.deals.length,
      lineItems: whole.deals.reduce((n, d) => n + d.lineItems.length, 0),
      activities: whole.activities.length,
      tickets: whole.tickets.length,
      owners: whole.owners.length,
    });
    expect('seedOrg' in sandbox).toBe(false);
  });

  it('loads every account into the CRMs it belongs to, and only those', () => {
    for (const a of whole.accounts) {
      expect(sandbox.hubspot.externalId(a.key) !== undefined, `${a.key} (${a.crm}) in HubSpot`).toBe(a.crm !== 'salesforce');
      expect(sandbox.salesforce.externalId(a.key) !== undefined, `${a.key} (${a.crm}) in Salesforce`).toBe(a.crm !== 'hubspot');
    }
    for (const d of whole.deals) {
      const crm = whole.accounts.find((a) => a.key === d.accountKey)!.crm;
      expect(sandbox.hubspot.externalId(d.key) !== undefined).toBe(crm !== 'salesforce');
    }
  });

  it('serves the same HubSpot company as the whole-org sandbox would', async () => {
    const account = whole.accounts.find((a) => a.crm === 'both')!;
    const id = sandbox.hubspot.externalId(account.key)!;
    const res = await fetch(`${sandbox.hubspot.url}/crm/v3/objects/companies/${id}?properties=name,domain`, { headers: { authorization: `Bearer ${sandbox.hubspot.token}` } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { properties: Record<string, string> };
    expect(body.properties.name).toBe(account.name);
    expect(body.properties.domain).toBe(account.domain);
  });
});
