import jsforce, { type Connection } from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedWithAccounts } from '../../src/sandbox/salesforce/fixtures.js';
import { startSalesforceSandbox, type RunningSalesforceSandbox } from '../../src/sandbox/salesforce/server.js';

// 5 seeded accounts in Salesforce (3 'salesforce' + 1 'both'... see fixtures) + 450 extra
const EXTRA = 450;
let clock = new Date('2026-11-15T12:00:00Z');
let sb: RunningSalesforceSandbox;
let conn: Connection;

beforeAll(async () => {
  sb = await startSalesforceSandbox({ seed: seedWithAccounts(EXTRA), now: () => clock });
  conn = new jsforce.Connection({ instanceUrl: sb.url, accessToken: sb.token, version: '62.0' });
});
afterAll(() => sb.close());

const SF_ACCOUNTS = 4 + EXTRA; // acct-1, acct-2, acct-3, acct-5 ('both') + extras

describe('REST query paging', () => {
  it('pages with batchSize through /query/{locator} and returns every row once', async () => {
    const headers = { 'Sforce-Query-Options': 'batchSize=200' };
    const first = await conn.query<{ Id: string; Name: string }>('SELECT Id, Name FROM Account ORDER BY Name', { headers });
    expect(first.totalSize).toBe(SF_ACCOUNTS);
    expect(first.records).toHaveLength(200);
    expect(first.done).toBe(false);
    // the locator keeps the batch size the query was opened with
    // jsforce rewrites nextRecordsUrl to an absolute URL; the wire value is checked below
    expect(first.nextRecordsUrl).toMatch(/\/services\/data\/v62\.0\/query\/01g\w{15}-200$/);
    const second = await conn.queryMore<{ Id: string; Name: string }>(first.nextRecordsUrl!);
    expect(second.records).toHaveLength(200);
    const third = await conn.queryMore<{ Id: string; Name: string }>(second.nextRecordsUrl!);
    expect(third.records).toHaveLength(SF_ACCOUNTS - 400);
    expect(third.done).toBe(true);
    expect(third.nextRecordsUrl).toBeUndefined();
    const names = [...first.records, ...second.records, ...third.records].map((r) => r.Name);
    expect(new Set(names).size).toBe(SF_ACCOUNTS);
    expect(names).toEqual([...names].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase())));
    expect(names).not.toContain('Tailspin Toys'); // HubSpot-only account
  });

  it('sends nextRecordsUrl as a relative /services/data/vXX.X/query/01g…-<offset> path', async () => {
    const raw = await conn.request<{ nextRecordsUrl: string; done: boolean }>({
      method: 'GET', url: `/services/data/v62.0/query?q=${encodeURIComponent('SELECT Id FROM Account')}`, headers: { 'Sforce-Query-Options': 'batchSize=300' },
    });
    expect(raw.done).toBe(false);
    expect(raw.nextRecordsUrl).toMatch(/^\/services\/data\/v62\.0\/query\/01g\w{15}-300$/);
  });

  it('defaults to 2,000-row batches and clamps batchSize below 200', async () => {
    const all = await conn.query('SELECT Id FROM Account');
    expect(all.records).toHaveLength(SF_ACCOUNTS);
    expect(all.done).toBe(true);
    const clamped = await conn.query('SELECT Id FROM Account', { headers: { 'Sforce-Query-Options': 'batchSize=50' } });
    expect(clamped.records).toHaveLength(200);
  });

  it('rejects an unknown locator with INVALID_QUERY_LOCATOR', async () => {
    await expect(conn.request('/query/01g5g0000000ZZZAAA-200')).rejects.toMatchObject({ errorCode: 'INVALID_QUERY_LOCATOR' });
  });
});

describe('queryAll', () => {
  it('includes deleted rows with IsDeleted and pages through /query/ locators', async () => {
    const victims = await conn.query<{ Id: string }>("SELECT Id FROM Account WHERE Name LIKE 'Bulk Account 000%' ORDER BY Name");
    expect(victims.records).toHaveLength(9);
    const results = await conn.sobject('Account').destroy(victims.records.map((r) => r.Id));
    expect(results.every((r) => r.success)).toBe(true);

    const live = await conn.query('SELECT COUNT() FROM Account');
    expect(live.totalSize).toBe(SF_ACCOUNTS - 9);

    const headers = { 'Sforce-Query-Options': 'batchSize=200' };
    const first = await conn.query<{ Id: string; IsDeleted: boolean }>('SELECT Id, IsDeleted FROM Account ORDER BY Id', { headers, scanAll: true });
    expect(first.totalSize).toBe(SF_ACCOUNTS);
    expect(first.nextRecordsUrl).toMatch(/\/query\/01g/);
    let rows = first.records;
    let next = first.nextRecordsUrl;
    while (next) {
      const page = await conn.queryMore<{ Id: string; IsDeleted: boolean }>(next);
      rows = rows.concat(page.records);
      next = page.nextRecordsUrl;
    }
    expect(rows).toHaveLength(SF_ACCOUNTS);
    expect(rows.filter((r) => r.IsDeleted).map((r) => r.Id).sort()).toEqual(victims.records.map((r) => r.Id).sort());
    const deletedOnly = await conn.query("SELECT Id FROM Account WHERE IsDeleted = true", { scanAll: true });
    expect(deletedOnly.totalSize).toBe(9);
  });
});

