/**
 * The Salesforce connector against nock fixtures shaped like real Salesforce answers: paging and
 * checkpoints, Bulk 2.0 CSV paging, quarantine, and every error path of issue 5 (permissions,
 * field-level security, a deleted field, partial collection failures, the daily limit, session
 * expiry).
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PendingTasks } from '../../src/store/pendingTasks.js';
import { API, INSTANCE, limitHeaders, makeHarness, queryPage, type Harness } from '../fixtures/salesforce/helpers.js';

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../fixtures/salesforce/${name}`, import.meta.url), 'utf8'));
const accountConfig = {
  salesforce: { accountFields: [{ from: 'Usage_Index__c', to: 'usageIndex', type: 'number' }], renewalDateField: 'Renewal_Date__c', churnLabelField: 'Churned__c' },
};
const q = (soqlPart: RegExp) => (qs: Record<string, unknown>) => soqlPart.test(String(qs.q));
/** Our clock in these tests; answers without a Date header leave the org's time unknown. */
const NOW = Date.parse('2026-11-28T07:00:00.000Z');
/** NOW - 1 s (Date resolution) - 30 s (sync.settle), whole seconds */
const WINDOW_END = '2026-11-28T06:59:29.000Z';

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect((host) => host.startsWith('127.0.0.1') || host.startsWith('localhost'));
});
afterAll(() => nock.enableNetConnect());

/** A 127.0.0.1 server answering the n-th request (1-based) as the handler says. */
async function localServer(handler: (req: IncomingMessage, res: ServerResponse, n: number) => void): Promise<{ url: string; close(): Promise<void> }> {
  let n = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => handler(req, res, ++n));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

let h: Harness | undefined;
afterEach(async () => {
  nock.cleanAll();
  await h?.close();
  h = undefined;
});

