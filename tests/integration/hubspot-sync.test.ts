/**
 * The HubSpot connector end to end: the unmodified SDK against the sandbox, real Redis. An initial
 * sync lands every record (counts equal the sandbox's, calls equal the list minimum), changes and
 * deletions and more than 10,000 changes in one window are picked up incrementally, a killed sync
 * restarted ends with the same store, write-back and tasks use the fewest calls and never duplicate.
 */
import { randomUUID } from 'node:crypto';
import { Client } from '@hubspot/api-client';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import type { LineItem } from '../../src/domain/model.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../src/config/schema.js';
import { EnvSchema } from '../../src/config/env.js';
import { HubSpotConnector } from '../../src/connectors/hubspot/connector.js';
import { objectStreams, streamNames } from '../../src/connectors/hubspot/streams/index.js';
import type { RecordKind } from '../../src/domain/model.js';
import { findObjectType } from '../../src/sandbox/hubspot/objectTypes.js';
import { startHubSpotSandbox } from '../../src/sandbox/hubspot/server.js';
import { generateSeedOrg } from '../../src/sandbox/seed/generate.js';
import { Store } from '../../src/store/index.js';
import { closeStoresAndSandboxes } from '../helpers/redis.js';

type Sandbox = Awaited<ReturnType<typeof startHubSpotSandbox>>;

const seed = generateSeedOrg({ seed: 11, accounts: 200, asOf: '2026-11-27' });
const logger = pino({ level: 'silent' });
// settle 0s: the sandbox's search sees a write at once (a real portal gets the default 30s)
const config = ConfigSchema.parse({
  hubspot: { renewalDateField: 'renewal_date', usageField: 'product_usage_index' },
  sync: { hubspotSearchPerSecond: 5, settle: '0s' },
});
let sb: Sandbox;
let redis: Redis;
const stores: Store[] = [];

function newStore(): Store {
  const store = new Store(redis, { prefix: `test-hs-${randomUUID().slice(0, 8)}` });
  stores.push(store);
  return store;
}

function connector(store: Store): HubSpotConnector {
  const env = EnvSchema.parse({ HUBSPOT_BASE_URL: sb.url, HUBSPOT_ACCESS_TOKEN: sb.token, ACCOUNTPULSE_PREFIX: store.keys.prefix });
  return new HubSpotConnector({ env, config, redis, logger, portalKey: store.keys.prefix, taskSearchLagMs: 10 });
}

function live(type: string) {
  return sb.hubspot.portal.store(findObjectType(type)!).all().filter((r) => !r.archived);
}

async function syncAll(c: HubSpotConnector, store: Store) {
  const results = [];
  for (const stream of streamNames) results.push(await c.syncStream(stream, { store, logger }));
  return results;
}

/**
 * A pass reads up to HubSpot's time, learned from Date headers (1 s resolution, and a second
 * more taken off): a write becomes readable once that clock has passed it.
 */
const pastDateResolution = () => new Promise((r) => setTimeout(r, 2_100));

/** Archived records of a type: the archived list pages every pass reads (100 per page). */
function archivedPages(type: string): number {
  return Math.max(1, Math.ceil(sb.hubspot.portal.store(findObjectType(type)!).all().filter((r) => r.archived).length / 100));
}

function routeCalls(): Record<string, number> {
  return sb.stats.snapshot().calls.byRoute;
}

beforeAll(async () => {
  sb = await startHubSpotSandbox({ seed, port: 0 });
  redis = new Redis(process.env.REDIS_URL as string);
});
afterAll(() => closeStoresAndSandboxes(stores, redis, [sb]));

