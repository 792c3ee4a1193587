/**
 * HubSpot sandbox, CRM search through the SDK: the 13 operators, sort forms, numeric-string paging
 * with `total`, the 10,000-result cap, filter-count limits, the 5/s limiter and its 429 body,
 * index lag, and records written then found by a search sorted on hs_lastmodifieddate.
 */
import { Client } from '@hubspot/api-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findObjectType } from '../../src/sandbox/hubspot/objectTypes.js';
import { smallSeedOrg } from '../../src/sandbox/hubspot/fixtures.js';
import { HsRecord } from '../../src/sandbox/hubspot/records.js';
import { startHubSpotSandbox } from '../../src/sandbox/hubspot/server.js';
import { failure, type SdkError } from '../helpers/sdkFailure.js';

type Sandbox = Awaited<ReturnType<typeof startHubSpotSandbox>>;
type Filter = { propertyName: string; operator: string; value?: string; highValue?: string; values?: string[] };

const pad = (n: number) => String(n).padStart(4, '0');
// 25 accounts → HubSpot companies i = 0..24 except 3, 8, 13, 18, 23; numberofemployees = 100 + i.
const hubspotIdx = Array.from({ length: 25 }, (_, i) => i).filter((i) => i % 5 !== 3);
const EXTRA_PRODUCTS = 10_050;

let sb: Sandbox;
let client: Client;

beforeAll(async () => {
  sb = await startHubSpotSandbox({ seed: smallSeedOrg({ accounts: 25 }), searchPerSecond: 10_000 });
  client = new Client({ accessToken: sb.token, basePath: sb.url });
  // >10,000 products straight into the portal state (cheap), for the result cap
  const portal = sb.hubspot.portal;
  const products = findObjectType('products')!;
  for (let i = 0; i < EXTRA_PRODUCTS; i++) {
    portal.insert(products, new HsRecord(portal.allocateId(), { name: `Bulk product ${i}`, price: String(i) }, Date.UTC(2025, 0, 1), Date.UTC(2025, 0, 1)));
  }
});
afterAll(async () => sb.close());

async function companyIndexes(filters: Filter[][], sorts: unknown[] = []): Promise<number[]> {
  const res = await client.crm.companies.searchApi.doSearch({
    filterGroups: filters.map((f) => ({ filters: f as never })), sorts: sorts as string[], properties: ['name'], limit: 200, after: '0',
  });
  return res.results.map((r) => Number(r.properties.name!.slice('Account '.length)));
}

describe('operators', () => {
  const f = (propertyName: string, operator: string, more: Partial<Filter> = {}): Filter[][] => [[{ propertyName, operator, ...more }]];

  it('EQ (case-insensitive for strings) and NEQ', async () => {
    expect(await companyIndexes(f('name', 'EQ', { value: 'account 0001' }))).toEqual([1]);
    expect(await companyIndexes(f('numberofemployees', 'NEQ', { value: '100' }))).toEqual(hubspotIdx.filter((i) => i !== 0));
  });

  it('LT, LTE, GT, GTE compare numbers numerically', async () => {
    expect(await companyIndexes(f('numberofemployees', 'LT', { value: '102' }))).toEqual([0, 1]);
    expect(await companyIndexes(f('numberofemployees', 'LTE', { value: '102' }))).toEqual([0, 1, 2]);
    expect(await companyIndexes(f('numberofemployees', 'GT', { value: '122' }))).toEqual([24]);
    expect(await companyIndexes(f('numberofemployees', 'GTE', { value: '122' }))).toEqual([22, 24]);
  });

  it('BETWEEN is inclusive', async () => {
    expect(await companyIndexes(f('numberofemployees', 'BETWEEN', { value: '105', highValue: '109' }))).toEqual([5, 6, 7, 9]);
  });

  it('IN and NOT_IN take `values`', async () => {
    const values = ['account-0002.example.com', 'account-0004.example.com', 'nowhere.example'];
    expect(await companyIndexes(f('domain', 'IN', { values }))).toEqual([2, 4]);
    expect(await companyIndexes(f('domain', 'NOT_IN', { values }))).toEqual(hubspotIdx.filter((i) => i !== 2 && i !== 4));
  });

  it('HAS_PROPERTY and NOT_HAS_PROPERTY (deals without an amount)', async () => {
    const res = await client.crm.deals.searchApi.doSearch({ filterGroups: [{ filters: [{ propertyName: 'amount', operator: 'NOT_HAS_PROPERTY' as never }] }], properties: ['dealname'], sorts: [], limit: 100, after: '0' });
    expect(res.results.map((r) => r.properties.dealname)).toEqual(['Deal 0005', 'Deal 0011', 'Deal 0017']);
    const has = await client.crm.deals.searchApi.doSearch({ filterGroups: [{ filters: [{ propertyName: 'amount', operator: 'HAS_PROPERTY' as never }] }], properties: [], sorts: [], limit: 100, after: '0' });
    expect(has.total).toBe(17);
  });

  it('CONTAINS_TOKEN (with a * wildcard) and NOT_CONTAINS_TOKEN', async () => {
    expect(await companyIndexes(f('name', 'CONTAINS_TOKEN', { value: '0012' }))).toEqual([12]);
    expect(await companyIndexes(f('domain', 'CONTAINS_TOKEN', { value: 'account-001*' }))).toEqual([10, 11, 12, 14, 15, 16, 17, 19]);
    expect(await companyIndexes(f('name', 'NOT_CONTAINS_TOKEN', { value: '0012' }))).toEqual(hubspotIdx.filter((i) => i !== 12));
  });

  it('ORs filter groups and ANDs filters within a group', async () => {
    const groups: Filter[][] = [
      [{ propertyName: 'numberofemployees', operator: 'GTE', value: '110' }, { propertyName: 'numberofemployees', operator: 'LT', value: '112' }],
      [{ propertyName: 'name', operator: 'EQ', value: 'Account 0000' }],
    ];
    expect(await companyIndexes(groups)).toEqual([0, 10, 11]);
  });

  it('compares datetimes given as epoch ms or ISO', async () => {
    const ms = String(Date.parse('2026-08-15T00:00:00Z'));
    const res = await client.crm.deals.searchApi.doSearch({ filterGroups: [{ filters: [{ propertyName: 'hs_lastmodifieddate', operator: 'GT' as never, value: ms }] }], properties: ['dealname'], sorts: [], limit: 100, after: '0' });
    // deals with i % 3 === 0 were won on 2026-09-01; the others last changed on 2026-08-01
    expect(res.results.map((r) => r.properties.dealname)).toEqual(hubspotIdx.filter((i) => i % 3 === 0).map((i) => `Deal ${pad(i)}`));
    const iso = await client.crm.deals.searchApi.doSearch({ filterGroups: [{ filters: [{ propertyName: 'closedate', operator: 'EQ' as never, value: '2026-12-15T00:00:00.000Z' }] }], properties: [], sorts: [], limit: 100, after: '0' });
    expect(iso.total).toBe(20);
  });

  it('rejects too many filter groups, filters per group and filters in total', async () => {
    const one = { propertyName: 'name', operator: 'HAS_PROPERTY' };
    for (const groups of [
      Array.from({ length: 6 }, () => [one]),
      [Array.from({ length: 7 }, () => one)],
      Array.from({ length: 4 }, () => Array.from({ length: 5 }, () => one)),
    ]) {
      const err = await failure(companyIndexes(groups));
      expect(err.code).toBe(400);
      expect(err.body.category).toBe('VALIDATION_ERROR');
    }
  });
});

