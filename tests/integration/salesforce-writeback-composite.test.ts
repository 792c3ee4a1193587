/**
 * Salesforce write-back against the sandbox (real HTTP, jsforce unmodified, real Redis): field
 * updates and task creates share composite calls, ceil((account collections + task collections) / 5)
 * calls in all, a lone collection goes out directly, tasks are never created twice (a repeat, a
 * composite dropped in flight), and a refused task fails only itself.
 */
import { randomUUID } from 'node:crypto';
import { Connection } from 'jsforce';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnvSchema } from '../../src/config/env.js';
import { ConfigSchema } from '../../src/config/schema.js';
import { SalesforceConnector } from '../../src/connectors/salesforce/connector.js';
import { taskMarker } from '../../src/connectors/salesforce/tasks.js';
import type { FieldUpdate, TaskRequest } from '../../src/connectors/types.js';
import { startSalesforceSandbox, type RunningSalesforceSandbox } from '../../src/sandbox/salesforce/server.js';
import { generateSeedOrg } from '../../src/sandbox/seed/generate.js';
import { Store } from '../../src/store/index.js';
import { closeStoresAndSandboxes } from '../helpers/redis.js';

const logger = pino({ level: 'silent' });
const COMPOSITE = 'POST /services/data/vXX/composite';
const COLLECTION_CREATE = 'POST /services/data/vXX/composite/sobjects';
const COLLECTION_UPDATE = 'PATCH /services/data/vXX/composite/sobjects';
const QUERY = 'GET /services/data/vXX/query';

let sandbox: RunningSalesforceSandbox;
let redis: Redis;
const stores: Store[] = [];
let accounts: { Id: string; OwnerId: string }[];

beforeAll(async () => {
  sandbox = await startSalesforceSandbox({ seed: generateSeedOrg({ seed: 21, accounts: 2400, asOf: '2026-11-20' }) });
  redis = new Redis(process.env.REDIS_URL as string);
  accounts = [...sandbox.org.store.table('Account').values()].filter((r) => !r.IsDeleted) as unknown as { Id: string; OwnerId: string }[];
  expect(accounts.length).toBeGreaterThan(1150);
  await connectorFor().connector.provision({ dryRun: false });
}, 60_000);

afterAll(() => closeStoresAndSandboxes(stores, redis, [sandbox]));

function connectorFor(config: Record<string, unknown> = {}): { connector: SalesforceConnector; store: Store } {
  const prefix = `test-sfwb-${randomUUID().slice(0, 8)}`;
  const env = EnvSchema.parse({ SALESFORCE_INSTANCE_URL: sandbox.url, SALESFORCE_ACCESS_TOKEN: sandbox.token, ACCOUNTPULSE_PREFIX: prefix });
  const store = new Store(redis, { prefix });
  stores.push(store);
  const connector = new SalesforceConnector({ env, config: ConfigSchema.parse(config), redis, logger, pollDelaysMs: [50], retry: { baseMs: 1, maxMs: 2, sleep: async () => {} } });
  return { connector, store };
}

/** API calls by route during `run`, routes with no call left out. */
async function callsDuring<T>(run: () => Promise<T>): Promise<{ result: T; routes: Record<string, number> }> {
  const before = sandbox.stats.snapshot().calls.byRoute;
  const result = await run();
  const after = sandbox.stats.snapshot().calls.byRoute;
  const routes = Object.fromEntries(Object.entries(after).map(([k, n]) => [k, n - (before[k] ?? 0)]).filter(([, n]) => n !== 0));
  return { result, routes };
}

const updatesFor = (rows: readonly { Id: string }[], score: number): FieldUpdate[] => rows.map((a, i) => ({ externalId: a.Id, fields: { churnRiskScore: (score + i) % 100, churnRiskBand: i % 2 ? 'red' : 'amber' } }));

function tasksFor(rows: readonly { Id: string; OwnerId: string }[], run: string): TaskRequest[] {
  return rows.map((a, i) => ({ dedupeKey: `${run}:${a.Id}`, accountExternalId: a.Id, ownerExternalId: a.OwnerId, subject: `Churn risk red #${i}`, body: `Risk ${60 + (i % 40)}`, dueDate: '2026-12-01', priority: 'high' }));
}

