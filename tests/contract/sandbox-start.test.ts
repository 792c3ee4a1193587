import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type RunningSandboxPair } from '../../src/sandbox/index.js';

const ACCOUNTS = 200;

async function json(url: string, token: string, init: RequestInit = {}): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers } });
  return { status: res.status, body: await res.json() };
}

/** every HubSpot company, 100 per page */
async function hubspotCompanyIds(url: string, token: string): Promise<string[]> {
  const ids: string[] = [];
  let after: string | undefined;
  for (let page = 0; page < 50; page += 1) {
    const { status, body } = await json(`${url}/crm/v3/objects/companies?limit=100${after ? `&after=${after}` : ''}`, token);
    expect(status).toBe(200);
    const data = body as { results: { id: string }[]; paging?: { next?: { after: string } } };
    ids.push(...data.results.map((r) => r.id));
    after = data.paging?.next?.after;
    if (!after) break;
  }
  return ids;
}

async function portIsFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, host, () => probe.close(() => resolve(true)));
  });
}

describe('startSandbox on ephemeral ports (200 accounts)', () => {
  let sandbox: RunningSandboxPair;
  beforeAll(async () => {
    sandbox = await startSandbox({ seed: 9, accounts: ACCOUNTS, asOf: '2026-11-28', hubspotPort: 0, salesforcePort: 0 });
  });
  afterAll(async () => {
    await sandbox?.close().catch(() => undefined);
  });

  it('starts both CRMs on distinct local ports with their tokens', () => {
    expect(sandbox.hubspot.name).toBe('HubSpot');
    expect(sandbox.salesforce.name).toBe('Salesforce');
    expect(sandbox.hubspot.url).toBe(`http://127.0.0.1:${sandbox.hubspot.port}`);
    expect(sandbox.salesforce.url).toBe(`http://127.0.0.1:${sandbox.salesforce.port}`);
    expect(sandbox.hubspot.port).not.toBe(sandbox.salesforce.port);
    expect(sandbox.hubspot.token.length).toBeGreaterThan(10);
    expect(sandbox.salesforce.token.startsWith('00D')).toBe(true);
    expect(sandbox.seedOrg.accounts).toHaveLength(ACCOUNTS);
  });

  it('HubSpot holds the hubspot + both accounts, Salesforce the salesforce + both accounts', async () => {
    const inHubSpot = sandbox.seedOrg.accounts.filter((a) => a.crm !== 'salesforce');
    const inSalesforce = sandbox.seedOrg.accounts.filter((a) => a.crm !== 'hubspot');
    expect(inHubSpot.length + inSalesforce.length).toBe(ACCOUNTS + sandbox.seedOrg.accounts.filter((a) => a.crm === 'both').length);

    const companyIds = await hubspotCompanyIds(sandbox.hubspot.url, sandbox.hubspot.token);
    expect(companyIds).toHaveLength(inHubSpot.length);
    expect(new Set(companyIds)).toEqual(new Set(inHubSpot.map((a) => sandbox.hubspot.externalId(a.key))));

    const soql = encodeURIComponent('SELECT Id, Website FROM Account');
    const { status, body } = await json(`${sandbox.salesforce.url}/services/data/v59.0/query?q=${soql}`, sandbox.salesforce.token);
    expect(status).toBe(200);
    const result = body as { totalSize: number; done: boolean; records: { Id: string }[] };
    expect(result.totalSize).toBe(inSalesforce.length);
    expect(new Set(result.records.map((r) => r.Id))).toEqual(new Set(inSalesforce.map((a) => sandbox.salesforce.externalId(a.key))));
  });

  it('counts the calls it served, per CRM', () => {
    expect(sandbox.hubspot.stats.snapshot().calls.byRoute['GET /crm/v3/objects/companies']).toBe(Math.ceil(sandbox.seedOrg.accounts.filter((a) => a.crm !== 'salesforce').length / 100));
    expect(sandbox.salesforce.stats.snapshot().calls.total).toBe(1);
  });

  it('close() frees both ports', async () => {
    const { hubspot, salesforce } = sandbox;
    await sandbox.close();
    expect(await portIsFree(hubspot.port, '127.0.0.1')).toBe(true);
    expect(await portIsFree(salesforce.port, '127.0.0.1')).toBe(true);
    await expect(fetch(`${hubspot.url}/crm/v3/objects/companies`)).rejects.toThrow();
  });
});

describe('startSandbox options', () => {
  it('rejects a bad fault spec before starting anything', async () => {
    await expect(startSandbox({ accounts: 100, faults: '429@nonsense target here' })).rejects.toThrow(/fault rule/);
  });

  it('applies the fault spec to both CRMs', async () => {
    const sandbox = await startSandbox({ seed: 2, accounts: 100, asOf: '2026-11-28', faults: '5xx#times=1#status=502' });
    try {
      expect(sandbox.hubspot.faults.list()).toEqual([expect.objectContaining({ kind: '5xx', status: 502, times: 1, fired: 0 })]);
      expect(sandbox.salesforce.faults.list()).toEqual([expect.objectContaining({ kind: '5xx', status: 502, times: 1, fired: 0 })]);
      const first = await fetch(`${sandbox.hubspot.url}/crm/v3/objects/companies?limit=1`, { headers: { authorization: `Bearer ${sandbox.hubspot.token}` } });
      const second = await fetch(`${sandbox.hubspot.url}/crm/v3/objects/companies?limit=1`, { headers: { authorization: `Bearer ${sandbox.hubspot.token}` } });
      expect([first.status, second.status]).toEqual([502, 200]);
    } finally {
      await sandbox.close();
    }
  });
});