describe('sorting and paging', () => {
  it('accepts the sort as "-prop", "prop" and {propertyName, direction}', async () => {
    const desc = hubspotIdx.slice().reverse();
    expect(await companyIndexes([], ['-numberofemployees'])).toEqual(desc);
    expect(await companyIndexes([], [{ propertyName: 'numberofemployees', direction: 'DESCENDING' }])).toEqual(desc);
    expect(await companyIndexes([], ['name'])).toEqual(hubspotIdx);
  });

  it('pages with a numeric-string after and reports the total', async () => {
    const seen: number[] = [];
    let after: string | undefined = '0';
    let calls = 0;
    while (after !== undefined) {
      const res = await client.crm.companies.searchApi.doSearch({ filterGroups: [], sorts: ['numberofemployees'], properties: ['name'], limit: 7, after });
      expect(res.total).toBe(20);
      seen.push(...res.results.map((r) => Number(r.properties.name!.slice(8))));
      after = res.paging?.next?.after;
      if (after !== undefined) expect(after).toBe(String(seen.length));
      calls += 1;
    }
    expect(calls).toBe(3);
    expect(seen).toEqual(hubspotIdx);
  });

  it('caps results at 10,000: the page at after=9800 is served, after=10000 is a 400', async () => {
    const products = await client.crm.products.searchApi.doSearch({ filterGroups: [], sorts: [], properties: ['name'], limit: 200, after: '9800' });
    expect(products.total).toBe(EXTRA_PRODUCTS + 2);
    expect(products.results).toHaveLength(200);
    expect(products.paging?.next?.after).toBe('10000');
    const err = await failure(client.crm.products.searchApi.doSearch({ filterGroups: [], sorts: [], properties: ['name'], limit: 200, after: '10000' }));
    expect(err.code).toBe(400);
    expect(err.body).toMatchObject({ status: 'error', category: 'VALIDATION_ERROR' });
  });

  it('rejects limit above 200', async () => {
    const err = await failure(client.crm.products.searchApi.doSearch({ filterGroups: [], sorts: [], properties: [], limit: 201, after: '0' }));
    expect(err.code).toBe(400);
  });

  it('sends no rate-limit headers on search responses (they are on other calls)', async () => {
    const search = await client.crm.companies.searchApi.doSearchWithHttpInfo({ filterGroups: [], sorts: [], properties: [], limit: 1, after: '0' });
    expect(Object.keys(search.headers).filter((h) => h.startsWith('x-hubspot-ratelimit'))).toEqual([]);
    const list = await client.crm.companies.basicApi.getPageWithHttpInfo(1);
    expect(list.headers['x-hubspot-ratelimit-max']).toBe('190');
  });
});