describe('Salesforce sync (REST)', () => {
  let now = NOW;
  beforeEach(() => {
    now = NOW;
    h = makeHarness({ config: accountConfig, connector: { now: () => now } });
  });

  it('reads every page, quarantines the malformed row, keeps the others and checkpoints', async () => {
    const api = nock(INSTANCE)
      .get(`${API}/query`)
      .query((qs) => /FROM Account ORDER BY SystemModstamp, Id$/.test(String(qs.q)) && /Renewal_Date__c/.test(String(qs.q)))
      .matchHeader('sforce-query-options', 'batchSize=2000')
      .reply(200, fixture('accounts-page1.json'), limitHeaders(100))
      .get(`${API}/query/01gRO0000016PIAYA2-2000`)
      .reply(200, fixture('accounts-page2.json'), limitHeaders(101));
    const result = await h!.connector.syncStream('accounts', { store: h!.store, logger: h!.logger });
    expect(api.isDone()).toBe(true);
    expect(result).toMatchObject({ stream: 'accounts', pages: 2, read: 4, changed: 3, quarantined: 1, complete: true, stoppedReason: null, calls: 2 });
    expect((await h!.store.records.allIds('account')).sort()).toEqual(['salesforce:001RO00000A1b2cYAB', 'salesforce:001RO00000A1b2dYAB', 'salesforce:001RO00000A1b2fYAB']);
    const [q1] = await h!.store.quarantine.list();
    expect(q1).toMatchObject({ source: 'salesforce', stream: 'accounts', externalId: '001RO00000A1b2eYAB' });
    expect(q1?.reason).toMatch(/^invalid Account row: Name:/);
    expect(await h!.store.checkpoints.get('salesforce', 'accounts')).toEqual({ v: 1, cursor: WINDOW_END, deletedCursor: null, active: null, fullRows: 4 });
    expect((await h!.connector.budget()).dailyRemaining).toBe(100000 - 101);
  });

  it('an incremental pass is one queryAll up to the org\'s time minus settle: changes stored, deleted rows removed', async () => {
    await h!.store.checkpoints.save('salesforce', 'accounts', { v: 1, cursor: '2026-11-23T08:00:00.000Z', deletedCursor: '2026-11-23T08:00:00.000Z', active: null });
    await h!.store.records.upsert('account', [
      { id: 'salesforce:001RO00000A1b2fYAB', source: 'salesforce', externalId: '001RO00000A1b2fYAB', updatedAt: '2026-11-23T08:00:00.000Z', name: 'Umbrella', domain: null, industry: null, employees: null, annualRevenue: null, ownerId: null, parentId: null, renewalDate: null, churned: null, createdAt: null, fields: {} },
    ]);
    const changed = { ...fixture('accounts-page1.json').records[0], SystemModstamp: '2026-11-24T08:00:00.000+0000', IsDeleted: false };
    // committed after the window's end: the next pass's
    const late = { ...fixture('accounts-page1.json').records[1], SystemModstamp: '2026-11-28T06:57:50.000+0000', IsDeleted: false };
    const soql: string[] = [];
    // the org's clock is 2 minutes behind ours
    const orgTime = (date: string) => ({ ...limitHeaders(), Date: date });
    const api = nock(INSTANCE)
      .get(`${API}/queryAll`)
      .query((qs) => (soql.push(String(qs.q)), true))
      .reply(200, queryPage('Account', [changed, { Id: '001RO00000A1b2fYAB', SystemModstamp: '2026-11-24T09:00:00.000+0000', IsDeleted: true }, late]), orgTime('Sat, 28 Nov 2026 06:58:00 GMT'));
    const result = await h!.connector.syncStream('accounts', { store: h!.store, logger: h!.logger });
    expect(api.isDone()).toBe(true);
    // nothing heard from the org yet: no upper bound in the query; windowEnd = 06:58:00 - 1 s - 30 s
    expect(soql[0]).toMatch(/^SELECT Id, .*, IsDeleted FROM Account WHERE SystemModstamp > 2026-11-23T08:00:00Z ORDER BY SystemModstamp, Id$/);
    expect(result).toMatchObject({ read: 1, changed: 1, deleted: 1, complete: true, calls: 1 });
    expect(result.accountIds.sort()).toEqual([changed.Id, 'salesforce:001RO00000A1b2fYAB'].map((id) => (id.startsWith('salesforce:') ? id : `salesforce:${id}`)).sort());
    expect((await h!.store.records.allIds('account')).sort()).toEqual([`salesforce:${changed.Id}`]);
    // the checkpoint written before deletions came with the changes is read as is, its deletedCursor then dropped
    expect(await h!.store.checkpoints.get('salesforce', 'accounts')).toMatchObject({ cursor: '2026-11-28T06:57:29.000Z', deletedCursor: null, active: null });

    // a minute later the next pass starts there and, the org's time known, is bounded in the query
    now += 60_000;
    nock(INSTANCE)
      .get(`${API}/queryAll`)
      .query((qs) => (soql.push(String(qs.q)), true))
      .reply(200, queryPage('Account', [late]), orgTime('Sat, 28 Nov 2026 06:59:00 GMT'));
    const next = await h!.connector.syncStream('accounts', { store: h!.store, logger: h!.logger });
    expect(soql[1]).toMatch(/ FROM Account WHERE SystemModstamp > 2026-11-28T06:57:29Z AND SystemModstamp <= 2026-11-28T06:58:29Z ORDER BY SystemModstamp, Id$/);
    expect(next).toMatchObject({ read: 1, changed: 1, deleted: 0, calls: 1 });
    expect(await h!.store.checkpoints.get('salesforce', 'accounts')).toMatchObject({ cursor: '2026-11-28T06:58:29.000Z', active: null });
  });

  it('fetches the next query page while the current one is stored; an abort drops it and resumes at the saved locator', async () => {
    const abort = new AbortController();
    const api = nock(INSTANCE)
      .get(`${API}/query`)
      .query(true)
      .reply(200, fixture('accounts-page1.json'), limitHeaders())
      // requested before page 1 was stored (the run is aborted right after storing it)
      .get(`${API}/query/01gRO0000016PIAYA2-2000`)
      .reply(200, fixture('accounts-page2.json'), limitHeaders());
    const first = await h!.connector.syncStream('accounts', { store: h!.store, logger: h!.logger, signal: abort.signal, onPage: () => abort.abort() });
    expect(api.isDone()).toBe(true);
    expect(first).toMatchObject({ pages: 1, read: 2, complete: false, stoppedReason: 'aborted', calls: 2 });
    expect(await h!.store.checkpoints.get('salesforce', 'accounts')).toMatchObject({ cursor: null, active: { mode: 'rest', next: `${API}/query/01gRO0000016PIAYA2-2000`, windowEnd: WINDOW_END } });
    nock(INSTANCE).get(`${API}/query/01gRO0000016PIAYA2-2000`).reply(200, fixture('accounts-page2.json'), limitHeaders());
    const second = await h!.connector.syncStream('accounts', { store: h!.store, logger: h!.logger });
    expect(second).toMatchObject({ pages: 1, read: 2, complete: true, calls: 1 });
    expect(await h!.store.records.count('account')).toBe(3);
    expect(await h!.store.checkpoints.get('salesforce', 'accounts')).toMatchObject({ cursor: WINDOW_END, active: null });
  });

  it('drops a configured field deleted in the org (INVALID_FIELD) and reads without it', async () => {
    const api = nock(INSTANCE)
      .get(`${API}/query`)
      .query((qs) => /Renewal_Date__c/.test(String(qs.q)))
      .reply(400, [{ message: "\nSELECT Id, Renewal_Date__c FROM Account\n ^\nERROR at Row:1:Column:8\nNo such column 'Renewal_Date__c' on entity 'Account'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name.", errorCode: 'INVALID_FIELD' }], limitHeaders())
      .get(`${API}/query`)
      .query((qs) => !/Renewal_Date__c/.test(String(qs.q)) && /Usage_Index__c/.test(String(qs.q)))
      .reply(200, queryPage('Account', [{ ...fixture('accounts-page1.json').records[0], Renewal_Date__c: undefined }]), limitHeaders());
    const result = await h!.connector.syncStream('accounts', { store: h!.store, logger: h!.logger });
    expect(api.isDone()).toBe(true);
    expect(result).toMatchObject({ read: 1, changed: 1, complete: true });
    expect(await h!.store.records.get('account', 'salesforce:001RO00000A1b2cYAB')).toMatchObject({ renewalDate: null, churned: false });
  });

  it('names the field and the fix when a core field is hidden by field-level security', async () => {
    nock(INSTANCE)
      .get(`${API}/query`)
      .query(true)
      .reply(400, [{ message: "No such column 'Email' on entity 'Contact'.", errorCode: 'INVALID_FIELD' }], limitHeaders());
    await expect(h!.connector.syncStream('contacts', { store: h!.store, logger: h!.logger })).rejects.toThrow(
      /Salesforce Contact: 400 INVALID_FIELD .*field Email is missing or hidden from the integration user: grant field-level security access/,
    );
  });

  it('explains the permission ForecastingQuota needs', async () => {
    nock(INSTANCE)
      .get(`${API}/query`)
      .query(true)
      .reply(400, [{ message: "sObject type 'ForecastingQuota' is not supported.", errorCode: 'INVALID_TYPE' }], limitHeaders());
    await expect(h!.connector.syncStream('quotas', { store: h!.store, logger: h!.logger })).rejects.toThrow(/View All Forecasts.*Allow Forecasting.*or configure quotas in config/);
  });

  it('says what to grant on INSUFFICIENT_ACCESS', async () => {
    nock(INSTANCE)
      .get(`${API}/query`)
      .query(true)
      .reply(403, [{ message: 'insufficient access rights on object id', errorCode: 'INSUFFICIENT_ACCESS' }], limitHeaders());
    await expect(h!.connector.syncStream('tickets', { store: h!.store, logger: h!.logger })).rejects.toThrow(
      /Salesforce Case: 403 INSUFFICIENT_ACCESS .*grant it in the user's profile or a permission set/,
    );
  });

  it('stops at the checkpoint when the daily limit is reached, and resumes from the saved locator', async () => {
    nock(INSTANCE)
      .get(`${API}/query`)
      .query(true)
      .reply(200, fixture('accounts-page1.json'), limitHeaders(1000))
      .get(`${API}/query/01gRO0000016PIAYA2-2000`)
      .reply(403, [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }], limitHeaders(100000));
    const first = await h!.connector.syncStream('accounts', { store: h!.store, logger: h!.logger });
    expect(first).toMatchObject({ pages: 1, read: 2, complete: false, stoppedReason: 'budget' });
    expect(await h!.store.checkpoints.get('salesforce', 'accounts')).toMatchObject({ cursor: null, active: { mode: 'rest', next: `${API}/query/01gRO0000016PIAYA2-2000` } });
    expect((await h!.connector.budget()).reserveReached).toBe(true);

    // Later: the allowance is back; the run resumes at the saved locator (no first page again).
    await h!.redis.hset(`${h!.env.ACCOUNTPULSE_PREFIX}:budget:salesforce:acme.my.salesforce.com`, { dailyRemaining: '90000', sinceReport: '0' });
    const api = nock(INSTANCE).get(`${API}/query/01gRO0000016PIAYA2-2000`).reply(200, fixture('accounts-page2.json'), limitHeaders(10000));
    const second = await h!.connector.syncStream('accounts', { store: h!.store, logger: h!.logger });
    expect(api.isDone()).toBe(true);
    expect(second).toMatchObject({ pages: 1, read: 2, complete: true });
    expect(await h!.store.records.count('account')).toBe(3);
  });

  it('stops before the allowance falls under the reserve (20%) as reported by Sforce-Limit-Info', async () => {
    const api = nock(INSTANCE).get(`${API}/query`).query(true).reply(200, fixture('accounts-page1.json'), limitHeaders(80001));
    const result = await h!.connector.syncStream('accounts', { store: h!.store, logger: h!.logger });
    expect(api.isDone()).toBe(true);
    expect(result).toMatchObject({ pages: 1, read: 2, complete: false, stoppedReason: 'budget', calls: 1 });
    expect(await h!.store.checkpoints.get('salesforce', 'accounts')).toMatchObject({ active: { mode: 'rest', next: `${API}/query/01gRO0000016PIAYA2-2000` } });
  });

  it('refuses to start under the reserve without calling Salesforce', async () => {
    await h!.redis.hset(`${h!.env.ACCOUNTPULSE_PREFIX}:budget:salesforce:acme.my.salesforce.com`, { dailyLimit: '100000', dailyRemaining: '1000', sinceReport: '0' });
    const result = await h!.connector.syncStream('accounts', { store: h!.store, logger: h!.logger });
    expect(result).toMatchObject({ pages: 0, complete: false, stoppedReason: 'budget', calls: 0 });
  });

  it('retries a 503 and a dropped connection on a query', async () => {
    // nock cannot drop a connection under node-fetch (it hangs), so a local server does it.
    const seen: string[] = [];
    const server = await localServer((req, res, n) => {
      seen.push(`${req.method} ${req.url?.split('?')[0]}`);
      if (n === 1) return void res.writeHead(503, { 'Content-Type': 'text/plain' }).end('Service Unavailable');
      if (n === 2) return void req.socket.destroy();
      res.writeHead(200, limitHeaders()).end(JSON.stringify(queryPage('Case', [fixture('misc-rows.json').case])));
    });
    await h!.close();
    h = makeHarness({ env: { SALESFORCE_INSTANCE_URL: server.url } });
    try {
      const result = await h.connector.syncStream('tickets', { store: h.store, logger: h.logger });
      expect(result).toMatchObject({ read: 1, changed: 1, complete: true, calls: 3 });
      expect(seen).toEqual([`GET ${API}/query`, `GET ${API}/query`, `GET ${API}/query`]);
    } finally {
      await server.close();
    }
  });

  it('reads deals with OpportunityStage metadata queried once per run', async () => {
    const api = nock(INSTANCE)
      .get(`${API}/limits/recordCount`)
      .query(true)
      .reply(200, { sObjects: [{ count: 3, name: 'Opportunity' }] }, limitHeaders())
      .get(`${API}/query`)
      .query(q(/FROM OpportunityStage/))
      .once()
      .reply(200, fixture('opportunity-stages.json'), limitHeaders())
      .get(`${API}/query`)
      .query(q(/FROM Opportunity ORDER BY/))
      .reply(200, fixture('opportunities.json'), limitHeaders());
    const result = await h!.connector.syncStream('deals', { store: h!.store, logger: h!.logger, runId: 'run-1' });
    expect(api.isDone()).toBe(true);
    expect(result).toMatchObject({ read: 3, changed: 3, complete: true, ownerIds: ['salesforce:005RO000001AbCdYAK', 'salesforce:005RO000001AbCeYAK'] });
    expect(await h!.store.records.get('deal', 'salesforce:006RO00000B1aacYAB')).toMatchObject({ stage: 'Custom Discovery', probability: 0.15, forecastCategory: 'best_case' });
  });

  it('folds tasks into account aggregates and unfolds deleted ones', async () => {
    nock(INSTANCE).get(`${API}/query`).query(q(/FROM Task ORDER BY/)).reply(200, fixture('tasks.json'), limitHeaders());
    const first = await h!.connector.syncStream('tasks', { store: h!.store, logger: h!.logger });
    // the opportunity task has no stored deal yet: it is not folded (no account)
    expect(first).toMatchObject({ read: 3, changed: 2, accountIds: ['salesforce:001RO00000A1b2cYAB'] });
    const agg = (await h!.store.activities.aggregates(['salesforce:001RO00000A1b2cYAB'])).get('salesforce:001RO00000A1b2cYAB');
    expect(agg?.total).toBe(2);

    nock(INSTANCE)
      .get(`${API}/queryAll`)
      .query(q(/^SELECT .*IsDeleted.* FROM Task WHERE SystemModstamp > /))
      .reply(200, queryPage('Task', [{ Id: '00TRO00000T0001YAB', SystemModstamp: '2026-11-28T06:00:00.000+0000', AccountId: '001RO00000A1b2cYAB', IsDeleted: true }]), limitHeaders());
    const second = await h!.connector.syncStream('tasks', { store: h!.store, logger: h!.logger });
    expect(second).toMatchObject({ read: 0, deleted: 1, complete: true, calls: 1 });
    expect((await h!.store.activities.aggregates(['salesforce:001RO00000A1b2cYAB'])).get('salesforce:001RO00000A1b2cYAB')?.total).toBe(1);
  });

  it('re-reads given ids for a change notice, removing the deleted ones', async () => {
    await h!.store.records.upsert('ticket', [
      { id: 'salesforce:500RO00000S0002YAB', source: 'salesforce', externalId: '500RO00000S0002YAB', updatedAt: '2026-11-01T00:00:00.000Z', accountId: null, subject: 'x', priority: 'low', status: 'open', escalated: false, createdAt: '2026-11-01T00:00:00.000Z', closedAt: null },
    ]);
    const api = nock(INSTANCE)
      .get(`${API}/queryAll`)
      .query(q(/FROM Case WHERE Id IN \('500RO00000S0001YAB','500RO00000S0002YAB'\)/))
      .reply(200, queryPage('Case', [{ ...fixture('misc-rows.json').case, IsDeleted: false }, { Id: '500RO00000S0002YAB', SystemModstamp: '2026-11-26T00:00:00.000+0000', IsDeleted: true }]), limitHeaders());
    const result = await h!.connector.syncRecords('tickets', ['500RO00000S0001YAB', '500RO00000S0002YAB', "x' OR Name != '"], { store: h!.store, logger: h!.logger });
    expect(api.isDone()).toBe(true);
    expect(result).toMatchObject({ read: 1, changed: 1, deleted: 1, complete: true, calls: 1 });
    expect(await h!.store.records.allIds('ticket')).toEqual(['salesforce:500RO00000S0001YAB']);
  });
});

