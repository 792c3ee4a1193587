/**
 * The HubSpot connector against nock replies shaped like HubSpot's: initial and incremental
 * reads, checkpoints, quarantine, every error path of the "Bad input", write-back and tasks.
 */
import nock from 'nock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PendingTasks } from '../../src/store/pendingTasks.js';
import { fixture, harness, HUBSPOT_TEST_URL, type Harness } from '../fixtures/hubspot/harness.js';

const mappedConfig = {
  hubspot: { accountFields: [{ from: 'product_usage_index', to: 'usageIndex', type: 'number' }], renewalDateField: 'renewal_date' },
};

const rateHeaders = {
  'Content-Type': 'application/json;charset=utf-8',
  'X-HubSpot-RateLimit-Daily': '500000',
  'X-HubSpot-RateLimit-Daily-Remaining': '499000',
  'X-HubSpot-RateLimit-Interval-Milliseconds': '10000',
  'X-HubSpot-RateLimit-Max': '190',
  'X-HubSpot-RateLimit-Remaining': '189',
};
const json = { 'Content-Type': 'application/json;charset=utf-8' };

let h: Harness;

beforeAll(() => {
  nock.disableNetConnect();
});
afterAll(() => {
  nock.enableNetConnect();
});
beforeEach(async () => {
  h = await harness({ config: mappedConfig });
});
afterEach(async () => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  await h.cleanup();
  expect(pending).toEqual([]);
});

function ctx(extra: Record<string, unknown> = {}) {
  return { store: h.store, logger: h.logger, ...extra };
}

