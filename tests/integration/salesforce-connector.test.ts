/**
 * The Salesforce connector end to end against the sandbox (real HTTP, jsforce unmodified) and a
 * real Redis: initial sync through REST and through multi-page Bulk 2.0, incremental updates and
 * deletions, a sync killed mid-stream, write-back in collection calls, token expiry mid-sync, and
 * tasks that are not duplicated.
 */
import { randomUUID } from 'node:crypto';
import { Connection } from 'jsforce';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnvSchema } from '../../src/config/env.js';
import { ConfigSchema } from '../../src/config/schema.js';
import { signChangeNotice, verifyChangeNotice } from '../../src/connectors/salesforce/changeNotices.js';
import { SalesforceConnector } from '../../src/connectors/salesforce/connector.js';
import { taskType } from '../../src/connectors/salesforce/streams/activities.js';
import type { RecordKind } from '../../src/domain/model.js';
import { parseFaultSpec } from '../../src/sandbox/common/faults.js';
import { startSalesforceSandbox, type RunningSalesforceSandbox } from '../../src/sandbox/salesforce/server.js';
import { generateSeedOrg } from '../../src/sandbox/seed/generate.js';
import { Store } from '../../src/store/index.js';
import { closeStoresAndSandboxes } from '../helpers/redis.js';

const logger = pino({ level: 'silent' });
const recordKinds: [string, RecordKind, string][] = [
  ['owners', 'owner', 'User'],
  ['products', 'product', 'Product2'],
  ['accounts', 'account', 'Account'],
  ['contacts', 'contact', 'Contact'],
  ['deals', 'deal', 'Opportunity'],
  ['lineItems', 'lineItem', 'OpportunityLineItem'],
  ['tickets', 'ticket', 'Case'],
  ['quotas', 'quota', 'ForecastingQuota'],
];

interface Setup {
  sandbox: RunningSalesforceSandbox;
  redis: Redis;
  stores: Store[];
}

function liveRows(sb: RunningSalesforceSandbox, type: string): Record<string, unknown>[] {
  return [...sb.org.store.table(type).values()].filter((r) => !r.IsDeleted) as Record<string, unknown>[];
}

function connectorFor(sb: RunningSalesforceSandbox, redis: Redis, options: { config?: Record<string, unknown>; env?: Record<string, string>; bulkPageSize?: number } = {}) {
  const prefix = `test-sfi-${randomUUID().slice(0, 8)}`;
  const vars: Record<string, string> = { SALESFORCE_INSTANCE_URL: sb.url, SALESFORCE_ACCESS_TOKEN: sb.token, ACCOUNTPULSE_PREFIX: prefix, ...options.env };
  for (const [k, v] of Object.entries(vars)) if (v === '') delete vars[k];
  const env = EnvSchema.parse(vars);
  // settle 0s: the sandbox's queries see a write at once (a real org gets the default 30s)
  const config = ConfigSchema.parse({ salesforce: { renewalDateField: 'Renewal_Date__c', usageField: 'Usage_Index__c' }, ...options.config, sync: { settle: '0s', ...(options.config?.sync as object | undefined) } });
  const store = new Store(redis, { prefix });
  const connector = new SalesforceConnector({ env, config, redis, logger, pollDelaysMs: [120, 100], ...(options.bulkPageSize ? { bulkPageSize: options.bulkPageSize } : {}) });
  return { connector, store };
}

/**
 * A pass reads up to the org's time, learned from Date headers (1 s resolution, and a second
 * more taken off): a write becomes readable once that clock has passed it.
 */
const pastDateResolution = () => new Promise((r) => setTimeout(r, 2_100));

async function syncAll(connector: SalesforceConnector, store: Store, extra: { signal?: AbortSignal; onPage?: () => void } = {}) {
  const results = [];
  for (const stream of connector.streams) results.push(await connector.syncStream(stream, { store, logger, runId: 'run', ...extra }));
  return results;
}

/** Every stored record and activity aggregate, to compare two stores. */
async function snapshot(store: Store): Promise<Record<string, Record<string, string>>> {
  const out: Record<string, Record<string, string>> = {};
  for (const kind of ['owner', 'product', 'account', 'contact', 'deal', 'dealHistory', 'lineItem', 'ticket', 'quota'] as RecordKind[]) {
    out[kind] = await store.redis.hgetall(store.keys.records(kind));
  }
  const accountIds = await store.records.allIds('account');
  const aggs = await store.activities.aggregates(accountIds);
  out.activities = Object.fromEntries([...aggs].map(([id, a]) => [id, JSON.stringify({ total: a.total, weeks: a.weeks, lastTouch: a.lastTouch })]));
  return out;
}