describe('Salesforce sync (Bulk API 2.0)', () => {
  beforeEach(() => {
    h = makeHarness({ config: { sync: { bulkThreshold: 2 } }, connector: { bulkPageSize: 2, now: () => NOW } });
  });

  it('switches to a Bulk 2.0 job above the threshold and pages CSV results by locator, checkpointing the job', async () => {
    const header = 'Id,SystemModstamp,CreatedDate,Name,FirstName,LastName,AccountId,Email,Title\n';
    const api = nock(INSTANCE)
      .get(`${API}/query`)
      .query(true)
      .reply(200, queryPage('Contact', [], { totalSize: 3 }), limitHeaders())
      .post(`${API}/jobs/query`, (body) => body.operation === 'query' && /FROM Contact$/.test(body.query))
      .reply(200, { id: '750RO000000J001YAB', state: 'UploadComplete' }, limitHeaders())
      .get(`${API}/jobs/query/750RO000000J001YAB`)
      .reply(200, { id: '750RO000000J001YAB', state: 'JobComplete' }, limitHeaders())
      .get(`${API}/jobs/query/750RO000000J001YAB/results`)
      .query({ maxRecords: '2' })
      .reply(200, `${header}003RO00000C0001YAB,2026-11-01T00:00:00.000Z,2025-01-01T00:00:00.000Z,Ann Lee,Ann,Lee,001RO00000A1b2cYAB,ann@acme.example,"VP, Ops"\n003RO00000C0002YAB,2026-11-02T00:00:00.000Z,,Bo Chen,Bo,Chen,,,"Head of\nData"\n`, {
        'Content-Type': 'text/csv',
        'Sforce-Locator': 'MgZ',
        'Sforce-NumberOfRecords': '2',
        'Sforce-Limit-Info': 'api-usage=5/100000',
      })
      .get(`${API}/jobs/query/750RO000000J001YAB/results`)
      .query({ maxRecords: '2', locator: 'MgZ' })
      .reply(200, `${header}003RO00000C0003YAB,2026-11-03T00:00:00.000Z,,Cy Diaz,Cy,Diaz,001RO00000A1b2cYAB,,\n`, { 'Content-Type': 'text/csv', 'Sforce-Locator': 'null', 'Sforce-Limit-Info': 'api-usage=6/100000' });
    const pages: number[] = [];
    const result = await h!.connector.syncStream('contacts', { store: h!.store, logger: h!.logger, onPage: (p) => pages.push(p.read) });
    expect(api.isDone()).toBe(true);
    expect(result).toMatchObject({ pages: 2, read: 3, changed: 3, complete: true, calls: 5 });
    expect(pages).toEqual([2, 3]);
    expect(await h!.store.records.get('contact', 'salesforce:003RO00000C0002YAB')).toMatchObject({ name: 'Bo Chen', accountId: null, title: 'Head of\nData', email: null });
    expect(await h!.store.checkpoints.get('salesforce', 'contacts')).toMatchObject({ cursor: WINDOW_END, active: null });
  });

  it('a full re-read of an object known to be large goes straight to Bulk 2.0 (no probe page), deleted rows in the same queryAll job', async () => {
    await h!.store.records.upsert('contact', [
      { id: 'salesforce:003RO00000C0009YAB', source: 'salesforce', externalId: '003RO00000C0009YAB', updatedAt: '2026-11-01T00:00:00.000Z', accountId: null, name: 'Gone', email: null, title: null, active: true, createdAt: null },
    ]);
    await h!.store.checkpoints.save('salesforce', 'contacts', { v: 1, cursor: '2026-11-03T00:00:00.000Z', deletedCursor: '2026-11-03T00:00:00.000Z', active: null, fullRows: 3 });
    const api = nock(INSTANCE)
      .post(`${API}/jobs/query`, (body) => body.operation === 'queryAll' && /, IsDeleted FROM Contact$/.test(body.query))
      .reply(200, { id: '750RO000000J002YAB', state: 'UploadComplete' }, limitHeaders())
      .get(`${API}/jobs/query/750RO000000J002YAB`)
      .reply(200, { id: '750RO000000J002YAB', state: 'JobComplete' }, limitHeaders())
      .get(`${API}/jobs/query/750RO000000J002YAB/results`)
      .query({ maxRecords: '2' })
      .reply(200, 'Id,SystemModstamp,CreatedDate,Name,FirstName,LastName,AccountId,Email,Title,IsDeleted\n003RO00000C0003YAB,2026-11-03T00:00:00.000Z,,Cy Diaz,Cy,Diaz,,,,false\n003RO00000C0009YAB,2026-11-04T00:00:00.000Z,,Gone,,Gone,,,,true\n', { 'Content-Type': 'text/csv', 'Sforce-Locator': 'null' });
    const result = await h!.connector.syncStream('contacts', { store: h!.store, logger: h!.logger, full: true });
    expect(api.isDone()).toBe(true);
    expect(result).toMatchObject({ read: 1, deleted: 1, complete: true, calls: 3 });
    expect(await h!.store.records.allIds('contact')).toEqual(['salesforce:003RO00000C0003YAB']);
  });

  it('resumes a killed Bulk read at the saved job and locator', async () => {
    await h!.store.checkpoints.save('salesforce', 'contacts', { v: 1, cursor: null, deletedCursor: null, active: { mode: 'bulk', jobId: '750RO000000J001YAB', locator: 'MgZ', since: null, maxSeen: '2026-11-02T00:00:00.000Z' } });
    const api = nock(INSTANCE)
      .get(`${API}/jobs/query/750RO000000J001YAB/results`)
      .query({ maxRecords: '2', locator: 'MgZ' })
      .reply(200, 'Id,SystemModstamp,CreatedDate,Name,FirstName,LastName,AccountId,Email,Title\n003RO00000C0003YAB,2026-11-03T00:00:00.000Z,,Cy Diaz,Cy,Diaz,,,\n', { 'Content-Type': 'text/csv', 'Sforce-Locator': 'null' });
    const result = await h!.connector.syncStream('contacts', { store: h!.store, logger: h!.logger });
    expect(api.isDone()).toBe(true);
    expect(result).toMatchObject({ pages: 1, read: 1, complete: true, calls: 1 });
    // a read saved before passes had a windowEnd gets one from its first answer
    expect(await h!.store.checkpoints.get('salesforce', 'contacts')).toMatchObject({ cursor: WINDOW_END, active: null });
  });
});