describe('initial load', () => {
  it('lists companies 100 per page with explicit properties, stores the good records, quarantines the bad ones, checkpoints each page', async () => {
    const queries: Record<string, unknown>[] = [];
    nock(HUBSPOT_TEST_URL)
      .get('/crm/v3/objects/companies')
      .query((q) => (queries.push(q), q.after === undefined))
      .reply(200, fixture('companies-page-1.json'), rateHeaders)
      .get('/crm/v3/objects/companies')
      .query((q) => (queries.push(q), q.after === 'NTAwMw'))
      .reply(200, fixture('companies-page-2.json'), rateHeaders);

    const result = await h.connector.syncStream('companies', ctx());

    expect(result).toMatchObject({ stream: 'companies', pages: 2, read: 4, changed: 2, quarantined: 2, complete: true, stoppedReason: null, calls: 2 });
    expect(queries[0]).toMatchObject({ limit: '100', archived: 'false' });
    expect(queries[0]?.properties).toEqual(expect.arrayContaining(['name', 'domain', 'hs_lastmodifieddate', 'product_usage_index', 'renewal_date']));
    expect(await h.store.records.get('account', 'hubspot:5001')).toEqual({
      id: 'hubspot:5001',
      source: 'hubspot',
      externalId: '5001',
      updatedAt: '2026-11-20T10:00:00.000Z',
      name: 'Acme Corp',
      domain: 'acme.com',
      industry: 'COMPUTER_SOFTWARE',
      employees: 250,
      annualRevenue: 12000000.5,
      ownerId: 'hubspot:41629779',
      parentId: null,
      renewalDate: '2027-03-31',
      churned: null,
      createdAt: '2024-11-01T16:55:12.963Z',
      fields: { usageIndex: 73.5 },
    });
    expect(await h.store.records.get('account', 'hubspot:5003')).toMatchObject({ name: 'initech.com', parentId: 'hubspot:5001', renewalDate: '2026-12-15' });
    expect(await h.store.records.count('account')).toBe(2);
    const quarantined = await h.store.quarantine.list();
    const reasons = new Map(quarantined.map((q) => [q.externalId, q.reason]));
    expect(quarantined).toHaveLength(2);
    expect(reasons.get('5002')).toBe('property numberofemployees is not a number: "lots"');
    expect(reasons.get(null)).toMatch(/^unexpected record shape: id: /);
    expect(await h.store.quarantine.counts()).toEqual({ 'hubspot:companies': 2 });
    const checkpoint = await h.store.checkpoints.get<{ phase: string; cursor: number }>('hubspot', 'companies');
    expect(checkpoint).toMatchObject({ phase: 'incremental', step: 'changes', lastId: null });
    expect(result.accountIds.sort()).toEqual(['hubspot:5001', 'hubspot:5003']);
    // the rate-limit headers reached the shared budget
    expect(await h.connector.budget()).toMatchObject({ dailyLimit: 500000, dailyRemaining: 499000 });
  });

  it('a sync aborted after the first page resumes from the saved cursor and ends with the same store', async () => {
    const abort = new AbortController();
    nock(HUBSPOT_TEST_URL)
      .get('/crm/v3/objects/companies')
      .query((q) => q.after === undefined)
      .reply(200, fixture('companies-page-1.json'), rateHeaders)
      // fetched ahead while page 1 is stored (the abort comes right after storing it), then dropped
      .get('/crm/v3/objects/companies')
      .query((q) => q.after === 'NTAwMw')
      .reply(200, fixture('companies-page-2.json'), rateHeaders);
    const first = await h.connector.syncStream('companies', ctx({ signal: abort.signal, onPage: () => abort.abort() }));
    expect(first).toMatchObject({ pages: 1, read: 2, complete: false, stoppedReason: 'aborted', calls: 2 });
    expect(await h.store.checkpoints.get('hubspot', 'companies')).toMatchObject({ phase: 'initial', after: 'NTAwMw' });
    expect(await h.store.records.allIds('account')).toEqual(['hubspot:5001']);

    nock(HUBSPOT_TEST_URL)
      .get('/crm/v3/objects/companies')
      .query((q) => q.after === 'NTAwMw')
      .reply(200, fixture('companies-page-2.json'), rateHeaders);
    const second = await h.connector.syncStream('companies', ctx());
    expect(second).toMatchObject({ pages: 1, complete: true, calls: 1 });
    expect((await h.store.records.allIds('account')).sort()).toEqual(['hubspot:5001', 'hubspot:5003']);
  });

  it('deals: stage and probability from the pipeline (read once), history rows, company from deduped inline associations', async () => {
    const queries: Record<string, unknown>[] = [];
    nock(HUBSPOT_TEST_URL)
      .get('/crm/v3/pipelines/deals')
      .reply(200, fixture('pipelines-deals.json'), rateHeaders)
      .get('/crm/v3/objects/deals')
      .query((q) => (queries.push(q), true))
      .reply(200, fixture('deals-page.json'), rateHeaders);
    const result = await h.connector.syncStream('deals', ctx());
    expect(result).toMatchObject({ read: 2, changed: 2, quarantined: 0, calls: 2, complete: true });
    expect(queries[0]).toMatchObject({ limit: '50', associations: 'companies' });
    expect(queries[0]?.propertiesWithHistory).toEqual(['dealstage', 'amount', 'closedate', 'hs_forecast_category']);
    expect(await h.store.records.get('deal', 'hubspot:512')).toEqual({
      id: 'hubspot:512',
      source: 'hubspot',
      externalId: '512',
      updatedAt: '2026-11-20T12:00:00.000Z',
      name: 'Acme renewal',
      accountId: 'hubspot:5001',
      ownerId: 'hubspot:41629779',
      amount: 12000,
      currency: 'USD',
      status: 'open',
      stage: 'Contract Sent',
      stageId: 'contractsent',
      pipeline: 'Sales Pipeline',
      probability: 0.9,
      forecastCategory: 'commit',
      closeDate: '2026-12-20',
      type: 'renewal',
      createdAt: '2026-09-01T12:00:00.000Z',
    });
    expect(await h.store.records.get('deal', 'hubspot:513')).toMatchObject({ status: 'won', forecastCategory: 'closed', amount: null, accountId: null, type: 'expansion', closeDate: '2026-10-01' });
    const history = await h.store.records.getBy('dealHistory', 'dealId', 'hubspot:512');
    expect(history.map((r) => [r.field, r.from, r.to, r.changedAt]).sort()).toEqual([
      ['amount', null, '12000', '2026-09-01T12:00:00.000Z'],
      ['stage', null, 'appointmentscheduled', '2026-09-01T12:00:00.000Z'],
      ['stage', 'appointmentscheduled', 'contractsent', '2026-11-10T09:00:00.000Z'],
    ]);
    expect(result.ownerIds).toEqual(['hubspot:41629779']);
  });

  it('owners with their primary team', async () => {
    nock(HUBSPOT_TEST_URL).get('/crm/v3/owners/').query({ limit: '100', archived: 'false' }).reply(200, fixture('owners-page.json'), rateHeaders);
    const result = await h.connector.syncStream('owners', ctx());
    expect(result).toMatchObject({ read: 2, changed: 2, complete: true, calls: 1 });
    expect(await h.store.records.get('owner', 'hubspot:41629779')).toEqual({
      id: 'hubspot:41629779', source: 'hubspot', externalId: '41629779', updatedAt: '2026-01-01T00:00:00.000Z', name: 'Grace Hopper', email: 'grace@example.com', managerId: null, teamId: 'hubspot:team-7', teamName: 'East', active: true,
    });
  });

  it('warns, naming them, about configured properties HubSpot no longer has (deleted in the portal)', async () => {
    const page = fixture<{ results: { properties: Record<string, unknown> }[] }>('companies-page-2.json');
    page.results = page.results.slice(0, 1);
    delete page.results[0]!.properties.renewal_date;
    nock(HUBSPOT_TEST_URL).get('/crm/v3/objects/companies').query(true).reply(200, page, rateHeaders);
    const result = await h.connector.syncStream('companies', ctx());
    expect(result).toMatchObject({ changed: 1, complete: true });
    expect(await h.store.records.get('account', 'hubspot:5003')).toMatchObject({ renewalDate: null });
    const warning = h.lines().find((l) => /do not exist in the portal/.test(l.msg));
    expect(warning?.msg).toBe(
      'HubSpot companies: properties renewal_date do not exist in the portal (deleted or renamed); their values are read as empty. Fix the mapping in config (hubspot.accountFields, renewalDateField, churnLabelField, usageField) or recreate the properties',
    );
  });
});