/** Live tasks in the sandbox carrying each key's marker (one scan of the Task table). */
function tasksWithMarkers(keys: readonly string[]): Record<string, unknown>[][] {
  const byMarker = new Map<string, Record<string, unknown>[]>(keys.map((k) => [taskMarker(k), []]));
  for (const t of sandbox.org.store.table('Task').values()) {
    if (t.IsDeleted) continue;
    byMarker.get(String(t.Subject).slice(-17))?.push(t as Record<string, unknown>);
  }
  return keys.map((k) => byMarker.get(taskMarker(k)) ?? []);
}

const markerCounts = (tasks: readonly TaskRequest[]) => tasksWithMarkers(tasks.map((t) => t.dedupeKey)).map((found) => found.length);

function expectWritten(updates: readonly FieldUpdate[]): void {
  for (const u of updates) {
    expect(sandbox.org.store.get('Account', u.externalId)).toMatchObject({ AccountPulse_Churn_Risk_Score__c: u.fields.churnRiskScore, AccountPulse_Churn_Risk_Band__c: u.fields.churnRiskBand });
  }
}

describe('Salesforce write-back: fields and tasks share composite calls', () => {
  it('450 account updates + 30 tasks go out in one composite call, every field and task landing', async () => {
    const { connector } = connectorFor();
    const updates = updatesFor(accounts.slice(0, 450), 1);
    const tasks = tasksFor(accounts.slice(0, 30), 'r450');
    const { result, routes } = await callsDuring(() => connector.writeBack(updates, tasks));
    expect(routes).toEqual({ [COMPOSITE]: 1 });
    expect(result.fields.map((r) => [r.externalId, r.ok])).toEqual(updates.map((u) => [u.externalId, true]));
    expect(result.tasks.map((r) => [r.dedupeKey, r.ok, r.existed ?? false])).toEqual(tasks.map((t) => [t.dedupeKey, true, false]));
    expectWritten(updates);
    for (const [i, made] of tasksWithMarkers(tasks.map((t) => t.dedupeKey)).entries()) {
      expect(made).toHaveLength(1);
      expect(made[0]).toMatchObject({ Id: result.tasks[i]?.taskId, WhatId: tasks[i]?.accountExternalId, OwnerId: tasks[i]?.ownerExternalId, Priority: 'High', Status: 'Not Started' });
    }
  });

  it('1,100 updates + 250 tasks (6 + 2 collections) take ceil(8 / 5) = 2 composite calls', async () => {
    const { connector } = connectorFor();
    const updates = updatesFor(accounts.slice(0, 1100), 7);
    const tasks = tasksFor(accounts.slice(100, 350), 'r1100');
    const { result, routes } = await callsDuring(() => connector.writeBack(updates, tasks));
    expect(routes).toEqual({ [COMPOSITE]: 2 });
    expect(result.fields.filter((r) => r.ok)).toHaveLength(1100);
    expect(result.tasks.filter((r) => r.ok && !r.existed)).toHaveLength(250);
    expectWritten(updates);
    expect(markerCounts(tasks)).toEqual(tasks.map(() => 1));
  });

  it('1 update + 1 task take one composite call; 0 updates + 3 tasks one direct collections create', async () => {
    const { connector } = connectorFor();
    const one = await callsDuring(() => connector.writeBack(updatesFor(accounts.slice(500, 501), 3), tasksFor(accounts.slice(500, 501), 'r1')));
    expect(one.routes).toEqual({ [COMPOSITE]: 1 });
    expect(one.result.fields).toEqual([{ externalId: accounts[500]?.Id, ok: true }]);
    expect(one.result.tasks).toMatchObject([{ ok: true, taskId: expect.stringMatching(/^00T/) }]);

    const three = await callsDuring(() => connector.writeBack([], tasksFor(accounts.slice(501, 504), 'r3')));
    expect(three.routes).toEqual({ [COLLECTION_CREATE]: 1 });
    expect(three.result.fields).toEqual([]);
    expect(three.result.tasks.map((r) => r.ok)).toEqual([true, true, true]);

    const fieldsOnly = await callsDuring(() => connector.writeBack(updatesFor(accounts.slice(504, 510), 5), []));
    expect(fieldsOnly.routes).toEqual({ [COLLECTION_UPDATE]: 1 });
  });

  it('tasks sent again after success: no call, each answered as existing with its task id', async () => {
    const { connector } = connectorFor();
    const tasks = tasksFor(accounts.slice(600, 605), 'again');
    const first = await connector.writeBack(updatesFor(accounts.slice(600, 605), 9), tasks);
    const again = await callsDuring(() => connector.writeBack([], tasks));
    expect(again.routes).toEqual({});
    expect(again.result.tasks).toEqual(first.tasks.map((r) => ({ dedupeKey: r.dedupeKey, ok: true, taskId: r.taskId, existed: true })));
    expect(markerCounts(tasks)).toEqual([1, 1, 1, 1, 1]);
  });

  it('a composite dropped in flight: fields fail transient, tasks are looked up then created once', async () => {
    const { connector } = connectorFor();
    const updates = updatesFor(accounts.slice(700, 950), 11);
    const tasks = tasksFor(accounts.slice(700, 704), 'dropped');
    await fetch(`${sandbox.url}/__sandbox/faults`, { method: 'POST', body: JSON.stringify({ rules: [{ kind: 'drop', method: 'POST', path: '/services/data/*/composite', times: 1 }] }) });
    try {
      const { result, routes } = await callsDuring(() => connector.writeBack(updates, tasks));
      // the composite carried creates, so it was not re-sent; the retry asked which tasks exist first
      expect(routes).toEqual({ [COMPOSITE]: 1, [QUERY]: 1, [COLLECTION_CREATE]: 1 });
      expect(result.fields).toHaveLength(250);
      expect(result.fields.every((r) => !r.ok && r.permanent === false)).toBe(true);
      expect(result.tasks.map((r) => [r.ok, r.existed ?? false])).toEqual([[true, false], [true, false], [true, false], [true, false]]);
      expect(markerCounts(tasks)).toEqual([1, 1, 1, 1]);
    } finally {
      await fetch(`${sandbox.url}/__sandbox/faults`, { method: 'DELETE' });
    }
  });

  it('a task Salesforce refuses (deleted account) fails alone; the fields and other tasks in its composite land', async () => {
    const { connector } = connectorFor();
    const gone = accounts[800] as { Id: string; OwnerId: string };
    const conn = new Connection({ instanceUrl: sandbox.url, accessToken: sandbox.token, version: '62.0' });
    await conn.sobject('Account').destroy(gone.Id);
    const updates = updatesFor(accounts.slice(801, 1001), 13);
    const tasks = tasksFor([accounts[801], gone, accounts[802]] as { Id: string; OwnerId: string }[], 'refused');
    const { result, routes } = await callsDuring(() => connector.writeBack(updates, tasks));
    expect(routes).toEqual({ [COMPOSITE]: 1 });
    expect(result.fields.every((r) => r.ok)).toBe(true);
    expect(result.tasks.map((r) => r.ok)).toEqual([true, false, true]);
    expect(result.tasks[1]?.error).toMatch(/^(INVALID_CROSS_REFERENCE_KEY|ENTITY_IS_DELETED)/);
    expect(markerCounts(tasks)).toEqual([1, 0, 1]);
    // refused outright: nothing to look up next time, it is simply created again (and refused again)
    const again = await callsDuring(() => connector.writeBack([], tasks));
    expect(again.routes).toEqual({ [COLLECTION_CREATE]: 1 });
  });

  it('above the bulk write threshold the fields go through Bulk 2.0 and the task collections share one composite', async () => {
    const { connector } = connectorFor({ sync: { bulkWriteThreshold: 100 } });
    const updates = updatesFor(accounts.slice(0, 150), 17);
    const tasks = tasksFor(accounts.slice(900, 1150), 'bulk');
    const { result, routes } = await callsDuring(() => connector.writeBack(updates, tasks));
    expect(routes[COMPOSITE]).toBe(1);
    expect(routes['POST /services/data/vXX/jobs/ingest']).toBe(1);
    expect(routes[COLLECTION_CREATE]).toBeUndefined();
    expect(result.fields.filter((r) => r.ok)).toHaveLength(150);
    expect(result.tasks.filter((r) => r.ok)).toHaveLength(250);
    expectWritten(updates);
  });
});