/** A completed task, a call, an email or a meeting: the store folds touches, not open to-dos. */
const isTouchRow = (row: Record<string, unknown>) => !String(row.Id).startsWith('00T') || taskType(row as { TaskSubtype: string | null; Type: string | null }) !== 'task' || row.IsClosed === true;

/** Tasks and events the store folds: touches with an account (directly or through their opportunity). */
function foldableActivities(sb: RunningSalesforceSandbox): number {
  const opps = new Map(liveRows(sb, 'Opportunity').map((o) => [o.Id as string, o.AccountId]));
  return [...liveRows(sb, 'Task'), ...liveRows(sb, 'Event')].filter(isTouchRow).filter((a) => {
    const what = a.WhatId as string | null;
    return !!a.AccountId || what?.startsWith('001') || (what?.startsWith('006') && !!opps.get(what));
  }).length;
}

async function totalFolded(store: Store): Promise<number> {
  const aggs = await store.activities.aggregates(await store.records.allIds('account'));
  return [...aggs.values()].reduce((n, a) => n + a.total, 0);
}

/** Wipes and closes the stores a describe block made, then its Redis connection and sandbox. */
async function closeSetup(s: Setup | undefined): Promise<void> {
  if (s) await closeStoresAndSandboxes(s.stores, s.redis, [s.sandbox]);
}