describe('errors', () => {
  it('403 MISSING_SCOPES: a clear error naming the scope', async () => {
    nock(HUBSPOT_TEST_URL).get('/crm/v3/objects/companies').query(true).reply(403, fixture('error-403-missing-scopes.json'), json);
    await expect(h.connector.syncStream('companies', ctx())).rejects.toThrow(
      'HubSpot companies list: 403 MISSING_SCOPES (needs crm.objects.companies.read); add the scope to the private app and reconnect',
    );
  });

  it('checkAuth reports a revoked token as not ok, with the fix, and never the token', async () => {
    nock(HUBSPOT_TEST_URL).get('/crm/v3/owners/').query(true).reply(401, fixture('error-401.json'), json);
    const status = await h.connector.checkAuth();
    expect(status.ok).toBe(false);
    expect(status.message).toMatch(/owners read \(auth check\): 401 INVALID_AUTHENTICATION: the access token was revoked or has expired; create a new private-app token/);
    expect(JSON.stringify(status)).not.toContain('pat-na1-test-token');
  });

  it('401 without OAuth: "revoked or expired", not retried', async () => {
    nock(HUBSPOT_TEST_URL).get('/crm/v3/objects/companies').query(true).once().reply(401, fixture('error-401.json'), json);
    await expect(h.connector.syncStream('companies', ctx())).rejects.toThrow(/companies list: 401 INVALID_AUTHENTICATION: the access token was revoked or has expired/);
  });

  it('401 with OAuth configured: refreshes the token once and carries on', async () => {
    await h.cleanup();
    h = await harness({ config: mappedConfig, env: { HUBSPOT_CLIENT_ID: 'cid', HUBSPOT_CLIENT_SECRET: 'csecret', HUBSPOT_REFRESH_TOKEN: 'rtoken' } });
    let tokenForm = '';
    nock(HUBSPOT_TEST_URL)
      .get('/crm/v3/objects/companies')
      .query(true)
      .reply(401, fixture('error-401.json'), json)
      .post('/oauth/v1/token', (body) => ((tokenForm = new URLSearchParams(body as never).toString()), true))
      .reply(200, { access_token: 'new-access', refresh_token: 'rtoken', expires_in: 1800, token_type: 'bearer' }, json)
      .get('/crm/v3/objects/companies')
      .query(true)
      .matchHeader('authorization', 'Bearer new-access')
      .reply(200, fixture('companies-page-2.json'), rateHeaders);
    const result = await h.connector.syncStream('companies', ctx());
    expect(result).toMatchObject({ complete: true, changed: 1, calls: 3 });
    expect(tokenForm).toContain('grant_type=refresh_token');
    expect(tokenForm).toContain('refresh_token=rtoken');
  });

  it('401 with OAuth: refreshes at most twice for one call, then gives up (a refused fresh token is an auth problem)', async () => {
    await h.cleanup();
    h = await harness({ config: mappedConfig, env: { HUBSPOT_CLIENT_ID: 'cid', HUBSPOT_CLIENT_SECRET: 'csecret', HUBSPOT_REFRESH_TOKEN: 'rtoken' } });
    let refreshes = 0;
    const api = nock(HUBSPOT_TEST_URL)
      .get('/crm/v3/objects/companies')
      .query(true)
      .times(3)
      .reply(401, fixture('error-401.json'), json)
      .post('/oauth/v1/token')
      .times(2)
      .reply(200, () => ((refreshes += 1), { access_token: `new-access-${refreshes}`, refresh_token: 'rtoken', expires_in: 1800, token_type: 'bearer' }), json);
    await expect(h.connector.syncStream('companies', ctx())).rejects.toThrow(/companies list: 401 INVALID_AUTHENTICATION/);
    expect(api.isDone()).toBe(true);
    expect(refreshes).toBe(2);
  });

  it('429 TEN_SECONDLY_ROLLING pauses the shared budget and retries; 5xx retried too', async () => {
    nock(HUBSPOT_TEST_URL)
      .get('/crm/v3/objects/companies')
      .query(true)
      .reply(429, fixture('error-429-ten-secondly.json'), { ...json, 'X-HubSpot-RateLimit-Interval-Milliseconds': '30' })
      .get('/crm/v3/objects/companies')
      .query(true)
      .reply(503, { status: 'error', message: 'Service unavailable', category: 'SERVICE_UNAVAILABLE' }, json)
      .get('/crm/v3/objects/companies')
      .query(true)
      .reply(200, fixture('companies-page-2.json'), rateHeaders);
    const result = await h.connector.syncStream('companies', ctx());
    expect(result).toMatchObject({ complete: true, changed: 1, calls: 3 });
    expect((await h.connector.budget()).rateLimited).toBe(1);
    expect(h.sleeps).toContain(30); // waited the interval the 429 named
  });

  it('429 DAILY stops the run at its checkpoint (stoppedReason budget), nothing lost', async () => {
    nock(HUBSPOT_TEST_URL)
      .get('/crm/v3/objects/companies')
      .query((q) => q.after === undefined)
      .reply(200, fixture('companies-page-1.json'), rateHeaders)
      .get('/crm/v3/objects/companies')
      .query((q) => q.after === 'NTAwMw')
      .reply(429, fixture('error-429-daily.json'), json);
    const result = await h.connector.syncStream('companies', ctx());
    expect(result).toMatchObject({ complete: false, stoppedReason: 'budget', pages: 1, calls: 2 });
    expect(await h.store.checkpoints.get('hubspot', 'companies')).toMatchObject({ phase: 'initial', after: 'NTAwMw' });
    expect(await h.store.records.count('account')).toBe(1);
  });
});

