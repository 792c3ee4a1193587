/**
 * HubSpot merges end to end: the sandbox's merge route through the unmodified SDK (the merged-away
 * record is gone from every read, its associations move to the primary, errors as HubSpot sends
 * them, a merge webhook), and the connector against it with real Redis: an incremental sync, a
 * full read and a merge webhook each delete the merged-away company and deal from the store, with
 * no API call a plain change of the primary would not cost.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@hubspot/api-client';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../src/config/schema.js';
import { EnvSchema } from '../../src/config/env.js';
import { HubSpotConnector } from '../../src/connectors/hubspot/connector.js';
import { streamNames } from '../../src/connectors/hubspot/streams/index.js';
import { parseHubSpotEvents } from '../../src/connectors/hubspot/webhooks.js';
import { smallSeedOrg } from '../../src/sandbox/hubspot/fixtures.js';
import { findObjectType } from '../../src/sandbox/hubspot/objectTypes.js';
import { startHubSpotSandbox } from '../../src/sandbox/hubspot/server.js';
import type { StreamResult } from '../../src/connectors/types.js';
import { Store } from '../../src/store/index.js';
import { failure } from '../helpers/sdkFailure.js';
import { closeStoresAndSandboxes } from '../helpers/redis.js';

type Sandbox = Awaited<ReturnType<typeof startHubSpotSandbox>>;

const logger = pino({ level: 'silent' });
// settle 0s: the sandbox's search sees a write at once
const config = ConfigSchema.parse({ sync: { settle: '0s' } });
const secret = 'merge-test-secret';
let redis: Redis;
const stores: Store[] = [];
const sandboxes: Sandbox[] = [];

/** A pass reads up to HubSpot's time from its Date headers (1 s resolution): wait past it. */
const pastDateResolution = () => new Promise((r) => setTimeout(r, 2_100));

beforeAll(() => {
  redis = new Redis(process.env.REDIS_URL as string);
});
afterAll(() => closeStoresAndSandboxes(stores, redis, sandboxes));

async function sandbox(options: Partial<Parameters<typeof startHubSpotSandbox>[0]> = {}): Promise<Sandbox> {
  // 25 seed accounts: 20 companies in HubSpot, each with 2 contacts, 1 deal (1 line item), 1 call, 1 note
  const sb = await startHubSpotSandbox({ seed: smallSeedOrg({ accounts: 25 }), port: 0, ...options });
  sandboxes.push(sb);
  return sb;
}

function live(sb: Sandbox, type: string) {
  return sb.hubspot.portal.store(findObjectType(type)!).all().filter((r) => !r.archived);
}

function dealsOf(sb: Sandbox, companyId: string): string[] {
  return sb.hubspot.portal.associations.targets('companies', companyId, 'deals');
}