describe('Salesforce connector against the sandbox: small org through REST', () => {
  let s: Setup;
  beforeAll(async () => {
    const sandbox = await startSalesforceSandbox({ seed: generateSeedOrg({ seed: 11, accounts: 60, asOf: '2026-11-20' }) });
    s = { sandbox, redis: new Redis(process.env.REDIS_URL as string), stores: [] };
  });
  afterAll(async () => closeSetup(s));

  it('lands every record, in one REST call per object, then picks up updates and deletions', async () => {
    const { connector, store } = connectorFor(s.sandbox, s.redis);
    s.stores.push(store);
    const before = s.sandbox.stats.snapshot().calls.total;
    const results = await syncAll(connector, store);
    expect(results.every((r) => r.complete && r.quarantined === 0)).toBe(true);
    for (const [stream, kind, type] of recordKinds) {
      const expected = liveRows(s.sandbox, type).length;
      expect({ stream, stored: await store.records.count(kind) }).toEqual({ stream, stored: expected });
    }
    expect(results.find((r) => r.stream === 'dealHistory')?.read).toBe(liveRows(s.sandbox, 'OpportunityHistory').length);
    expect(await totalFolded(store)).toBe(foldableActivities(s.sandbox));
    // minimum: one query page per object (each under 2,000 rows), plus the run's one record-count call
    expect(s.sandbox.stats.snapshot().calls.total - before).toBe(connector.streams.length + 1);

    // Changes in the org: an account renamed, a contact and a task deleted, a new case.
    const conn = new Connection({ instanceUrl: s.sandbox.url, accessToken: s.sandbox.token, version: '62.0' });
    const account = liveRows(s.sandbox, 'Account')[0] as { Id: string };
    const contact = liveRows(s.sandbox, 'Contact')[0] as { Id: string };
    const task = liveRows(s.sandbox, 'Task').find((t) => t.AccountId && isTouchRow(t)) as { Id: string; AccountId: string };
    await conn.sobject('Account').update({ Id: account.Id, Name: 'Renamed Account Ltd' });
    await conn.sobject('Contact').destroy(contact.Id);
    await conn.sobject('Task').destroy(task.Id);
    const created = (await conn.sobject('Case').create({ Subject: 'Outage', AccountId: account.Id, Priority: 'Critical', Status: 'New' })) as { id: string };
    const foldedBefore = await totalFolded(store);
    await pastDateResolution();

    const callsBefore = s.sandbox.stats.snapshot().calls;
    const next = await syncAll(connector, store);
    // the minimum: one query per object, deleted rows in the same queryAll (User has no deletions)
    const calls = s.sandbox.stats.snapshot().calls;
    expect(calls.total - callsBefore.total).toBe(connector.streams.length);
    const routes = Object.fromEntries(Object.entries(calls.byRoute).map(([k, n]) => [k, n - (callsBefore.byRoute[k] ?? 0)]).filter(([, n]) => n !== 0));
    expect(routes).toEqual({ 'GET /services/data/vXX/queryAll': connector.streams.length - 1, 'GET /services/data/vXX/query': 1 });
    expect(await store.records.get('account', `salesforce:${account.Id}`)).toMatchObject({ name: 'Renamed Account Ltd' });
    expect(await store.records.get('contact', `salesforce:${contact.Id}`)).toBeUndefined();
    expect(await store.records.get('ticket', `salesforce:${created.id}`)).toMatchObject({ subject: 'Outage', priority: 'urgent', status: 'open', accountId: `salesforce:${account.Id}` });
    expect(await totalFolded(store)).toBe(foldedBefore - 1);
    expect(next.find((r) => r.stream === 'contacts')).toMatchObject({ deleted: 1, complete: true });
    expect(next.find((r) => r.stream === 'tasks')).toMatchObject({ deleted: 1, complete: true, accountIds: [`salesforce:${task.AccountId}`] });
    expect(next.find((r) => r.stream === 'accounts')?.accountIds).toContain(`salesforce:${account.Id}`);
    for (const [, kind, type] of recordKinds) expect(await store.records.count(kind)).toBe(liveRows(s.sandbox, type).length);

    // the pass after reads nothing again: the next one starts where this one ended
    await pastDateResolution();
    const again = await syncAll(connector, store);
    expect(again.reduce((n, r) => n + r.read + r.deleted, 0)).toBe(0);
    expect(again.reduce((n, r) => n + r.calls, 0)).toBe(connector.streams.length);
  });

  it('renews the session when it expires mid-sync (client credentials) and loses nothing', async () => {
    const { connector, store } = connectorFor(s.sandbox, s.redis, { env: { SALESFORCE_CLIENT_ID: 'ap-client', SALESFORCE_CLIENT_SECRET: 'ap-secret', SALESFORCE_ACCESS_TOKEN: '' } });
    s.stores.push(store);
    await connector.syncStream('owners', { store, logger });
    s.sandbox.faults.set(parseFaultSpec('expire@GET /services/data/*#times=1'));
    try {
      const r = await connector.syncStream('contacts', { store, logger });
      expect(r).toMatchObject({ complete: true, read: liveRows(s.sandbox, 'Contact').length });
      expect(s.sandbox.faults.list()[0]?.fired).toBe(1);
    } finally {
      s.sandbox.faults.clear();
    }
    expect(await store.records.count('contact')).toBe(liveRows(s.sandbox, 'Contact').length);
  });

  it('a signed change notice triggers a targeted re-read of just those records', async () => {
    const { connector, store } = connectorFor(s.sandbox, s.redis);
    s.stores.push(store);
    await connector.syncStream('deals', { store, logger });
    const conn = new Connection({ instanceUrl: s.sandbox.url, accessToken: s.sandbox.token, version: '62.0' });
    const [open] = liveRows(s.sandbox, 'Opportunity').filter((o) => !o.IsClosed) as { Id: string }[];
    await conn.sobject('Opportunity').update({ Id: open!.Id, StageName: 'Closed Won' });
    const body = JSON.stringify({ objectType: 'Opportunity', ids: [open!.Id] });
    const ts = Math.floor(Date.now() / 1000);
    const targets = verifyChangeNotice({ rawBody: body, headers: { 'x-accountpulse-timestamp': String(ts), 'x-accountpulse-signature': signChangeNotice('notice-secret', ts, body) }, secret: 'notice-secret' });
    expect(targets).toEqual([{ stream: 'deals', externalIds: [open!.Id] }]);
    const calls = s.sandbox.stats.snapshot().calls.total;
    const r = await connector.syncRecords('deals', targets[0]!.externalIds, { store, logger });
    expect(r).toMatchObject({ read: 1, changed: 1, complete: true });
    expect(s.sandbox.stats.snapshot().calls.total - calls).toBe(1);
    expect(await store.records.get('deal', `salesforce:${open!.Id}`)).toMatchObject({ status: 'won', stage: 'Closed Won', forecastCategory: 'closed' });
  });

  it('does not duplicate tasks when the same batch is sent twice', async () => {
    const { connector, store } = connectorFor(s.sandbox, s.redis);
    s.stores.push(store);
    const accounts = liveRows(s.sandbox, 'Account').slice(0, 3) as { Id: string; OwnerId: string }[];
    const tasks = accounts.map((a, i) => ({ dedupeKey: `churn-red:${a.Id}`, accountExternalId: a.Id, ownerExternalId: null, subject: `Churn risk red #${i}`, body: 'Risk 80: no activity for 60 days', dueDate: '2026-12-01', priority: 'high' as const }));
    const tasksBefore = liveRows(s.sandbox, 'Task').length;
    let calls = s.sandbox.stats.snapshot().calls.total;
    const first = await connector.createTasks(tasks);
    expect(first.map((r) => [r.ok, r.existed ?? false])).toEqual([[true, false], [true, false], [true, false]]);
    // a first attempt: the account owners (the tasks name none) and one collections create, no marker lookup
    expect(s.sandbox.stats.snapshot().calls.total - calls).toBe(2);
    calls = s.sandbox.stats.snapshot().calls.total;
    const second = await connector.createTasks(tasks);
    expect(second.map((r) => [r.ok, r.existed, r.taskId])).toEqual(first.map((r) => [true, true, r.taskId]));
    // sent again (a retried job): every key's create is on record, nothing to ask Salesforce
    expect(s.sandbox.stats.snapshot().calls.total - calls).toBe(0);
    expect(liveRows(s.sandbox, 'Task').length).toBe(tasksBefore + 3);
    const made = s.sandbox.org.store.get('Task', first[0]?.taskId as string) as Record<string, unknown>;
    expect(made).toMatchObject({ WhatId: accounts[0]?.Id, OwnerId: accounts[0]?.OwnerId, Priority: 'High', Status: 'Not Started' });
  });
});