describe('budget', () => {
  it('stops before the daily allowance falls under the reserve: the headers say 10% is left, the next page is not requested', async () => {
    nock(HUBSPOT_TEST_URL)
      .get('/crm/v3/objects/companies')
      .query((q) => q.after === undefined)
      .reply(200, fixture('companies-page-1.json'), { ...rateHeaders, 'X-HubSpot-RateLimit-Daily': '1000', 'X-HubSpot-RateLimit-Daily-Remaining': '100' });
    const result = await h.connector.syncStream('companies', ctx());
    expect(result).toMatchObject({ complete: false, stoppedReason: 'budget', pages: 1, calls: 1 });
    expect(await h.store.checkpoints.get('hubspot', 'companies')).toMatchObject({ phase: 'initial', after: 'NTAwMw' });
    expect(await h.connector.budget()).toMatchObject({ reserveReached: true, dailyLimit: 1000 });
    const warning = h.lines().find((l) => l.level === 40 && /daily API allowance nearly spent/.test(l.msg));
    expect(warning?.msg).toMatch(/100 of 1000 calls left, reserve 20%/);
  });

  it('a search "secondly limit" 429 is waited out (1 s) and retried', async () => {
    await h.store.checkpoints.save('hubspot', 'companies', { phase: 'incremental', cursor: Date.parse('2026-11-27T00:00:00Z'), step: 'changes', windowEnd: null, lastId: null, archivedAfter: null });
    nock(HUBSPOT_TEST_URL)
      .post('/crm/v3/objects/companies/search')
      .reply(429, { status: 'error', message: 'You have reached your secondly limit.', errorType: 'RATE_LIMIT', correlationId: 'x' }, json)
      .post('/crm/v3/objects/companies/search')
      .reply(200, { total: 0, results: [] }, json)
      .get('/crm/v3/objects/companies')
      .query((q) => q.archived === 'true')
      .reply(200, { results: [] }, rateHeaders);
    const result = await h.connector.syncStream('companies', ctx());
    expect(result).toMatchObject({ complete: true, calls: 3, read: 0 });
    expect(Math.max(...h.sleeps)).toBeGreaterThanOrEqual(1_000);
    expect((await h.connector.budget()).rateLimited).toBe(0); // a search 429 does not pause the whole portal
  });
});