describe('SOQL features', () => {
  it('renders parent paths as nested records and child subqueries as query results', async () => {
    const result = await conn.query<Record<string, any>>(
      "SELECT Name, Amount, Account.Name, Owner.Email, (SELECT Quantity, UnitPrice, TotalPrice, Product2.ProductCode FROM OpportunityLineItems ORDER BY UnitPrice DESC) FROM Opportunity WHERE Account.Name = 'Northwind Logistics' ORDER BY CloseDate",
    );
    expect(result.records.map((r) => r.Name)).toEqual(['Northwind renewal 2026', 'Northwind expansion']);
    const [renewal, expansion] = result.records as [Record<string, any>, Record<string, any>];
    expect(renewal.OpportunityLineItems).toBeNull();
    expect(expansion.Account).toEqual({ attributes: { type: 'Account', url: `/services/data/v62.0/sobjects/Account/${sb.externalId('acct-1')}` }, Name: 'Northwind Logistics' });
    expect(expansion.Owner.Email).toBe('rita.rep@example.com');
    expect(expansion.OpportunityLineItems.totalSize).toBe(2);
    expect(expansion.OpportunityLineItems.done).toBe(true);
    expect(expansion.OpportunityLineItems.records.map((li: any) => [li.Quantity, li.UnitPrice, li.TotalPrice, li.Product2.ProductCode])).toEqual([
      [1, 1000, 1000, 'CORE-1'],
      [2, 250, 500, 'ANL-1'],
    ]);
  });

  it('filters with AND/OR/NOT, IN, NOT IN, LIKE, null, dates and date literals', async () => {
    const q = async (where: string) =>
      (await conn.query<{ Name: string }>(`SELECT Name FROM Opportunity WHERE ${where} ORDER BY Name`)).records.map((r) => r.Name);
    expect(await q("StageName IN ('Closed Won', 'Closed Lost')")).toEqual(['Contoso renewal', 'Northwind renewal 2026']);
    expect(await q("StageName NOT IN ('Closed Won', 'Closed Lost')")).toEqual(['Fabrikam new logo', 'Northwind expansion']);
    expect(await q('Amount = null')).toEqual(['Fabrikam new logo']);
    expect(await q('Amount != null AND (IsWon = true OR Amount < 2000)')).toEqual(['Northwind expansion', 'Northwind renewal 2026']);
    expect(await q('NOT (IsClosed = true)')).toEqual(['Fabrikam new logo', 'Northwind expansion']);
    expect(await q("name like 'north%'")).toEqual(['Northwind expansion', 'Northwind renewal 2026']);
    expect(await q('CloseDate >= 2026-10-31 AND CloseDate <= 2026-12-15')).toEqual(['Contoso renewal', 'Northwind expansion']);
    expect(await q('CreatedDate > 2026-10-01T00:00:00Z')).toEqual(['Fabrikam new logo']);
    // clock: 2026-11-15 → THIS_QUARTER is Oct..Dec 2026, LAST_N_DAYS:30 from 2026-10-16
    expect(await q('CloseDate = THIS_QUARTER')).toEqual(['Contoso renewal', 'Northwind expansion']);
    expect(await q('CloseDate = LAST_QUARTER')).toEqual(['Northwind renewal 2026']);
    expect(await q('CreatedDate = LAST_N_DAYS:30')).toEqual(['Fabrikam new logo']);
    expect(await q('CloseDate > THIS_QUARTER')).toEqual(['Fabrikam new logo']);
    const accountIds = await conn.query<{ Name: string }>(
      "SELECT Name FROM Account WHERE Id IN (SELECT AccountId FROM Opportunity WHERE IsWon = true)",
    );
    expect(accountIds.records.map((r) => r.Name)).toEqual(['Northwind Logistics']);
  });

  it('orders by several keys with NULLS FIRST/LAST and applies LIMIT/OFFSET', async () => {
    const names = async (soql: string) => (await conn.query<{ Name: string }>(soql)).records.map((r) => r.Name);
    expect(await names('SELECT Name FROM Opportunity ORDER BY Amount DESC NULLS LAST, Name')).toEqual([
      'Northwind renewal 2026', 'Contoso renewal', 'Northwind expansion', 'Fabrikam new logo',
    ]);
    expect(await names('SELECT Name FROM Opportunity ORDER BY Amount ASC NULLS FIRST LIMIT 2')).toEqual(['Fabrikam new logo', 'Northwind expansion']);
    expect(await names('SELECT Name FROM Opportunity ORDER BY Amount ASC NULLS FIRST LIMIT 2 OFFSET 1')).toEqual(['Northwind expansion', 'Contoso renewal']);
  });

  it('answers COUNT() with totalSize and grouped aggregates as AggregateResult rows', async () => {
    const count = await conn.query("SELECT COUNT() FROM Contact WHERE Account.Name = 'Northwind Logistics'");
    expect(count.totalSize).toBe(2);
    expect(count.records).toEqual([]);
    const grouped = await conn.query('SELECT StageName, COUNT(Id), SUM(Amount) total FROM Opportunity GROUP BY StageName ORDER BY StageName');
    expect(grouped.records).toEqual([
      { attributes: { type: 'AggregateResult' }, StageName: 'Closed Lost', expr0: 1, total: 8000 },
      { attributes: { type: 'AggregateResult' }, StageName: 'Closed Won', expr0: 1, total: 20000 },
      { attributes: { type: 'AggregateResult' }, StageName: 'Negotiation/Review', expr0: 1, total: 1500 },
      { attributes: { type: 'AggregateResult' }, StageName: 'Prospecting', expr0: 1, total: null },
    ]);
    const byOwner = await conn.query('SELECT Owner.Email, COUNT(Id), MAX(CloseDate) FROM Opportunity GROUP BY Owner.Email ORDER BY COUNT(Id) DESC');
    expect(byOwner.records).toEqual([
      { attributes: { type: 'AggregateResult' }, Email: 'rita.rep@example.com', expr0: 3, expr1: '2026-12-15' },
      { attributes: { type: 'AggregateResult' }, Email: 'sam.seller@example.com', expr0: 1, expr1: '2027-02-28' },
    ]);
  });

  it('reports MALFORMED_QUERY, INVALID_FIELD and INVALID_TYPE as 400 error arrays', async () => {
    const raw = async (soql: string) => {
      const res = await fetch(`${sb.url}/services/data/v62.0/query?q=${encodeURIComponent(soql)}`, { headers: { Authorization: `Bearer ${sb.token}` } });
      return { status: res.status, body: (await res.json()) as Array<{ errorCode: string; message: string }> };
    };
    const malformed = await raw('SELECT Id FROM');
    expect(malformed.status).toBe(400);
    expect(malformed.body).toHaveLength(1);
    expect(malformed.body[0]!.errorCode).toBe('MALFORMED_QUERY');
    const badField = await raw('SELECT Id, Nope__c FROM Account');
    expect(badField).toMatchObject({ status: 400, body: [{ errorCode: 'INVALID_FIELD' }] });
    expect(badField.body[0]!.message).toContain("No such column 'Nope__c' on entity 'Account'");
    const badType = await raw('SELECT Id FROM Widget');
    expect(badType).toMatchObject({ status: 400, body: [{ errorCode: 'INVALID_TYPE' }] });
    await expect(conn.query('SELECT Id FROM Account WHERE Name = ')).rejects.toMatchObject({ errorCode: 'MALFORMED_QUERY' });
  });
});

describe('incremental reads', () => {
  it('returns records written after X from WHERE SystemModstamp > X ORDER BY SystemModstamp, Id', async () => {
    const marker = clock;
    clock = new Date(marker.getTime() + 60_000);
    const created = await conn.sobject('Account').create({ Name: 'Fresh Account' });
    clock = new Date(marker.getTime() + 120_000);
    const target = sb.externalId('acct-2')!;
    await conn.sobject('Account').update({ Id: target, Industry: 'Media' });
    const soql = `SELECT Id, Name, Industry, SystemModstamp FROM Account WHERE SystemModstamp > ${marker.toISOString()} ORDER BY SystemModstamp, Id`;
    const result = await conn.query<{ Id: string; Name: string; Industry: string | null; SystemModstamp: string }>(soql);
    expect(result.records.map((r) => [r.Id, r.Name, r.Industry, r.SystemModstamp])).toEqual([
      [created.id, 'Fresh Account', null, '2026-11-15T12:01:00.000+0000'],
      [target, 'Contoso Retail', 'Media', '2026-11-15T12:02:00.000+0000'],
    ]);
  });
});