describe('Salesforce connector against the sandbox: larger org through Bulk API 2.0', () => {
  let s: Setup;
  beforeAll(async () => {
    const sandbox = await startSalesforceSandbox({ seed: generateSeedOrg({ seed: 12, accounts: 200, asOf: '2026-11-20' }), bulkProcessingMs: 50 });
    s = { sandbox, redis: new Redis(process.env.REDIS_URL as string), stores: [] };
  });
  afterAll(async () => closeSetup(s));

  const bulk = { config: { sync: { bulkThreshold: 50 } }, bulkPageSize: 60 };

  it('lands every record through multi-page Bulk 2.0 results', async () => {
    const { connector, store } = connectorFor(s.sandbox, s.redis, bulk);
    s.stores.push(store);
    const before = s.sandbox.stats.snapshot().calls.byRoute;
    const results = await syncAll(connector, store);
    expect(results.every((r) => r.complete && r.quarantined === 0)).toBe(true);
    for (const [stream, kind, type] of recordKinds) {
      expect({ stream, stored: await store.records.count(kind) }).toEqual({ stream, stored: liveRows(s.sandbox, type).length });
    }
    expect(await totalFolded(store)).toBe(foldableActivities(s.sandbox));
    const after = s.sandbox.stats.snapshot().calls.byRoute;
    const pages = (after['GET /services/data/vXX/jobs/query/{id}/results'] ?? 0) - (before['GET /services/data/vXX/jobs/query/{id}/results'] ?? 0);
    const tasks = results.find((r) => r.stream === 'tasks');
    expect(tasks?.pages).toBe(Math.ceil(liveRows(s.sandbox, 'Task').length / 60));
    expect(pages).toBeGreaterThan(10);
  });

  it('a sync killed mid-stream and restarted ends with the same store as an uninterrupted one', async () => {
    const whole = connectorFor(s.sandbox, s.redis, bulk);
    s.stores.push(whole.store);
    await syncAll(whole.connector, whole.store);

    const killed = connectorFor(s.sandbox, s.redis, bulk);
    s.stores.push(killed.store);
    let stops = 0;
    for (const stream of killed.connector.streams) {
      // Kill each stream after its second page; the restart resumes from the checkpoint.
      for (;;) {
        const abort = new AbortController();
        let pages = 0;
        const r = await killed.connector.syncStream(stream, { store: killed.store, logger, signal: abort.signal, onPage: () => ++pages === 2 && abort.abort() });
        if (r.complete) break;
        expect(r.stoppedReason).toBe('aborted');
        stops += 1;
      }
    }
    expect(stops).toBeGreaterThan(5);
    expect(await snapshot(killed.store)).toEqual(await snapshot(whole.store));
  });
});