describe('incremental sync', () => {
  it('searches [cursor, HubSpot time - settle] by hs_object_id keyset, 200 per page; associations by v4 batch; archived become deletions', async () => {
    // HubSpot's clock runs 2 minutes behind ours: windows follow its Date header, not our clock
    let local = Date.parse('2026-11-27T12:02:00.000Z');
    await h.cleanup();
    h = await harness({ config: mappedConfig, now: () => local });
    const serverDate = { ...json, Date: 'Fri, 27 Nov 2026 12:00:00 GMT' };
    await h.store.records.upsert('contact', [
      { id: 'hubspot:77', source: 'hubspot', externalId: '77', updatedAt: '2026-01-01T00:00:00.000Z', accountId: null, name: 'Gone', email: null, title: null, active: true, createdAt: null },
      { id: 'hubspot:78', source: 'hubspot', externalId: '78', updatedAt: '2026-01-01T00:00:00.000Z', accountId: null, name: 'Gone later', email: null, title: null, active: true, createdAt: null },
    ]);
    const cursor = Date.parse('2026-11-27T00:00:00.000Z');
    await h.store.checkpoints.save('hubspot', 'contacts', { phase: 'incremental', cursor, step: 'changes', windowEnd: null, lastId: null, archivedAfter: null });
    const contact = (id: number, modified = '2026-11-27T10:00:00.000Z') => ({
      id: String(id),
      properties: { firstname: `F${id}`, lastname: 'L', email: `c${id}@x.com`, jobtitle: null, associatedcompanyid: null, lastmodifieddate: modified, createdate: '2026-01-01T00:00:00.000Z', hs_object_id: String(id) },
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: modified,
      archived: false,
    });
    // 12:00:00 (Date) - 1 s (its resolution) - 30 s (settle)
    const windowEnd = Date.parse('2026-11-27T11:59:29.000Z');
    const bodies: { filterGroups: { filters: { propertyName: string; operator: string; value: string }[] }[]; limit: number; sorts: unknown[] }[] = [];
    const assocInputs: number[] = [];
    nock(HUBSPOT_TEST_URL)
      // nothing heard from HubSpot yet in this process: the first page has no upper bound, and
      // 1005 (changed after windowEnd) is left to the next pass
      .post('/crm/v3/objects/contacts/search', (b) => (bodies.push(b), true))
      .reply(200, { total: 201, results: Array.from({ length: 200 }, (_, i) => contact(1000 + i, i === 5 ? '2026-11-27T11:59:45.000Z' : undefined)), paging: { next: { after: '200' } } }, serverDate)
      .post('/crm/v4/associations/contacts/companies/batch/read', (b) => (assocInputs.push(b.inputs.length), true))
      .reply(200, { status: 'COMPLETE', results: [{ from: { id: '1000' }, to: [{ toObjectId: 5001, associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 279, label: null }] }] }], startedAt: '2026-11-28T07:00:00.000Z', completedAt: '2026-11-28T07:00:00.000Z' }, serverDate)
      .post('/crm/v3/objects/contacts/search', (b) => (bodies.push(b), true))
      .reply(200, { total: 1, results: [contact(1200)] }, serverDate)
      .post('/crm/v4/associations/contacts/companies/batch/read', (b) => (assocInputs.push(b.inputs.length), true))
      .reply(200, { status: 'COMPLETE', results: [], startedAt: '2026-11-28T07:00:00.000Z', completedAt: '2026-11-28T07:00:00.000Z' }, serverDate)
      .get('/crm/v3/objects/contacts')
      .query((q) => q.archived === 'true')
      .reply(200, {
        results: [
          { id: '77', properties: { hs_object_id: '77' }, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-11-27T11:00:00.000Z', archived: true, archivedAt: '2026-11-27T11:00:00.000Z' },
          // archived after windowEnd: the next pass's deletion
          { id: '78', properties: { hs_object_id: '78' }, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-11-27T11:59:50.000Z', archived: true, archivedAt: '2026-11-27T11:59:50.000Z' },
        ],
      }, { ...rateHeaders, Date: 'Fri, 27 Nov 2026 12:00:01 GMT' });

    const result = await h.connector.syncStream('contacts', ctx());

    expect(result).toMatchObject({ read: 200, changed: 200, deleted: 1, pages: 2, calls: 5, complete: true });
    expect(bodies[0]).toMatchObject({ limit: 200, sorts: [{ propertyName: 'hs_object_id', direction: 'ASCENDING' }] });
    expect(bodies[0]!.filterGroups[0]!.filters).toEqual([{ propertyName: 'lastmodifieddate', operator: 'GTE', value: String(cursor) }]);
    expect(bodies[1]!.filterGroups[0]!.filters).toEqual([
      { propertyName: 'lastmodifieddate', operator: 'GTE', value: String(cursor) },
      { propertyName: 'lastmodifieddate', operator: 'LTE', value: String(windowEnd) },
      { propertyName: 'hs_object_id', operator: 'GT', value: '1199' },
    ]);
    expect(assocInputs).toEqual([199, 1]);
    expect(await h.store.records.get('contact', 'hubspot:1000')).toMatchObject({ accountId: 'hubspot:5001', name: 'F1000 L' });
    expect(await h.store.records.get('contact', 'hubspot:1005')).toBeUndefined();
    expect(await h.store.records.get('contact', 'hubspot:77')).toBeUndefined();
    expect(await h.store.records.get('contact', 'hubspot:78')).toMatchObject({ name: 'Gone later' });
    expect(await h.store.records.count('contact')).toBe(201);
    expect(await h.store.checkpoints.get('hubspot', 'contacts')).toEqual({ phase: 'incremental', step: 'changes', cursor: windowEnd, windowEnd: null, lastId: null, archivedAfter: null });

    // a minute later, the next pass starts at that windowEnd and, HubSpot's time now known, is
    // bounded from its first page
    local += 60_000;
    const next: typeof bodies = [];
    nock(HUBSPOT_TEST_URL)
      .post('/crm/v3/objects/contacts/search', (b) => (next.push(b), true))
      .reply(200, { total: 1, results: [contact(1005, '2026-11-27T11:59:45.000Z')] }, serverDate)
      .post('/crm/v4/associations/contacts/companies/batch/read')
      .reply(200, { status: 'COMPLETE', results: [], startedAt: '2026-11-28T07:00:00.000Z', completedAt: '2026-11-28T07:00:00.000Z' }, serverDate)
      .get('/crm/v3/objects/contacts')
      .query((q) => q.archived === 'true')
      .reply(200, { results: [{ id: '78', properties: { hs_object_id: '78' }, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-11-27T11:59:50.000Z', archived: true, archivedAt: '2026-11-27T11:59:50.000Z' }] }, serverDate);
    const second = await h.connector.syncStream('contacts', ctx());
    expect(second).toMatchObject({ read: 1, changed: 1, deleted: 1, calls: 3, complete: true });
    // the clock learned 12:00:01 at local 12:02:00 (the archived list's answer): offset -119 s
    const secondEnd = Date.parse('2026-11-27T12:03:00.000Z') - 119_000 - 1_000 - 30_000;
    expect(next[0]!.filterGroups[0]!.filters).toEqual([
      { propertyName: 'lastmodifieddate', operator: 'GTE', value: String(windowEnd) },
      { propertyName: 'lastmodifieddate', operator: 'LTE', value: String(secondEnd) },
    ]);
    expect(await h.store.records.get('contact', 'hubspot:1005')).toMatchObject({ name: 'F1005 L' });
    expect(await h.store.checkpoints.get('hubspot', 'contacts')).toMatchObject({ cursor: secondEnd });
  });

  it('syncRecords re-reads given ids by batch read and deletes the ones HubSpot no longer has', async () => {
    await h.store.records.upsert('account', [
      { id: 'hubspot:9999', source: 'hubspot', externalId: '9999', updatedAt: '2026-01-01T00:00:00.000Z', name: 'Old', domain: null, industry: null, employees: null, annualRevenue: null, ownerId: null, parentId: null, renewalDate: null, churned: null, createdAt: null, fields: {} },
    ]);
    const page = fixture<{ results: unknown[] }>('companies-page-2.json');
    let inputs: unknown;
    nock(HUBSPOT_TEST_URL)
      .post('/crm/v3/objects/companies/batch/read', (b) => ((inputs = b.inputs), true))
      .query(true)
      .reply(207, { status: 'COMPLETE', results: [page.results[0]], numErrors: 1, errors: [{ status: 'error', category: 'OBJECT_NOT_FOUND', message: 'Could not get some COMPANY objects', context: { ids: ['9999'] } }], startedAt: '2026-11-28T07:00:00.000Z', completedAt: '2026-11-28T07:00:00.000Z' }, json);
    const result = await h.connector.syncRecords('companies', ['5003', '9999'], ctx());
    expect(inputs).toEqual([{ id: '5003' }, { id: '9999' }]);
    expect(result).toMatchObject({ read: 1, changed: 1, deleted: 1, calls: 1, complete: true });
    expect(await h.store.records.allIds('account')).toEqual(['hubspot:5003']);
  });
});

describe('write-back', () => {
  it('writeFields: batch update with per-record results from a 207', async () => {
    let body: { inputs: { id: string; properties: Record<string, string> }[] } | undefined;
    nock(HUBSPOT_TEST_URL)
      .post('/crm/v3/objects/companies/batch/update', (b) => ((body = b), true))
      .reply(207, fixture('batch-update-207.json'), rateHeaders);
    const results = await h.connector.writeFields([
      { externalId: '5001', fields: { churnRiskScore: 78, churnRiskBand: 'red', lastScoredAt: '2026-11-28T07:00:00.000Z' } },
      { externalId: '9999', fields: { churnRiskScore: 12, churnRiskReasons: null } },
    ]);
    expect(body?.inputs).toEqual([
      { id: '5001', properties: { accountpulse_churn_risk_score: '78', accountpulse_churn_risk_band: 'red', accountpulse_last_scored_at: '2026-11-28T07:00:00.000Z' } },
      { id: '9999', properties: { accountpulse_churn_risk_score: '12', accountpulse_churn_risk_reasons: '' } },
    ]);
    expect(results).toEqual([
      { externalId: '5001', ok: true },
      { externalId: '9999', ok: false, permanent: true, error: 'HubSpot company 9999: OBJECT_NOT_FOUND: Could not get some COMPANY objects, they may be deleted or not exist. Check that ids are valid.' },
    ]);
  });

  it('writeFields: 250 updates in 3 calls of at most 100', async () => {
    const sizes: number[] = [];
    nock(HUBSPOT_TEST_URL)
      .post('/crm/v3/objects/companies/batch/update', (b) => (sizes.push(b.inputs.length), true))
      .times(3)
      .reply(200, (_uri, b) => ({ status: 'COMPLETE', results: (b as { inputs: { id: string }[] }).inputs.map((i) => ({ id: i.id, properties: {}, createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z', archived: false })), startedAt: '2026-11-28T07:00:00.000Z', completedAt: '2026-11-28T07:00:00.000Z' }), rateHeaders);
    const results = await h.connector.writeFields(Array.from({ length: 250 }, (_, i) => ({ externalId: String(i + 1), fields: { churnRiskScore: i } })));
    expect(sizes).toEqual([100, 100, 50]);
    expect(results.filter((r) => r.ok)).toHaveLength(250);
  });

  it('writeFields: a deleted property fails the batch at once, permanently, saying to run provision', async () => {
    nock(HUBSPOT_TEST_URL).post('/crm/v3/objects/companies/batch/update').reply(400, fixture('error-400-property-doesnt-exist.json'), json);
    const results = await h.connector.writeFields([
      { externalId: '5001', fields: { churnRiskScore: 78 } },
      { externalId: '5003', fields: { churnRiskScore: 10 } },
    ]);
    expect(results).toHaveLength(2);
    for (const r of results) {
      expect(r).toMatchObject({ ok: false, permanent: true });
      expect(r.error).toMatch(/^HubSpot companies batch update \(2\): 400 VALIDATION_ERROR: Property values were not valid/);
      expect(r.error).toMatch(/run `accountpulse provision`/);
    }
  });

  it('writeFields: a batch rejected for one bad value is split so the good records are written', async () => {
    const seen: string[][] = [];
    nock(HUBSPOT_TEST_URL)
      .post('/crm/v3/objects/companies/batch/update', (b) => (seen.push(b.inputs.map((i: { id: string }) => i.id)), true))
      .times(5)
      .reply((_uri, b) => {
        const ids = (b as { inputs: { id: string }[] }).inputs.map((i) => i.id);
        if (ids.includes('bad')) return [400, { status: 'error', message: 'Property values were not valid: invalid number "x"', category: 'VALIDATION_ERROR' }, json];
        return [200, { status: 'COMPLETE', results: ids.map((id) => ({ id, properties: {}, createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z', archived: false })), startedAt: '2026-11-28T07:00:00.000Z', completedAt: '2026-11-28T07:00:00.000Z' }, json];
      });
    const results = await h.connector.writeFields(['a', 'b', 'bad', 'c'].map((externalId) => ({ externalId, fields: { churnRiskBand: 'red' } })));
    expect(seen).toEqual([['a', 'b', 'bad', 'c'], ['a', 'b'], ['bad', 'c'], ['bad'], ['c']]);
    expect(results.map((r) => [r.externalId, r.ok, r.permanent ?? null])).toEqual([['a', true, null], ['b', true, null], ['bad', false, true], ['c', true, null]]);
  });

  it('readFields: batch read of our properties, typed back', async () => {
    nock(HUBSPOT_TEST_URL)
      .post('/crm/v3/objects/companies/batch/read', (b) => b.properties.includes('accountpulse_churn_risk_score') && b.inputs.length === 1)
      .query(true)
      .reply(200, { status: 'COMPLETE', results: [{ id: '5001', properties: { accountpulse_churn_risk_score: '78', accountpulse_churn_risk_band: 'red', accountpulse_last_scored_at: '1764313200000' }, createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z', archived: false }], startedAt: '2026-11-28T07:00:00.000Z', completedAt: '2026-11-28T07:00:00.000Z' }, json);
    const values = await h.connector.readFields(['5001']);
    expect(values.get('5001')).toMatchObject({ churnRiskScore: 78, churnRiskBand: 'red', churnRiskTrend: null, lastScoredAt: new Date(1764313200000).toISOString() });
  });

  it('provision: creates the group and the missing properties; existing ones and a 409 group are fine', async () => {
    const created: string[] = [];
    nock(HUBSPOT_TEST_URL)
      .get('/crm/v3/properties/companies')
      .query(true)
      .reply(200, { results: [{ name: 'name', label: 'Name', type: 'string', fieldType: 'text', groupName: 'companyinformation', options: [] }, { name: 'accountpulse_churn_risk_score', label: 'Churn risk score', type: 'number', fieldType: 'number', groupName: 'accountpulse', options: [] }] }, json)
      .post('/crm/v3/properties/companies/groups')
      .reply(409, { status: 'error', message: 'A property group named accountpulse already exists', category: 'OBJECT_ALREADY_EXISTS' }, json)
      .post('/crm/v3/properties/companies', (b) => (created.push(`${b.name}:${b.type}:${b.groupName}`), true))
      .times(6)
      .reply(201, (_u, b) => ({ ...(b as object), options: [] }), json)
      .get('/crm/v3/properties/tasks')
      .query(true)
      .reply(200, { results: [{ name: 'accountpulse_task_key', label: 'AccountPulse task key', type: 'string', fieldType: 'text', groupName: 'taskinformation', options: [] }] }, json);
    const report = await h.connector.provision({ dryRun: false });
    expect(created).toEqual([
      'accountpulse_churn_risk_band:string:accountpulse',
      'accountpulse_churn_risk_trend:string:accountpulse',
      'accountpulse_churn_risk_reasons:string:accountpulse',
      'accountpulse_cross_sell_top:string:accountpulse',
      'accountpulse_cross_sell_evidence:string:accountpulse',
      'accountpulse_last_scored_at:datetime:accountpulse',
    ]);
    expect(report.existing.sort()).toEqual(['companies.accountpulse_churn_risk_score', 'tasks.accountpulse_task_key']);
    expect(report.created).toHaveLength(6);
  });

  it('createTasks: a first attempt creates without searching; only a key whose earlier create had no answer is searched', async () => {
    const sent = new PendingTasks(h.redis, h.store.keys, 'hubspot');
    // k1: an earlier attempt sent its create and died before the answer (it had created task 880)
    await sent.markSent(['k1']);
    const searches: { filterGroups: { filters: { propertyName: string; operator: string; values: string[] }[] }[] }[] = [];
    let createBody: { inputs: { properties: Record<string, string>; associations: unknown[] }[] } | undefined;
    nock(HUBSPOT_TEST_URL)
      .post('/crm/v3/objects/tasks/search', (b) => (searches.push(b), true))
      .reply(200, { total: 1, results: [{ id: '880', properties: { accountpulse_task_key: 'k1' }, createdAt: '2026-11-27T00:00:00Z', updatedAt: '2026-11-27T00:00:00Z', archived: false }] }, json)
      .post('/crm/v3/objects/tasks/batch/create', (b) => ((createBody = b), true))
      .reply(201, { status: 'COMPLETE', results: [{ id: '881', properties: { accountpulse_task_key: 'k2' }, createdAt: '2026-11-28T00:00:00Z', updatedAt: '2026-11-28T00:00:00Z', archived: false }], startedAt: '2026-11-28T07:00:00.000Z', completedAt: '2026-11-28T07:00:00.000Z' }, json);
    const tasks = [
      { dedupeKey: 'k1', accountExternalId: '5001', ownerExternalId: '41629779', subject: 'Call Acme', body: 'risk rose to red', dueDate: '2026-12-01', priority: 'high' as const },
      { dedupeKey: 'k2', accountExternalId: '5003', ownerExternalId: '41629780', subject: 'Call Initech', body: 'risk rose to red', dueDate: '2026-12-01', priority: 'normal' as const },
    ];
    const results = await h.connector.createTasks(tasks);
    expect(results).toEqual([
      { dedupeKey: 'k1', ok: true, taskId: '880', existed: true },
      { dedupeKey: 'k2', ok: true, taskId: '881' },
    ]);
    expect(searches.map((b) => b.filterGroups[0]!.filters[0])).toEqual([{ propertyName: 'accountpulse_task_key', operator: 'IN', values: ['k1'] }]);
    expect(createBody?.inputs).toEqual([
      {
        properties: { hs_task_subject: 'Call Initech', hs_task_body: 'risk rose to red', hs_timestamp: '2026-12-01T09:00:00.000Z', hs_task_priority: 'MEDIUM', hs_task_status: 'NOT_STARTED', hs_task_type: 'TODO', accountpulse_task_key: 'k2', hubspot_owner_id: '41629780' },
        associations: [{ to: { id: '5003' }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 192 }] }],
      },
    ]);
    expect(await sent.outcomes(['k1', 'k2'])).toEqual(new Map([['k1', { state: 'created', taskId: '880' }], ['k2', { state: 'created', taskId: '881' }]]));

    // the same tasks again (a retried job): answered from the record, no call at all
    expect(await h.connector.createTasks(tasks)).toEqual([
      { dedupeKey: 'k1', ok: true, taskId: '880', existed: true },
      { dedupeKey: 'k2', ok: true, taskId: '881', existed: true },
    ]);
  });

  it('createTasks: after a 502 on create, searches the keys and creates only what is missing', async () => {
    const calls: string[] = [];
    let created: string[] = [];
    nock(HUBSPOT_TEST_URL)
      // first attempt: no search, a create that fails in flight after HubSpot created k9 (not k8)
      .post('/crm/v3/objects/tasks/batch/create', () => (calls.push('create'), true))
      .reply(502, { status: 'error', message: 'Bad gateway', category: 'BAD_GATEWAY' }, json)
      .post('/crm/v3/objects/tasks/search', (b) => (calls.push(`search ${b.filterGroups[0].filters[0].values.join(',')}`), true))
      .reply(200, { total: 1, results: [{ id: '990', properties: { accountpulse_task_key: 'k9' }, createdAt: '2026-11-28T00:00:00Z', updatedAt: '2026-11-28T00:00:00Z', archived: false }] }, json)
      .post('/crm/v3/objects/tasks/batch/create', (b) => ((created = b.inputs.map((i: { properties: Record<string, string> }) => i.properties.accountpulse_task_key)), calls.push('create'), true))
      .reply(201, { status: 'COMPLETE', results: [{ id: '991', properties: { accountpulse_task_key: 'k8' }, createdAt: '2026-11-28T00:00:00Z', updatedAt: '2026-11-28T00:00:00Z', archived: false }], startedAt: '2026-11-28T07:00:00.000Z', completedAt: '2026-11-28T07:00:00.000Z' }, json);
    const results = await h.connector.createTasks([
      { dedupeKey: 'k9', accountExternalId: '5001', ownerExternalId: '1', subject: 's', body: 'b', dueDate: '2026-12-01', priority: 'low' },
      { dedupeKey: 'k8', accountExternalId: '5003', ownerExternalId: '1', subject: 's', body: 'b', dueDate: '2026-12-01', priority: 'low' },
    ]);
    expect(calls).toEqual(['create', 'search k9,k8', 'create']);
    expect(created).toEqual(['k8']);
    expect(results).toEqual([
      { dedupeKey: 'k9', ok: true, taskId: '990', existed: true },
      { dedupeKey: 'k8', ok: true, taskId: '991' },
    ]);
  });

  it('createTasks: a create refused outright (400) leaves no record: the next attempt creates without a search', async () => {
    nock(HUBSPOT_TEST_URL)
      .post('/crm/v3/objects/tasks/batch/create')
      .reply(400, { status: 'error', message: 'Property values were not valid', category: 'VALIDATION_ERROR' }, json);
    const task = { dedupeKey: 'k7', accountExternalId: '5001', ownerExternalId: '1', subject: 's', body: 'b', dueDate: '2026-12-01', priority: 'low' as const };
    const [first] = await h.connector.createTasks([task]);
    expect(first).toMatchObject({ dedupeKey: 'k7', ok: false });
    expect(await new PendingTasks(h.redis, h.store.keys, 'hubspot').outcomes(['k7'])).toEqual(new Map());
    nock(HUBSPOT_TEST_URL)
      .post('/crm/v3/objects/tasks/batch/create')
      .reply(201, { status: 'COMPLETE', results: [{ id: '777', properties: { accountpulse_task_key: 'k7' }, createdAt: '2026-11-28T00:00:00Z', updatedAt: '2026-11-28T00:00:00Z', archived: false }], startedAt: '2026-11-28T07:00:00.000Z', completedAt: '2026-11-28T07:00:00.000Z' }, json);
    expect(await h.connector.createTasks([task])).toEqual([{ dedupeKey: 'k7', ok: true, taskId: '777' }]);
  });
});