describe('Salesforce write-back', () => {
  beforeEach(() => {
    h = makeHarness();
  });

  it('writes up to 1,000 records per composite call (collections of 200) and maps per-record and per-collection failures', async () => {
    const updates = Array.from({ length: 201 }, (_, i) => ({ externalId: `001RO00000A${String(i).padStart(4, '0')}YAB`, fields: { churnRiskScore: i, churnRiskBand: 'red' } }));
    type Sub = { method: string; url: string; referenceId: string; body: { allOrNone: boolean; records: Record<string, unknown>[] } };
    const bodies: { allOrNone: boolean; compositeRequest: Sub[] }[] = [];
    const api = nock(INSTANCE)
      .post(`${API}/composite`)
      .reply(503, [{ errorCode: 'SERVER_UNAVAILABLE', message: 'Server temporarily unavailable' }], limitHeaders())
      .post(`${API}/composite`, (body) => {
        bodies.push(body);
        return true;
      })
      .reply(200, (_uri, body) => {
        const [first, second] = (body as { compositeRequest: Sub[] }).compositeRequest as [Sub, Sub];
        const saved = first.body.records.map((r, i) => {
          if (i === 0) return { success: false, errors: [{ statusCode: 'INVALID_FIELD_FOR_INSERT_UPDATE', message: 'Unable to create/update fields: AccountPulse_Churn_Risk_Score__c. Please check the security settings of this field.', fields: ['AccountPulse_Churn_Risk_Score__c'] }] };
          if (i === 1) return { success: false, errors: [{ statusCode: 'ENTITY_IS_DELETED', message: 'entity is deleted', fields: [] }] };
          if (i === 2) return { success: false, errors: [{ statusCode: 'UNABLE_TO_LOCK_ROW', message: 'unable to obtain exclusive access to this record', fields: [] }] };
          return { id: r.Id, success: true, errors: [] };
        });
        return {
          compositeResponse: [
            { body: saved, httpHeaders: {}, httpStatusCode: 200, referenceId: first.referenceId },
            { body: [{ errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'ConcurrentPerOrgLongTxn Limit exceeded.' }], httpHeaders: {}, httpStatusCode: 403, referenceId: second.referenceId },
          ],
        };
      }, limitHeaders());
    const results = await h!.connector.writeFields(updates);
    expect(api.isDone()).toBe(true);
    expect(bodies[0]).toMatchObject({ allOrNone: false });
    expect(bodies[0]?.compositeRequest.map((r) => [r.method, r.url, r.body.allOrNone, r.body.records.length])).toEqual([
      ['PATCH', `${API}/composite/sobjects`, false, 200],
      ['PATCH', `${API}/composite/sobjects`, false, 1],
    ]);
    expect(bodies[0]?.compositeRequest[0]?.body.records[5]).toEqual({ attributes: { type: 'Account' }, Id: '001RO00000A0005YAB', AccountPulse_Churn_Risk_Score__c: 5, AccountPulse_Churn_Risk_Band__c: 'red' });
    expect(results).toHaveLength(201);
    expect(results[0]).toMatchObject({ externalId: '001RO00000A0000YAB', ok: false, permanent: true });
    expect(results[0]?.error).toMatch(/^INVALID_FIELD_FOR_INSERT_UPDATE: .*grant field access/);
    expect(results[1]).toMatchObject({ ok: false, permanent: true, error: 'ENTITY_IS_DELETED: entity is deleted (the account was deleted in Salesforce)' });
    expect(results[2]).toMatchObject({ ok: false, permanent: false });
    expect(results.filter((r) => r.ok)).toHaveLength(197);
    expect(results[200]).toMatchObject({ externalId: '001RO00000A0200YAB', ok: false, permanent: false });
    expect(results[200]?.error).toMatch(/^REQUEST_LIMIT_EXCEEDED/);
    expect(h!.connector.calls).toBe(2);
  });

  it('reads our fields back with one collections retrieve', async () => {
    nock(INSTANCE)
      .post(`${API}/composite/sobjects/Account`, (body) => body.ids.length === 2 && body.fields[0] === 'Id' && body.fields.includes('AccountPulse_Last_Scored_At__c'))
      .reply(200, [{ attributes: { type: 'Account' }, Id: '001RO00000A1b2cYAB', AccountPulse_Churn_Risk_Score__c: 71.5, AccountPulse_Churn_Risk_Band__c: 'red', AccountPulse_Churn_Risk_Trend__c: null, AccountPulse_Churn_Risk_Reasons__c: null, AccountPulse_Cross_Sell_Top__c: null, AccountPulse_Cross_Sell_Evidence__c: null, AccountPulse_Last_Scored_At__c: '2026-11-27T06:00:00.000+0000' }, null], limitHeaders());
    const values = await h!.connector.readFields(['001RO00000A1b2cYAB', '001RO00000A1b2dYAB']);
    expect([...values.keys()]).toEqual(['001RO00000A1b2cYAB']);
    expect(values.get('001RO00000A1b2cYAB')).toMatchObject({ churnRiskScore: 71.5, churnRiskBand: 'red', churnRiskTrend: null, lastScoredAt: '2026-11-27T06:00:00.000Z' });
  });

  it('uses one Bulk 2.0 ingest job above the write threshold', async () => {
    h = makeHarness({ config: { sync: { bulkWriteThreshold: 2 } } });
    let uploaded = '';
    const api = nock(INSTANCE)
      .post(`${API}/jobs/ingest`, (b) => b.object === 'Account' && b.operation === 'update')
      .reply(200, { id: '750RO000000I001YAB', state: 'Open' }, limitHeaders())
      .put(`${API}/jobs/ingest/750RO000000I001YAB/batches`, (b) => {
        uploaded = String(b);
        return true;
      })
      .reply(201, '', limitHeaders())
      .patch(`${API}/jobs/ingest/750RO000000I001YAB`, { state: 'UploadComplete' })
      .reply(200, { id: '750RO000000I001YAB', state: 'UploadComplete' }, limitHeaders())
      .get(`${API}/jobs/ingest/750RO000000I001YAB`)
      .reply(200, { id: '750RO000000I001YAB', state: 'JobComplete', numberRecordsProcessed: 3, numberRecordsFailed: 1 }, limitHeaders())
      .get(`${API}/jobs/ingest/750RO000000I001YAB/successfulResults`)
      .reply(200, 'sf__Id,sf__Created,Id,AccountPulse_Churn_Risk_Score__c,AccountPulse_Churn_Risk_Reasons__c\n001RO00000A0001YAB,false,001RO00000A0001YAB,10,"a, ""b"""\n', { 'Content-Type': 'text/csv' })
      .get(`${API}/jobs/ingest/750RO000000I001YAB/failedResults`)
      .reply(200, 'sf__Id,sf__Error,Id,AccountPulse_Churn_Risk_Score__c,AccountPulse_Churn_Risk_Reasons__c\n,ENTITY_IS_DELETED:entity is deleted:--,001RO00000A0002YAB,20,#N/A\n', { 'Content-Type': 'text/csv' });
    const results = await h!.connector.writeFields([
      { externalId: '001RO00000A0001YAB', fields: { churnRiskScore: 10, churnRiskReasons: 'a, "b"' } },
      { externalId: '001RO00000A0002YAB', fields: { churnRiskScore: 20, churnRiskReasons: null } },
      { externalId: '001RO00000A0003YAB', fields: { churnRiskScore: 30 } },
    ]);
    expect(api.isDone()).toBe(true);
    expect(uploaded).toBe('Id,AccountPulse_Churn_Risk_Score__c,AccountPulse_Churn_Risk_Reasons__c\n001RO00000A0001YAB,10,"a, ""b"""\n001RO00000A0002YAB,20,#N/A\n001RO00000A0003YAB,30,\n');
    expect(results.map((r) => [r.externalId, r.ok, r.permanent ?? null])).toEqual([
      ['001RO00000A0001YAB', true, null],
      ['001RO00000A0002YAB', false, true],
      ['001RO00000A0003YAB', false, false],
    ]);
  });
});