describe('sandbox: POST /crm/v3/objects/{type}/merge', () => {
  let sb: Sandbox;
  let client: Client;
  const events: Record<string, unknown>[] = [];
  let receiver: Server;

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        events.push(...(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>[]));
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
    sb = await sandbox({ webhook: { url, clientSecret: secret, flushDelayMs: 5 } });
    client = new Client({ accessToken: sb.token, basePath: sb.url });
  });
  afterAll(async () => {
    await new Promise((r) => receiver.close(r));
  });

  it('merges two companies: the merged one is gone from every read, its deals move to the primary once', async () => {
    const [primary, merged] = live(sb, 'companies');
    const primaryDeal = dealsOf(sb, primary!.id)[0]!;
    const mergedDeal = dealsOf(sb, merged!.id)[0]!;
    // the primary's deal is linked to both companies: after the merge it is linked once
    await client.crm.associations.v4.basicApi.createDefault('deals', primaryDeal, 'companies', merged!.id);
    const before = primary!.updatedAt;
    sb.stats.reset();

    const result = await client.crm.companies.basicApi.merge({ primaryObjectId: primary!.id, objectIdToMerge: merged!.id });
    expect(result.id).toBe(primary!.id);
    expect(result.archived).toBe(false);
    expect(result.properties.name).toBe(primary!.get('name'));
    expect(Date.parse(result.properties.hs_lastmodifieddate!)).toBeGreaterThan(before);
    expect(sb.stats.snapshot().calls.byRoute).toEqual({ 'POST /crm/v3/objects/companies/merge': 1 });

    // gone: GET (live and archived), list (live and archived), search, batch read
    expect((await failure(client.crm.companies.basicApi.getById(merged!.id))).code).toBe(404);
    expect((await failure(client.crm.companies.basicApi.getById(merged!.id, undefined, undefined, undefined, true))).code).toBe(404);
    const all = await client.crm.companies.getAll();
    expect(all.map((c) => c.id)).not.toContain(merged!.id);
    expect(all).toHaveLength(19);
    expect((await client.crm.companies.basicApi.getPage(100, undefined, undefined, undefined, undefined, true)).results).toEqual([]);
    const search = await client.crm.companies.searchApi.doSearch({ filterGroups: [{ filters: [{ propertyName: 'hs_object_id', operator: 'EQ' as never, value: merged!.id }] }], limit: 10 } as never);
    expect(search.total).toBe(0);
    const batch = await client.crm.companies.batchApi.read({ inputs: [{ id: primary!.id }, { id: merged!.id }], properties: ['hs_merged_object_ids'], propertiesWithHistory: [] });
    expect(batch.results.map((r) => [r.id, r.properties.hs_merged_object_ids])).toEqual([[primary!.id, merged!.id]]);
    expect((batch as { errors?: { context?: Record<string, string[]> }[] }).errors?.[0]?.context?.ids).toEqual([merged!.id]);

    // associations: both deals on the primary, listed once; the merged deal's company is the primary
    expect([...dealsOf(sb, primary!.id)].sort()).toEqual([primaryDeal, mergedDeal].sort());
    const assoc = await client.crm.associations.v4.basicApi.getPage('deals', mergedDeal, 'companies');
    expect(assoc.results.map((a) => [String(a.toObjectId), a.associationTypes.map((t) => t.typeId).sort((x, y) => x - y)])).toEqual([[primary!.id, [5, 341]]]);
    expect(sb.hubspot.portal.associations.targets('deals', primaryDeal, 'companies')).toEqual([primary!.id]);
    // the merged company's contacts moved too (2 each)
    expect(sb.hubspot.portal.associations.targets('companies', primary!.id, 'contacts')).toHaveLength(4);

    // a merge event, as a generic subscription delivers it
    await sb.hubspot.webhooks!.idle();
    const merge = events.filter((e) => e.subscriptionType === 'object.merge');
    expect(merge).toEqual([expect.objectContaining({
      objectTypeId: '0-2', objectId: Number(primary!.id), primaryObjectId: Number(primary!.id), mergedObjectIds: [Number(merged!.id)], newObjectId: Number(primary!.id),
    })]);
  });

  it('hs_merged_object_ids gathers a chain of merges; deals merge by type id too', async () => {
    const [primary, third] = live(sb, 'companies');
    const chained = live(sb, 'companies')[2]!;
    const chainedMergedId = live(sb, 'companies')[3]!.id;
    await client.crm.companies.basicApi.merge({ primaryObjectId: chained.id, objectIdToMerge: chainedMergedId });
    const earlier = primary!.get('hs_merged_object_ids');
    await client.crm.companies.basicApi.merge({ primaryObjectId: primary!.id, objectIdToMerge: chained.id });
    const read = await client.crm.companies.basicApi.getById(primary!.id, ['hs_merged_object_ids']);
    expect(read.properties.hs_merged_object_ids).toBe(`${earlier};${chained.id};${chainedMergedId}`);
    expect(third).toBeDefined();

    const [d1, d2] = live(sb, 'deals');
    const res = await client.apiRequest({ method: 'POST', path: '/crm/v3/objects/0-3/merge', body: { primaryObjectId: d1!.id, objectIdToMerge: Number(d2!.id) } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { id: string }).id).toBe(d1!.id);
    expect((await failure(client.crm.deals.basicApi.getById(d2!.id))).code).toBe(404);
    const deal = await client.crm.deals.basicApi.getById(d1!.id, ['hs_merged_object_ids']);
    expect(deal.properties.hs_merged_object_ids).toBe(d2!.id);
    // d2's line item now belongs to d1
    expect(sb.hubspot.portal.associations.targets('deals', d1!.id, 'line_items')).toHaveLength(2);
  });

  it('errors: unknown id 404, a record into itself 400, a missing field 400, a read-only property, an unmergeable type', async () => {
    const [a] = live(sb, 'contacts');
    const unknown = await failure(client.crm.contacts.basicApi.merge({ primaryObjectId: a!.id, objectIdToMerge: '999999999' }));
    expect(unknown.code).toBe(404);
    expect(unknown.body).toMatchObject({ status: 'error', category: 'OBJECT_NOT_FOUND', context: { id: ['999999999'], objectType: ['contacts'] } });
    const unknownPrimary = await failure(client.crm.contacts.basicApi.merge({ primaryObjectId: '999999998', objectIdToMerge: a!.id }));
    expect(unknownPrimary.body).toMatchObject({ category: 'OBJECT_NOT_FOUND', context: { id: ['999999998'] } });

    const self = await failure(client.crm.contacts.basicApi.merge({ primaryObjectId: a!.id, objectIdToMerge: a!.id }));
    expect(self.code).toBe(400);
    expect(self.body).toMatchObject({ status: 'error', category: 'VALIDATION_ERROR', message: `Cannot merge contact ${a!.id} into itself: objectIdToMerge must differ from primaryObjectId.` });

    const missing = await client.apiRequest({ method: 'POST', path: '/crm/v3/objects/tickets/merge', body: { primaryObjectId: a!.id } });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ status: 'error', category: 'VALIDATION_ERROR', message: expect.stringContaining('objectIdToMerge') });

    const readOnly = await failure(client.crm.contacts.basicApi.update(a!.id, { properties: { hs_merged_object_ids: '1' } }));
    expect(readOnly.code).toBe(400);
    expect(String(readOnly.body.message)).toContain('READ_ONLY_VALUE');

    const products = live(sb, 'products');
    const product = await client.apiRequest({ method: 'POST', path: '/crm/v3/objects/products/merge', body: { primaryObjectId: products[0]!.id, objectIdToMerge: products[1]!.id } });
    expect(product.status).toBe(400);
    expect(live(sb, 'contacts').map((c) => c.id)).toContain(a!.id);
  });
});