describe('writes seen by search', () => {
  it('finds records written through the API by hs_lastmodifieddate, in write order', async () => {
    const since = Date.now();
    const ids = [5, 1, 9].map((i) => sb.externalId(`deal-${pad(i)}`)!);
    for (const [n, id] of ids.entries()) {
      await client.crm.deals.basicApi.update(id, { properties: { description: `touched ${n}` } });
      await new Promise((r) => setTimeout(r, 3));
    }
    const res = await client.crm.deals.searchApi.doSearch({
      filterGroups: [{ filters: [{ propertyName: 'hs_lastmodifieddate', operator: 'GTE' as never, value: String(since) }] }],
      sorts: [{ propertyName: 'hs_lastmodifieddate', direction: 'ASCENDING' }] as never, properties: ['description', 'hs_lastmodifieddate'], limit: 200, after: '0',
    });
    expect(res.results.map((r) => [r.id, r.properties.description])).toEqual(ids.map((id, n) => [id, `touched ${n}`]));
    const listed = await client.crm.deals.batchApi.read({ inputs: ids.map((id) => ({ id })), properties: ['description'], propertiesWithHistory: [] });
    expect(listed.results.map((r) => r.properties.description).sort()).toEqual(['touched 0', 'touched 1', 'touched 2']);
  });
});

describe('repeated queries', () => {
  it('pages one query from a cached result list, and a write between pages is seen at once', async () => {
    const query = { filterGroups: [], sorts: ['-amount'], properties: ['amount'], limit: 5 };
    const first = await client.crm.deals.searchApi.doSearch({ ...query, after: '0' });
    const id = sb.externalId('deal-0001')!;
    expect(first.results.map((r) => r.id)).not.toContain(id);
    await client.crm.deals.basicApi.update(id, { properties: { amount: '99999999' } });
    const again = await client.crm.deals.searchApi.doSearch({ ...query, after: '0' });
    expect(again.results[0]).toMatchObject({ id, properties: { amount: '99999999' } });
    const second = await client.crm.deals.searchApi.doSearch({ ...query, after: '5' });
    // the new top record pushed everything down by one
    expect(second.results[0]!.id).toBe(first.results[4]!.id);
  });
});

describe('index lag and the secondly limit', () => {
  let lagged: Sandbox;
  let lagClient: Client;
  let now = Date.parse('2026-11-02T10:00:00Z');
  beforeAll(async () => {
    lagged = await startHubSpotSandbox({ seed: null, searchIndexDelayMs: 1500, now: () => new Date(now) });
    lagClient = new Client({ accessToken: lagged.token, basePath: lagged.url });
  });
  afterAll(async () => lagged.close());

  it('hides a new record from search until it is indexed (portal clock), while reads see it at once', async () => {
    const search = () => lagClient.crm.companies.searchApi.doSearch({ filterGroups: [], sorts: [], properties: ['name'], limit: 10, after: '0' });
    const created = await lagClient.crm.companies.basicApi.create({ properties: { name: 'Fresh Co' }, associations: [] });
    expect((await search()).total).toBe(0);
    expect((await lagClient.crm.companies.basicApi.getById(created.id)).properties.name).toBe('Fresh Co');
    now += 1000;
    await lagClient.crm.companies.basicApi.update(created.id, { properties: { name: 'Fresher Co' } });
    now += 600; // the creation is indexed, the rename is not yet: search shows the old name
    expect((await search()).results.map((r) => r.properties.name)).toEqual(['Fresh Co']);
    now += 1000;
    expect((await search()).results.map((r) => r.properties.name)).toEqual(['Fresher Co']);
  });

  it('limits search to 5/s with the "secondly limit" 429 the SDK retries on', async () => {
    await new Promise((r) => setTimeout(r, 1100));
    const search = () => lagClient.crm.companies.searchApi.doSearch({ filterGroups: [], sorts: [], properties: [], limit: 1, after: '0' });
    const settled = await Promise.allSettled(Array.from({ length: 12 }, search));
    const rejected = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected').map((s) => s.reason as SdkError);
    // 12 calls at once: at least 7 land within one second of the first 5 (all of them unless the host stalls)
    expect(rejected.length).toBeGreaterThanOrEqual(1);
    for (const err of rejected) {
      expect(err.code).toBe(429);
      expect(err.body).toMatchObject({ status: 'error', message: 'You have reached your secondly limit.', errorType: 'RATE_LIMIT' });
      expect(err.headers['x-hubspot-ratelimit-max']).toBeUndefined();
    }
    expect(lagged.stats.snapshot().rateLimited).toBe(rejected.length);

    // A client with SDK retries waits 1 s on this body and then succeeds.
    const retrying = new Client({ accessToken: lagged.token, basePath: lagged.url, numberOfApiCallRetries: 2 });
    await Promise.allSettled(Array.from({ length: 5 }, search));
    const res = await retrying.crm.companies.searchApi.doSearch({ filterGroups: [], sorts: [], properties: [], limit: 1, after: '0' });
    expect(res.total).toBe(1);
  });
});