describe('Salesforce tasks', () => {
  beforeEach(() => {
    h = makeHarness();
  });

  it('a first attempt creates without a marker lookup; only keys whose earlier create had no answer are looked up', async () => {
    const tasks = [
      { dedupeKey: 'churn:001RO00000A1b2cYAB:red', accountExternalId: '001RO00000A1b2cYAB', ownerExternalId: null, subject: 'Call Acme: churn risk red', body: 'Risk 78', dueDate: '2026-12-01', priority: 'high' as const },
      { dedupeKey: 'churn:001RO00000A1b2dYAB:red', accountExternalId: '001RO00000A1b2dYAB', ownerExternalId: '005RO000001AbCeYAK', subject: 'Call Globex', body: 'Risk 80', dueDate: '2026-12-01', priority: 'normal' as const },
    ];
    // Globex's create was sent by an attempt that died before the answer (Salesforce had created it)
    await new PendingTasks(h!.redis, h!.store.keys, 'salesforce').markSent(['churn:001RO00000A1b2dYAB:red']);
    const { taskMarker } = await import('../../src/connectors/salesforce/tasks.js');
    let created: Record<string, unknown>[] = [];
    const api = nock(INSTANCE)
      .get(`${API}/query`)
      .query(q(/FROM Task WHERE WhatId IN \('001RO00000A1b2dYAB'\) AND Subject LIKE '%\[AP-%'/))
      .reply(200, queryPage('Task', [{ Id: '00TRO00000T0099YAB', Subject: `Call Globex ${taskMarker('churn:001RO00000A1b2dYAB:red')}` }]), limitHeaders())
      .get(`${API}/query`)
      .query(q(/SELECT Id, OwnerId FROM Account WHERE Id IN \('001RO00000A1b2cYAB'\)/))
      .reply(200, queryPage('Account', [{ Id: '001RO00000A1b2cYAB', OwnerId: '005RO000001AbCdYAK' }]), limitHeaders())
      .post(`${API}/composite/sobjects`, (b) => {
        created = b.records;
        return b.allOrNone === false;
      })
      .reply(200, [{ id: '00TRO00000T0100YAB', success: true, errors: [] }], limitHeaders());
    const results = await h!.connector.createTasks(tasks);
    expect(api.isDone()).toBe(true);
    expect(created).toEqual([
      {
        attributes: { type: 'Task' },
        Subject: `Call Acme: churn risk red ${taskMarker('churn:001RO00000A1b2cYAB:red')}`,
        Description: 'Risk 78\n\nAccountPulse key: churn:001RO00000A1b2cYAB:red',
        WhatId: '001RO00000A1b2cYAB',
        OwnerId: '005RO000001AbCdYAK',
        ActivityDate: '2026-12-01',
        Priority: 'High',
        Status: 'Not Started',
      },
    ]);
    const expected = [
      { dedupeKey: 'churn:001RO00000A1b2cYAB:red', ok: true, taskId: '00TRO00000T0100YAB' },
      { dedupeKey: 'churn:001RO00000A1b2dYAB:red', ok: true, taskId: '00TRO00000T0099YAB', existed: true },
    ];
    expect(results).toEqual(expected);
    // sent again (a retried job): answered from the record, no call
    expect(await h!.connector.createTasks(tasks)).toEqual(expected.map((r) => ({ ...r, existed: true })));
  });

  it('looks up instead of re-sending when a create is lost in flight, and creates only what is missing', async () => {
    const { taskMarker } = await import('../../src/connectors/salesforce/tasks.js');
    const task = (key: string) => ({ dedupeKey: key, accountExternalId: '001RO00000A1b2cYAB', ownerExternalId: '005RO000001AbCdYAK', subject: 'S', body: 'B', dueDate: '2026-12-01', priority: 'low' as const });
    const seen: string[] = [];
    const server = await localServer((req, res, n) => {
      seen.push(`${req.method} ${req.url?.split('?')[0]}`);
      // Salesforce created k1's task (not k2's), but the answer never arrives.
      if (n === 1) return void req.socket.destroy();
      if (n === 2) return void res.writeHead(200, limitHeaders()).end(JSON.stringify(queryPage('Task', [{ Id: '00TRO00000T0200YAB', Subject: `S ${taskMarker('k1')}` }])));
      res.writeHead(200, limitHeaders()).end(JSON.stringify([{ id: '00TRO00000T0201YAB', success: true, errors: [] }]));
    });
    h = makeHarness({ env: { SALESFORCE_INSTANCE_URL: server.url } });
    try {
      const results = await h.connector.createTasks([task('k1'), task('k2')]);
      expect(seen).toEqual([`POST ${API}/composite/sobjects`, `GET ${API}/query`, `POST ${API}/composite/sobjects`]);
      // the second create carried k2 alone: its one result is k2's
      expect(results).toEqual([
        { dedupeKey: 'k1', ok: true, taskId: '00TRO00000T0200YAB', existed: true },
        { dedupeKey: 'k2', ok: true, taskId: '00TRO00000T0201YAB' },
      ]);
    } finally {
      await server.close();
    }
  });
});