describe('Salesforce write-back against the sandbox', () => {
  let s: Setup;
  beforeAll(async () => {
    const sandbox = await startSalesforceSandbox({ seed: generateSeedOrg({ seed: 13, accounts: 2000, asOf: '2026-11-20' }) });
    s = { sandbox, redis: new Redis(process.env.REDIS_URL as string), stores: [] };
  }, 60_000);
  afterAll(async () => closeSetup(s));

  it('provisions the fields, writes 1,000 accounts in one composite call (5 collections) and reads them back in one', async () => {
    const { connector, store } = connectorFor(s.sandbox, s.redis);
    s.stores.push(store);
    const report = await connector.provision({ dryRun: false });
    expect(report.created).toHaveLength(7);
    expect((await connector.provision({ dryRun: true })).existing).toHaveLength(7);

    const ids = liveRows(s.sandbox, 'Account').slice(0, 1000).map((a) => a.Id as string);
    expect(ids).toHaveLength(1000);
    const before = s.sandbox.stats.snapshot().calls;
    const results = await connector.writeFields(ids.map((id, i) => ({ externalId: id, fields: { churnRiskScore: i % 100, churnRiskBand: i % 2 ? 'red' : 'green', lastScoredAt: '2026-11-28T06:00:00.000Z' } })));
    const after = s.sandbox.stats.snapshot().calls;
    expect(results.filter((r) => r.ok)).toHaveLength(1000);
    expect(after.total - before.total).toBe(1);
    expect((after.byRoute['POST /services/data/vXX/composite'] ?? 0) - (before.byRoute['POST /services/data/vXX/composite'] ?? 0)).toBe(1);
    expect(s.sandbox.org.store.get('Account', ids[7] as string)).toMatchObject({ AccountPulse_Churn_Risk_Score__c: 7, AccountPulse_Churn_Risk_Band__c: 'red' });

    const read = await connector.readFields(ids);
    expect(s.sandbox.stats.snapshot().calls.total - after.total).toBe(1);
    expect(read.size).toBe(1000);
    expect(read.get(ids[7] as string)).toMatchObject({ churnRiskScore: 7, churnRiskBand: 'red', lastScoredAt: '2026-11-28T06:00:00.000Z', churnRiskReasons: null });
  });

  it('writes above the bulk write threshold through one Bulk API 2.0 ingest job', async () => {
    const { connector, store } = connectorFor(s.sandbox, s.redis, { config: { sync: { bulkWriteThreshold: 100 } } });
    s.stores.push(store);
    await connector.provision({ dryRun: false });
    const ids = liveRows(s.sandbox, 'Account').slice(0, 300).map((a) => a.Id as string);
    // a value the bulk job must clear (#N/A in the CSV)
    const conn = new Connection({ instanceUrl: s.sandbox.url, accessToken: s.sandbox.token, version: '62.0' });
    await conn.sobject('Account').update({ Id: ids[3] as string, AccountPulse_Cross_Sell_Top__c: 'Analytics Pro' });
    const before = s.sandbox.stats.snapshot().calls;
    const results = await connector.writeFields(ids.map((id, i) => ({ externalId: id, fields: { churnRiskReasons: `no activity for ${i} days, "quoted", 2 lines\nsecond`, crossSellTop: null } })));
    const after = s.sandbox.stats.snapshot().calls;
    expect(results.filter((r) => r.ok)).toHaveLength(300);
    const delta = (route: string) => (after.byRoute[route] ?? 0) - (before.byRoute[route] ?? 0);
    expect([delta('POST /services/data/vXX/jobs/ingest'), delta('PUT /services/data/vXX/jobs/ingest/{id}/batches'), delta('PATCH /services/data/vXX/jobs/ingest/{id}')]).toEqual([1, 1, 1]);
    expect(after.total - before.total).toBeLessThanOrEqual(8);
    const written = s.sandbox.org.store.get('Account', ids[3] as string) as Record<string, unknown>;
    expect(written.AccountPulse_Churn_Risk_Reasons__c).toBe('no activity for 3 days, "quoted", 2 lines\nsecond');
    expect(written.AccountPulse_Cross_Sell_Top__c ?? null).toBeNull();
  });

  it('reports per-record failures of a collection write (deleted account) and keeps the good ones', async () => {
    const { connector, store } = connectorFor(s.sandbox, s.redis);
    s.stores.push(store);
    await connector.provision({ dryRun: false });
    const [a, b] = liveRows(s.sandbox, 'Account').slice(0, 2).map((r) => r.Id as string) as [string, string];
    const conn = new Connection({ instanceUrl: s.sandbox.url, accessToken: s.sandbox.token, version: '62.0' });
    await conn.sobject('Account').destroy(b);
    const results = await connector.writeFields([
      { externalId: a, fields: { churnRiskScore: 42 } },
      { externalId: b, fields: { churnRiskScore: 43 } },
    ]);
    expect(results[0]).toEqual({ externalId: a, ok: true });
    expect(results[1]).toMatchObject({ externalId: b, ok: false, permanent: true });
    expect(results[1]?.error).toMatch(/^(ENTITY_IS_DELETED|INVALID_CROSS_REFERENCE_KEY|NOT_FOUND)/);
  });

  it('a composite write of 450 accounts (3 collections) reports the deleted one in the middle and lands the rest', async () => {
    const { connector, store } = connectorFor(s.sandbox, s.redis);
    s.stores.push(store);
    await connector.provision({ dryRun: false });
    const ids = liveRows(s.sandbox, 'Account').slice(0, 450).map((r) => r.Id as string);
    expect(ids).toHaveLength(450);
    const conn = new Connection({ instanceUrl: s.sandbox.url, accessToken: s.sandbox.token, version: '62.0' });
    await conn.sobject('Account').destroy(ids[300] as string);
    const before = s.sandbox.stats.snapshot().calls.total;
    const results = await connector.writeFields(ids.map((id, i) => ({ externalId: id, fields: { churnRiskScore: 50 + (i % 7) } })));
    expect(s.sandbox.stats.snapshot().calls.total - before).toBe(1);
    expect(results.map((r) => r.externalId)).toEqual(ids);
    expect(results.filter((r) => !r.ok).map((r) => ({ id: r.externalId, permanent: r.permanent }))).toEqual([{ id: ids[300], permanent: true }]);
    expect(s.sandbox.org.store.get('Account', ids[449] as string)).toMatchObject({ AccountPulse_Churn_Risk_Score__c: 50 + (449 % 7) });
    expect(s.sandbox.org.store.get('Account', ids[0] as string)).toMatchObject({ AccountPulse_Churn_Risk_Score__c: 50 });
  });
});