describe('connector: merged-away records leave the store', () => {
  let sb: Sandbox;
  let client: Client;
  const received: unknown[] = [];
  let receiver: Server;
  let incremental: Store;

  function newStore(): Store {
    const store = new Store(redis, { prefix: `test-hsm-${randomUUID().slice(0, 8)}` });
    stores.push(store);
    return store;
  }

  function connector(store: Store): HubSpotConnector {
    const env = EnvSchema.parse({ HUBSPOT_BASE_URL: sb.url, HUBSPOT_ACCESS_TOKEN: sb.token, ACCOUNTPULSE_PREFIX: store.keys.prefix });
    return new HubSpotConnector({ env, config, redis, logger, portalKey: store.keys.prefix });
  }

  async function syncAll(store: Store): Promise<Map<string, StreamResult>> {
    const hs = connector(store);
    const out = new Map<string, StreamResult>();
    for (const stream of streamNames) out.set(stream, await hs.syncStream(stream, { store, logger }));
    return out;
  }

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push(...(JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown[]));
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
    sb = await sandbox({ webhook: { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`, clientSecret: secret, flushDelayMs: 5 } });
    client = new Client({ accessToken: sb.token, basePath: sb.url });
  });
  afterAll(async () => {
    await new Promise((r) => receiver.close(r));
  });

  it('incremental sync, full read and a merge webhook each delete the merged company and deal, at no extra call', async () => {
    incremental = newStore();
    const full = newStore();
    const hooked = newStore();
    for (const store of [incremental, full, hooked]) {
      const results = await syncAll(store);
      for (const r of results.values()) expect(r, r.stream).toMatchObject({ complete: true, quarantined: 0 });
      expect(await store.records.count('account')).toBe(20);
      expect(await store.records.count('deal')).toBe(20);
    }

    // the first incremental pass also reads the archived owners, once: out of the comparison
    await syncAll(incremental);
    // baseline: a plain change of the records that will survive the merges
    const [primary, merged] = live(sb, 'companies');
    const [keptDeal, mergedDeal] = live(sb, 'deals').filter((d) => !dealsOf(sb, merged!.id).includes(d.id) && !dealsOf(sb, primary!.id).includes(d.id));
    await client.crm.companies.basicApi.update(primary!.id, { properties: { industry: 'Merging' } });
    await client.crm.deals.basicApi.update(keptDeal!.id, { properties: { description: 'kept' } });
    await pastDateResolution();
    sb.stats.reset();
    const baseline = await syncAll(incremental);
    const baselineCalls = sb.stats.snapshot().calls.byRoute;
    expect(baseline.get('companies')).toMatchObject({ complete: true, read: 1, changed: 1, deleted: 0 });
    expect(baseline.get('deals')).toMatchObject({ complete: true, read: 1, changed: 1, deleted: 0 });

    // the merges: two companies (each with a deal), two deals
    const mergedCompanyDeals = dealsOf(sb, merged!.id);
    expect(mergedCompanyDeals).toHaveLength(1);
    const mergedDealOwner = mergedDeal!.get('hubspot_owner_id');
    const mergedDealHistory = await incremental.records.idsBy('dealHistory', 'dealId', `hubspot:${mergedDeal!.id}`);
    expect(mergedDealHistory.length).toBeGreaterThan(0);
    await client.crm.companies.basicApi.merge({ primaryObjectId: primary!.id, objectIdToMerge: merged!.id });
    await client.crm.deals.basicApi.merge({ primaryObjectId: keptDeal!.id, objectIdToMerge: mergedDeal!.id });
    await pastDateResolution();
    sb.stats.reset();
    const after = await syncAll(incremental);
    expect(sb.stats.snapshot().calls.byRoute).toEqual(baselineCalls);

    const companies = after.get('companies')!;
    expect(companies).toMatchObject({ complete: true, read: 1, changed: 1, deleted: 1, quarantined: 0 });
    expect([...companies.accountIds].sort()).toEqual([`hubspot:${primary!.id}`, `hubspot:${merged!.id}`].sort());
    expect(await incremental.records.get('account', `hubspot:${merged!.id}`)).toBeUndefined();
    expect(await incremental.records.get('account', `hubspot:${primary!.id}`)).toMatchObject({ name: primary!.get('name'), industry: 'Merging' });
    expect(await incremental.records.count('account')).toBe(19);
    // what the store held under the merged company now belongs to the primary, before any re-read
    expect(await incremental.records.idsBy('deal', 'accountId', `hubspot:${merged!.id}`)).toEqual([]);
    expect(await incremental.records.idsBy('contact', 'accountId', `hubspot:${merged!.id}`)).toEqual([]);
    expect(await incremental.records.get('deal', `hubspot:${mergedCompanyDeals[0]}`)).toMatchObject({ accountId: `hubspot:${primary!.id}` });
    expect((await incremental.records.idsBy('contact', 'accountId', `hubspot:${primary!.id}`)).sort()).toEqual(
      sb.hubspot.portal.associations.targets('companies', primary!.id, 'contacts').map((id) => `hubspot:${id}`).sort(),
    );

    const deals = after.get('deals')!;
    expect(deals).toMatchObject({ complete: true, read: 1, changed: 1, deleted: 1, quarantined: 0 });
    expect(deals.ownerIds).toContain(`hubspot:${mergedDealOwner}`);
    expect(await incremental.records.get('deal', `hubspot:${mergedDeal!.id}`)).toBeUndefined();
    expect(await incremental.records.getMany('dealHistory', mergedDealHistory)).toEqual([]);
    expect(await incremental.records.idsBy('dealHistory', 'dealId', `hubspot:${mergedDeal!.id}`)).toEqual([]);
    expect(await incremental.records.get('deal', `hubspot:${keptDeal!.id}`)).toMatchObject({ externalId: keptDeal!.id });
    expect(await incremental.records.count('deal')).toBe(19);

    // the merged company's deal, read next, belongs to the primary
    const reread = await connector(incremental).syncRecords('deals', mergedCompanyDeals, { store: incremental, logger });
    expect(reread).toMatchObject({ complete: true, read: 1, deleted: 0 });
    expect(await incremental.records.get('deal', `hubspot:${mergedCompanyDeals[0]}`)).toMatchObject({ accountId: `hubspot:${primary!.id}` });

    // a full read of a store that still holds both merged-away records removes them too
    const hs = connector(full);
    expect(await hs.syncStream('companies', { store: full, logger, full: true })).toMatchObject({ complete: true, read: 19, deleted: 1 });
    expect(await hs.syncStream('deals', { store: full, logger, full: true })).toMatchObject({ complete: true, read: 19, deleted: 1 });
    expect((await full.records.allIds('account')).sort()).toEqual((await incremental.records.allIds('account')).sort());
    expect((await full.records.allIds('deal')).sort()).toEqual((await incremental.records.allIds('deal')).sort());
    // deleting what is not stored is a no-op: a second full read deletes nothing
    expect(await hs.syncStream('companies', { store: full, logger, full: true })).toMatchObject({ complete: true, deleted: 0 });

    // the merge webhooks: the merged ids are deleted, the survivors re-read
    await sb.hubspot.webhooks!.idle();
    const { targets, skipped } = parseHubSpotEvents(received.filter((e) => (e as { subscriptionType: string }).subscriptionType === 'object.merge'));
    expect(skipped).toEqual([]);
    expect(targets).toEqual([
      { objectType: 'companies', objectId: primary!.id, changeType: 'merge' },
      { objectType: 'companies', objectId: merged!.id, changeType: 'deletion' },
      { objectType: 'deals', objectId: keptDeal!.id, changeType: 'merge' },
      { objectType: 'deals', objectId: mergedDeal!.id, changeType: 'deletion' },
    ]);
    const webhookSync = connector(hooked);
    for (const stream of ['companies', 'deals']) {
      const ids = targets.filter((t) => t.objectType === stream).map((t) => t.objectId);
      expect(await webhookSync.syncRecords(stream, ids, { store: hooked, logger }), stream).toMatchObject({ complete: true, read: 1, deleted: 1 });
    }
    expect(await hooked.records.get('account', `hubspot:${merged!.id}`)).toBeUndefined();
    expect(await hooked.records.get('deal', `hubspot:${mergedDeal!.id}`)).toBeUndefined();
    expect(await hooked.records.count('account')).toBe(19);
    expect(await hooked.records.count('deal')).toBe(19);
  }, 60_000);

  it('junk in hs_merged_object_ids is skipped and counted in a warning; the survivor is stored, an unknown id is a no-op', async () => {
    const company = live(sb, 'companies')[5]!;
    // the property is read-only through the API: set it in the portal, as HubSpot would hold it
    company.set('hs_merged_object_ids', 'not-an-id;777777777;;12a');
    company.updatedAt = Date.now();
    sb.hubspot.portal.version += 1;
    await pastDateResolution();
    const lines: Record<string, unknown>[] = [];
    const capture = pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
    const env = EnvSchema.parse({ HUBSPOT_BASE_URL: sb.url, HUBSPOT_ACCESS_TOKEN: sb.token, ACCOUNTPULSE_PREFIX: incremental.keys.prefix });
    const hs = new HubSpotConnector({ env, config, redis, logger: capture, portalKey: incremental.keys.prefix });
    const accounts = await incremental.records.count('account');
    const result = await hs.syncStream('companies', { store: incremental, logger: capture });
    expect(result).toMatchObject({ complete: true, read: 1, deleted: 0, quarantined: 0 });
    expect(await incremental.records.count('account')).toBe(accounts);
    expect(lines.filter((l) => l.stream === 'companies' && l.skipped !== undefined)).toEqual([
      expect.objectContaining({ skipped: 2, example: company.id }),
    ]);
  }, 30_000);
});