describe('Salesforce provisioning', () => {
  beforeEach(() => {
    h = makeHarness();
  });

  it('creates missing fields through the Tooling API and lists those it may not create', async () => {
    const created: unknown[] = [];
    const api = nock(INSTANCE)
      .get(`${API}/sobjects/Account/describe`)
      .reply(200, { name: 'Account', fields: [{ name: 'Id' }, { name: 'Name' }, { name: 'AccountPulse_Churn_Risk_Score__c' }, { name: 'AccountPulse_Churn_Risk_Band__c' }, { name: 'AccountPulse_Churn_Risk_Trend__c' }, { name: 'AccountPulse_Churn_Risk_Reasons__c' }, { name: 'AccountPulse_Cross_Sell_Top__c' }] }, limitHeaders())
      .post(`${API}/tooling/sobjects/CustomField`, (b) => {
        created.push(b);
        return b.FullName === 'Account.AccountPulse_Cross_Sell_Evidence__c';
      })
      .reply(201, { id: '00NRO000000F001YAB', success: true, errors: [] }, limitHeaders())
      .post(`${API}/tooling/sobjects/CustomField`)
      .reply(403, [{ errorCode: 'INSUFFICIENT_ACCESS', message: 'You do not have permission to customize the application' }], limitHeaders());
    const report = await h!.connector.provision({ dryRun: false });
    expect(api.isDone()).toBe(true);
    expect(created[0]).toEqual({ FullName: 'Account.AccountPulse_Cross_Sell_Evidence__c', Metadata: { label: 'Cross-Sell Evidence', type: 'LongTextArea', length: 32768, visibleLines: 5 } });
    expect(report.created).toEqual(['AccountPulse_Cross_Sell_Evidence__c']);
    expect(report.existing).toHaveLength(5);
    expect(report.manual).toEqual([
      {
        field: 'AccountPulse_Last_Scored_At__c',
        instruction: expect.stringMatching(/^could not create it \(INSUFFICIENT_ACCESS: .*\): .*create "Last Scored At" of type Date\/Time with API name AccountPulse_Last_Scored_At__c, then give the integration user read and edit access/),
      },
    ]);
  });
});