describe('Salesforce connector against the sandbox: JWT bearer and the daily allowance', () => {
  let s: Setup;
  let privateKey: string;
  beforeAll(async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    privateKey = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const sandbox = await startSalesforceSandbox({
      seed: generateSeedOrg({ seed: 14, accounts: 40, asOf: '2026-11-20' }),
      jwtPublicKey: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      dailyLimit: 10,
    });
    s = { sandbox, redis: new Redis(process.env.REDIS_URL as string), stores: [] };
  });
  afterAll(async () => closeSetup(s));

  it('logs in with a signed JWT and stops before the daily allowance falls under the reserve, then resumes', async () => {
    const username = liveRows(s.sandbox, 'User').find((u) => u.IsActive)?.Username as string;
    const { connector, store } = connectorFor(s.sandbox, s.redis, {
      env: { SALESFORCE_ACCESS_TOKEN: '', SALESFORCE_CLIENT_ID: 'consumer-key', SALESFORCE_USERNAME: username, SALESFORCE_PRIVATE_KEY: privateKey, SALESFORCE_LOGIN_URL: s.sandbox.url },
    });
    s.stores.push(store);
    const first = await syncAll(connector, store);
    const stopped = first.filter((r) => !r.complete);
    expect(stopped.length).toBeGreaterThan(0);
    expect(stopped.every((r) => r.stoppedReason === 'budget')).toBe(true);
    // ApiBudget admits a call while what is left is not under the reserve (2 of 10): the 9th
    // call leaves 1 and the run stops there; the org never had to answer 403.
    expect(s.sandbox.stats.snapshot().calls.total).toBe(9);
    expect(s.sandbox.stats.snapshot().errors).toBe(0);
    expect((await connector.budget()).reserveReached).toBe(true);

    // A new day: the org's allowance and our budget are reset; the same run resumes and completes.
    await fetch(`${s.sandbox.url}/__sandbox/reset`, { method: 'POST' });
    (s.sandbox.org as unknown as { dailyLimit: number }).dailyLimit = 100_000;
    await s.redis.del(store.keys.budget('salesforce', new URL(s.sandbox.url).host));
    const second = await syncAll(connector, store);
    expect(second.every((r) => r.complete)).toBe(true);
    for (const [stream, kind, type] of recordKinds) {
      expect({ stream, stored: await store.records.count(kind) }).toEqual({ stream, stored: liveRows(s.sandbox, type).length });
    }
  });
});