describe('HubSpot connector against the sandbox', () => {
  let store: Store;
  let hs: HubSpotConnector;

  it('initial sync lands every record, with exactly the list-page minimum of calls and no 429', async () => {
    store = newStore();
    hs = connector(store);
    sb.hubspot.stats.reset();
    const results = await syncAll(hs, store);
    for (const r of results) expect(r, r.stream).toMatchObject({ complete: true, quarantined: 0 });

    const kinds: [string, RecordKind][] = [['companies', 'account'], ['contacts', 'contact'], ['deals', 'deal'], ['line_items', 'lineItem'], ['products', 'product'], ['tickets', 'ticket'], ['goal_targets', 'quota']];
    for (const [type, kind] of kinds) expect(await store.records.count(kind), type).toBe(live(type).length);
    expect(await store.records.count('owner')).toBe(sb.hubspot.portal.owners.list({ archived: false }).length);
    expect(live('companies').length).toBeGreaterThan(100);
    expect(live('contacts').length).toBeGreaterThan(300);
    expect(live('deals').length).toBeGreaterThan(0);

    // every activity read, and folded into its company's aggregate
    const activityTypes = ['calls', 'emails', 'meetings', 'notes', 'tasks'];
    for (const t of activityTypes) expect(results.find((r) => r.stream === t)?.read, t).toBe(live(t).length);
    // folded: activities linked to a live company, open tasks excepted (the store counts a task once it is done)
    const liveCompanies = new Set(live('companies').map((c) => c.id));
    const folds = (t: string) =>
      live(t).filter((r) => (t !== 'tasks' || r.props.hs_task_status === 'COMPLETED') && sb.hubspot.portal.associations.targets(t, r.id, 'companies').some((id) => liveCompanies.has(id))).length;
    for (const t of activityTypes) expect(results.find((r) => r.stream === t)?.changed, `${t} folded`).toBe(folds(t));
    const withCompany = activityTypes.reduce((n, t) => n + folds(t), 0);
    const aggregates = await store.activities.aggregates(live('companies').map((c) => `hubspot:${c.id}`));
    expect([...aggregates.values()].reduce((n, a) => n + a.total, 0)).toBe(withCompany);

    // the configured usage property lands as a usage metric and in Account.fields
    const withUsage = live('companies').filter((c) => c.props.product_usage_index !== undefined && c.props.product_usage_index !== '');
    expect(withUsage.length).toBeGreaterThan(0);
    const usage = await store.usage.forAccounts(withUsage.map((c) => `hubspot:${c.id}`));
    expect([...usage.values()].flat().filter((u) => u.metric === 'usage')).toHaveLength(withUsage.length);
    const sample = withUsage[0]!;
    expect(await store.records.get('account', `hubspot:${sample.id}`)).toMatchObject({ fields: { usage: Number(sample.props.product_usage_index) } });

    // deal → company references resolve to stored accounts; history rows exist
    const deals = await store.records.getMany('deal', (await store.records.allIds('deal')).slice(0, 20));
    for (const d of deals.filter((x) => x.accountId)) expect(await store.records.get('account', d.accountId!)).toBeDefined();
    expect(await store.records.count('dealHistory')).toBeGreaterThanOrEqual(live('deals').length);

    const calls = routeCalls();
    for (const spec of objectStreams) {
      const perPage = spec.propertiesWithHistory?.length ? 50 : 100;
      expect(calls[`GET /crm/v3/objects/${spec.objectType}`] ?? 0, spec.objectType).toBe(Math.max(1, Math.ceil(live(spec.objectType).length / perPage)));
    }
    expect(calls['GET /crm/v3/pipelines/deals']).toBe(1);
    expect(sb.stats.snapshot().rateLimited).toBe(0);
    expect(Object.keys(calls).filter((k) => k.includes('search') || k.includes('/crm/v4/'))).toEqual([]);
  }, 60_000);

  it('the next incremental sync picks up changes and deletions', async () => {
    const client = new Client({ accessToken: sb.token, basePath: sb.url });
    const [c1, c2] = live('companies');
    await client.crm.companies.batchApi.update({ inputs: [{ id: c1!.id, properties: { name: 'Renamed One' } }, { id: c2!.id, properties: { numberofemployees: '4321' } }] });
    const goneContact = live('contacts')[0]!;
    await client.crm.contacts.basicApi.archive(goneContact.id);
    const deal = live('deals')[0]!;
    await client.crm.deals.basicApi.update(deal.id, { properties: { dealstage: 'closedlost' } });
    await pastDateResolution();

    const companies = await hs.syncStream('companies', { store, logger });
    expect(companies).toMatchObject({ complete: true, quarantined: 0 });
    expect(await store.records.get('account', `hubspot:${c1!.id}`)).toMatchObject({ name: 'Renamed One' });
    expect(await store.records.get('account', `hubspot:${c2!.id}`)).toMatchObject({ employees: 4321 });
    expect(companies.accountIds).toEqual(expect.arrayContaining([`hubspot:${c1!.id}`, `hubspot:${c2!.id}`]));

    const contacts = await hs.syncStream('contacts', { store, logger });
    expect(contacts).toMatchObject({ complete: true, deleted: 1 });
    expect(await store.records.get('contact', `hubspot:${goneContact.id}`)).toBeUndefined();
    expect(await store.records.count('contact')).toBe(live('contacts').length);

    // an archived call leaves its company's activity aggregate
    const call = live('calls').find((r) => sb.hubspot.portal.associations.targets('calls', r.id, 'companies').length > 0)!;
    const callCompany = `hubspot:${sb.hubspot.portal.associations.targets('calls', call.id, 'companies')[0]}`;
    const totalBefore = (await store.activities.aggregates([callCompany])).get(callCompany)!.total;
    await client.crm.objects.calls.basicApi.archive(call.id);
    await pastDateResolution();
    const calls = await hs.syncStream('calls', { store, logger });
    expect(calls).toMatchObject({ complete: true, deleted: 1 });
    expect((await store.activities.aggregates([callCompany])).get(callCompany)!.total).toBe(totalBefore - 1);

    const deals = await hs.syncStream('deals', { store, logger });
    expect(deals.complete).toBe(true);
    expect(await store.records.get('deal', `hubspot:${deal.id}`)).toMatchObject({ stageId: 'closedlost', status: 'lost' });
    const history = await store.records.getBy('dealHistory', 'dealId', `hubspot:${deal.id}`);
    expect(history.some((h) => h.field === 'stage' && h.to === 'closedlost')).toBe(true);

    // a changed line item queues its deal's account for rescoring (the line item has no account)
    const stored: LineItem[] = [];
    for await (const page of store.records.scan('lineItem', 5000)) stored.push(...page);
    const item = stored.find((li) => li.dealId && li.externalId);
    expect(item).toBeDefined();
    const itemDeal = await store.records.get('deal', item!.dealId as string);
    expect(itemDeal?.accountId).toBeTruthy();
    await client.crm.lineItems.basicApi.update(item!.externalId, { properties: { quantity: '7' } });
    await pastDateResolution();
    const lineItems = await hs.syncStream('line_items', { store, logger });
    expect(lineItems).toMatchObject({ complete: true, changed: 1 });
    expect(lineItems.accountIds).toEqual([itemDeal!.accountId]);
  }, 60_000);

  it('an incremental cycle after a few changes costs exactly the minimum: one search and one archived list per object, owners once', async () => {
    const client = new Client({ accessToken: sb.token, basePath: sb.url });
    const [c1, c2] = live('companies');
    await client.crm.companies.batchApi.update({ inputs: [{ id: c1!.id, properties: { name: 'Cycle One' } }, { id: c2!.id, properties: { name: 'Cycle Two' } }] });
    // once, after the first load, the owners stream also reads the archived owners
    expect(await hs.syncStream('owners', { store, logger })).toMatchObject({ complete: true, calls: 2 });
    await pastDateResolution();
    // a new process: nothing cached, HubSpot's clock not yet heard
    const fresh = connector(store);
    sb.hubspot.stats.reset();
    const results = await syncAll(fresh, store);
    for (const r of results) expect(r, r.stream).toMatchObject({ complete: true, quarantined: 0 });
    expect(results.find((r) => r.stream === 'companies')).toMatchObject({ read: 2, changed: 2 });
    expect(results.filter((r) => r.stream !== 'companies' && r.stream !== 'owners').reduce((n, r) => n + r.read, 0)).toBe(0);
    const expected: Record<string, number> = { 'GET /crm/v3/owners': 1, 'GET /crm/v3/pipelines/deals': 1 };
    for (const spec of objectStreams) {
      expected[`POST /crm/v3/objects/${spec.objectType}/search`] = 1;
      expected[`GET /crm/v3/objects/${spec.objectType}`] = archivedPages(spec.objectType);
    }
    expect(routeCalls()).toEqual(expected);
    expect(await store.records.get('account', `hubspot:${c1!.id}`)).toMatchObject({ name: 'Cycle One' });

    // goal targets synced by another process read the owners the owners stream saved: no owners call
    sb.hubspot.stats.reset();
    expect(await connector(store).syncStream('goal_targets', { store, logger })).toMatchObject({ complete: true, calls: 1 + archivedPages('goal_targets') });
    expect(routeCalls()['GET /crm/v3/owners'] ?? 0).toBe(0);
  }, 60_000);

  it('a sync killed after a few pages and restarted ends with the same store as an uninterrupted one', async () => {
    const whole = newStore();
    await connector(whole).syncStream('contacts', { store: whole, logger });

    const killed = newStore();
    const abort = new AbortController();
    const first = await connector(killed).syncStream('contacts', { store: killed, logger, signal: abort.signal, onPage: (p) => p.pages >= 3 && abort.abort() });
    expect(first).toMatchObject({ complete: false, stoppedReason: 'aborted', pages: 3 });
    // a new connector (a new process) resumes from the checkpoint
    const second = await connector(killed).syncStream('contacts', { store: killed, logger });
    expect(second.complete).toBe(true);
    expect(first.read + second.read).toBe(live('contacts').length);

    const ids = (await whole.records.allIds('contact')).sort();
    expect((await killed.records.allIds('contact')).sort()).toEqual(ids);
    expect(await killed.records.getMany('contact', ids)).toEqual(await whole.records.getMany('contact', ids));
  }, 120_000);

  it('a dropped connection mid-sync is retried and loses nothing', async () => {
    const s = newStore();
    sb.faults.set([{ kind: 'drop', method: 'GET', path: '/crm/v3/objects/companies*', times: 1, probability: 1, latencyMs: 0, status: 503 }]);
    const result = await connector(s).syncStream('companies', { store: s, logger });
    const fired = sb.faults.list()[0]?.fired;
    sb.faults.clear();
    expect(fired).toBe(1);
    expect(result).toMatchObject({ complete: true, calls: Math.ceil(live('companies').length / 100) + 1 });
    expect(await s.records.count('account')).toBe(live('companies').length);
  }, 60_000);

  it('more than 10,000 changes in one window are all read (keyset paging never reaches the search cap)', async () => {
    const contacts = findObjectType('contacts')!;
    const company = live('companies')[0]!;
    const before = await store.records.count('contact');
    for (let i = 0; i < 10_500; i++) {
      sb.hubspot.portal.createRecord(contacts, { firstname: `Bulk${i}`, lastname: 'Load', email: `bulk${i}@example.com`, associatedcompanyid: company.id });
    }
    await pastDateResolution();
    sb.hubspot.stats.reset();
    const result = await hs.syncStream('contacts', { store, logger });
    expect(result).toMatchObject({ complete: true, quarantined: 0 });
    expect(await store.records.count('contact')).toBe(before + 10_500);
    expect(await store.records.count('contact')).toBe(live('contacts').length);
    const searches = routeCalls()['POST /crm/v3/objects/contacts/search'] ?? 0;
    expect(searches).toBe(Math.ceil(10_500 / 200));
    expect(sb.stats.snapshot().errors).toBe(0);
  }, 120_000);

  it('provision is idempotent; write-back of 1,000 companies takes 10 calls; readFields reads them back', async () => {
    const first = await hs.provision({ dryRun: false });
    expect(first.created).toHaveLength(8);
    const again = await hs.provision({ dryRun: false });
    expect(again).toMatchObject({ created: [], manual: [] });
    expect(again.existing).toHaveLength(8);

    const companies = findObjectType('companies')!;
    const missing = 1_000 - live('companies').length;
    for (let i = 0; i < missing; i++) sb.hubspot.portal.createRecord(companies, { name: `Extra ${i}` });
    const all = live('companies').map((c) => c.id);
    expect(all).toHaveLength(1_000);
    sb.hubspot.stats.reset();
    const results = await hs.writeFields(all.map((id, i) => ({ externalId: id, fields: { churnRiskScore: i % 100, churnRiskBand: i % 3 === 0 ? 'red' : 'green', lastScoredAt: '2026-11-28T07:00:00.000Z' } })));
    expect(results.filter((r) => r.ok)).toHaveLength(1_000);
    expect(routeCalls()).toEqual({ 'POST /crm/v3/objects/companies/batch/update': 10 });
    const back = await hs.readFields(all.slice(0, 3));
    expect(back.get(all[1]!)).toMatchObject({ churnRiskScore: 1, churnRiskBand: 'green', lastScoredAt: '2026-11-28T07:00:00.000Z' });
  }, 60_000);

  it('an incremental right after a write-back reads the echo once, and the next one reads nothing more', async () => {
    await pastDateResolution();
    sb.hubspot.stats.reset();
    const echo = await hs.syncStream('companies', { store, logger });
    expect(echo).toMatchObject({ complete: true, read: live('companies').length, calls: Math.ceil(live('companies').length / 200) + archivedPages('companies') });
    sb.hubspot.stats.reset();
    const next = await hs.syncStream('companies', { store, logger });
    expect(next).toMatchObject({ complete: true, read: 0, calls: 1 + archivedPages('companies') });
    expect(routeCalls()).toEqual({ 'POST /crm/v3/objects/companies/search': 1, 'GET /crm/v3/objects/companies': archivedPages('companies') });
  }, 60_000);

  it('tasks: the same batch sent twice creates each task once, associated with its company', async () => {
    const [a, b] = live('companies');
    const tasks = [
      { dedupeKey: `risk-red:${a!.id}:2026-11-28`, accountExternalId: a!.id, ownerExternalId: null, subject: 'Call them: risk rose to red', body: 'No activity for 63 days', dueDate: '2026-12-01', priority: 'high' as const },
      { dedupeKey: `risk-red:${b!.id}:2026-11-28`, accountExternalId: b!.id, ownerExternalId: null, subject: 'Call them: risk rose to red', body: '2 urgent tickets open', dueDate: '2026-12-01', priority: 'normal' as const },
    ];
    const before = live('tasks').length;
    sb.hubspot.stats.reset();
    const first = await hs.createTasks(tasks);
    expect(first.map((r) => [r.ok, r.existed ?? false])).toEqual([[true, false], [true, false]]);
    // a first attempt: the companies' owners (the tasks name none) and one batch create, no search
    expect(routeCalls()).toEqual({ 'POST /crm/v3/objects/companies/batch/read': 1, 'POST /crm/v3/objects/tasks/batch/create': 1 });
    sb.hubspot.stats.reset();
    const second = await hs.createTasks(tasks);
    expect(second.map((r) => [r.ok, r.existed, r.taskId])).toEqual(first.map((r) => [true, true, r.taskId]));
    // sent again (a retried job): every key's create is on record, nothing to ask HubSpot
    expect(routeCalls()).toEqual({});
    expect(live('tasks').length).toBe(before + 2);
    expect(sb.hubspot.portal.associations.targets('tasks', first[0]!.taskId!, 'companies')).toEqual([a!.id]);
  }, 60_000);
});