describe('Salesforce auth', () => {
  it('renews an expired session with client credentials and replays the call once', async () => {
    h = makeHarness({ env: { SALESFORCE_CLIENT_ID: 'cid', SALESFORCE_CLIENT_SECRET: 'csecret', SALESFORCE_LOGIN_URL: 'https://login.salesforce.com' } });
    const token = (n: number) => ({ access_token: `00D000000000001!tok${n}`, instance_url: INSTANCE, id: 'https://login.salesforce.com/id/00D000000000001AAA/005RO000001AbCdYAK', token_type: 'Bearer', issued_at: '1' });
    const login = nock('https://login.salesforce.com')
      .post('/services/oauth2/token', (b) => b.grant_type === 'client_credentials' && b.client_id === 'cid' && b.client_secret === 'csecret')
      .reply(200, token(1))
      .post('/services/oauth2/token')
      .reply(200, token(2));
    const api = nock(INSTANCE)
      .get(`${API}/query`)
      .query(true)
      .matchHeader('authorization', 'Bearer 00D000000000001!tok1')
      .reply(401, [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }])
      .get(`${API}/query`)
      .query(true)
      .matchHeader('authorization', 'Bearer 00D000000000001!tok2')
      .reply(200, queryPage('Case', [fixture('misc-rows.json').case]), limitHeaders());
    const result = await h!.connector.syncStream('tickets', { store: h!.store, logger: h!.logger });
    expect(login.isDone()).toBe(true);
    expect(api.isDone()).toBe(true);
    expect(result).toMatchObject({ read: 1, complete: true });
  });

  it('checks the connection and reads the daily allowance from /limits', async () => {
    h = makeHarness();
    nock(INSTANCE).get(`${API}/limits`).reply(200, { DailyApiRequests: { Max: 100000, Remaining: 64000 } }, limitHeaders(36000));
    expect(await h.connector.checkAuth()).toEqual({ ok: true, identity: INSTANCE, message: '64000 of 100000 daily API calls left' });
    expect(await h.connector.budget()).toMatchObject({ dailyLimit: 100000, dailyRemaining: 64000, reserveReached: false });
    nock(INSTANCE).get(`${API}/limits`).reply(401, [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
    expect(await h.connector.checkAuth()).toMatchObject({ ok: false, message: expect.stringMatching(/set a fresh SALESFORCE_ACCESS_TOKEN/) });
  });

  it('says how to fix an expired given token', async () => {
    h = makeHarness();
    nock(INSTANCE).get(`${API}/query`).query(true).reply(401, [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
    await expect(h!.connector.syncStream('tickets', { store: h!.store, logger: h!.logger })).rejects.toThrow(/given token cannot be renewed; set a fresh SALESFORCE_ACCESS_TOKEN/);
  });

  it('signs the JWT bearer assertion with RS256', async () => {
    const { generateKeyPairSync, createVerify } = await import('node:crypto');
    const { signJwtAssertion } = await import('../../src/connectors/salesforce/auth.js');
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwt = signJwtAssertion({ clientId: 'consumer', username: 'int@acme.example', audience: 'https://login.salesforce.com', privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), nowSeconds: 1_800_000_000 });
    const [header, claims, signature] = jwt.split('.');
    expect(JSON.parse(Buffer.from(header as string, 'base64url').toString())).toEqual({ alg: 'RS256', typ: 'JWT' });
    expect(JSON.parse(Buffer.from(claims as string, 'base64url').toString())).toEqual({ iss: 'consumer', sub: 'int@acme.example', aud: 'https://login.salesforce.com', exp: 1_800_000_180 });
    expect(createVerify('RSA-SHA256').update(`${header}.${claims}`).verify(publicKey, signature as string, 'base64url')).toBe(true);
  });
});
