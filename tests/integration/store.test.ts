import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import type { Activity, Account, Deal } from '../../src/domain/model.js';
import type { ChurnRisk, Alert } from '../../src/domain/insights.js';
import { Store } from '../../src/store/index.js';
import { testStore } from '../helpers/redis.js';

let store: Store;
let redis: Redis;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ store, redis, cleanup } = await testStore({ competitors: ['Acme CRM', 'Globex'] }));
});
afterAll(async () => cleanup());

const account = (n: number, over: Partial<Account> = {}): Account => ({
  id: `hubspot:${n}`,
  source: 'hubspot',
  externalId: String(n),
  updatedAt: '2026-10-01T00:00:00.000Z',
  name: `Account ${n}`,
  domain: `a${n}.com`,
  industry: 'Software',
  employees: 10 * n,
  annualRevenue: null,
  ownerId: 'hubspot:o1',
  parentId: null,
  renewalDate: null,
  churned: null,
  createdAt: null,
  fields: { tier: 'gold' },
  ...over,
});

const deal = (n: number, over: Partial<Deal> = {}): Deal => ({
  id: `salesforce:006${n}`,
  source: 'salesforce',
  externalId: `006${n}`,
  updatedAt: '2026-10-01T00:00:00.000Z',
  name: `Deal ${n}`,
  accountId: 'salesforce:001A',
  ownerId: 'salesforce:005A',
  amount: 1000 * n,
  currency: 'USD',
  status: 'open',
  stage: 'Negotiation/Review',
  stageId: 'Negotiation/Review',
  pipeline: null,
  probability: 0.9,
  forecastCategory: 'commit',
  closeDate: '2026-12-15',
  type: 'new',
  createdAt: '2026-09-01T00:00:00.000Z',
  ...over,
});

const activity = (id: string, over: Partial<Activity> = {}): Activity => ({
  id,
  source: 'hubspot',
  externalId: id.split(':')[1] as string,
  updatedAt: '2026-10-01T00:00:00.000Z',
  type: 'call',
  accountId: 'hubspot:1',
  dealId: null,
  contactId: 'hubspot:c1',
  ownerId: 'hubspot:o1',
  occurredAt: '2026-09-30T10:00:00.000Z',
  direction: 'outbound',
  subject: 'Check-in',
  bodyExcerpt: null,
  completed: null,
  ...over,
});

describe('RecordStore', () => {
  it('writes records, reads them back exactly, and skips replays and stale versions', async () => {
    const first = await store.records.upsert('account', [account(1), account(2)]);
    expect(first.changed.map((a) => a.id)).toEqual(['hubspot:1', 'hubspot:2']);
    expect(first.previous).toEqual([undefined, undefined]);
    expect(await store.records.get('account', 'hubspot:1')).toEqual(account(1));

    const replay = await store.records.upsert('account', [account(1), account(2, { updatedAt: '2026-09-01T00:00:00.000Z', name: 'stale' })]);
    expect(replay).toEqual({ changed: [], previous: [], unchanged: 2 });
    expect((await store.records.get('account', 'hubspot:2'))?.name).toBe('Account 2');

    const newer = account(1, { updatedAt: '2026-10-02T00:00:00.000Z', name: 'Renamed' });
    const upd = await store.records.upsert('account', [newer]);
    expect(upd.changed).toEqual([newer]);
    expect(upd.previous).toEqual([account(1)]);
    expect(await store.records.count('account')).toBe(2);
  });

  it('keeps indexes right when a reference moves, and on delete', async () => {
    await store.records.upsert('deal', [deal(1), deal(2), deal(3, { accountId: 'salesforce:001B' })]);
    expect((await store.records.idsBy('deal', 'accountId', 'salesforce:001A')).sort()).toEqual(['salesforce:0061', 'salesforce:0062']);
    await store.records.upsert('deal', [deal(2, { accountId: 'salesforce:001B', updatedAt: '2026-10-05T00:00:00.000Z' })]);
    expect(await store.records.idsBy('deal', 'accountId', 'salesforce:001A')).toEqual(['salesforce:0061']);
    expect((await store.records.getBy('deal', 'accountId', 'salesforce:001B')).map((d) => d.id).sort()).toEqual(['salesforce:0062', 'salesforce:0063']);
    const del = await store.records.delete('deal', ['salesforce:0063', 'salesforce:missing']);
    expect(del.removed.map((d) => d.id)).toEqual(['salesforce:0063']);
    expect(await store.records.idsBy('deal', 'accountId', 'salesforce:001B')).toEqual(['salesforce:0062']);
    expect((await store.records.idsBy('deal', 'ownerId', 'salesforce:005A')).sort()).toEqual(['salesforce:0061', 'salesforce:0062']);
    const byAccount = await store.records.idsByMany('deal', 'accountId', ['salesforce:001A', 'salesforce:001B', 'nope']);
    expect(Object.fromEntries(byAccount)).toEqual({ 'salesforce:001A': ['salesforce:0061'], 'salesforce:001B': ['salesforce:0062'], nope: [] });
  });

  it('scans a kind in pages and lists every id', async () => {
    const many = Array.from({ length: 2500 }, (_, i) => deal(1000 + i, { accountId: null }));
    await store.records.upsert('deal', many);
    let seen = 0;
    for await (const page of store.records.scan('deal', 500)) seen += page.length;
    const total = await store.records.count('deal');
    expect(seen).toBe(total);
    expect((await store.records.allIds('deal')).length).toBe(total);
  });
});

describe('ActivityStore', () => {
  it('folds idempotently: a replay counts once, an edit moves its contribution', async () => {
    const a1 = activity('hubspot:a1', { bodyExcerpt: 'They are trialling Acme CRM' });
    const a2 = activity('hubspot:a2', { type: 'email', direction: 'inbound', occurredAt: '2026-10-07T09:00:00.000Z' });
    const r1 = await store.activities.fold([a1, a2, activity('hubspot:a3', { accountId: null })]);
    expect(r1).toEqual({ folded: 2, unchanged: 0, withoutAccount: 1, accountIds: ['hubspot:1'] });
    const r2 = await store.activities.fold([a1, a2]);
    expect(r2).toEqual({ folded: 0, unchanged: 2, withoutAccount: 0, accountIds: [] });

    let agg = (await store.activities.aggregates(['hubspot:1'])).get('hubspot:1');
    expect(agg?.total).toBe(2);
    expect(agg?.weeks).toEqual({ '2026-09-28': { 'call:outbound': 1 }, '2026-10-05': { 'email:inbound': 1 } });
    expect(agg?.competitorMentions).toEqual([{ competitor: 'Acme CRM', activityId: 'hubspot:a1', type: 'call', at: '2026-09-30T10:00:00.000Z' }]);
    expect(agg?.lastTouch.email?.id).toBe('hubspot:a2');

    // The call is edited: moved a week later and the competitor text removed.
    await store.activities.fold([{ ...a1, occurredAt: '2026-10-08T10:00:00.000Z', bodyExcerpt: 'renewal talk', updatedAt: '2026-10-09T00:00:00.000Z' }]);
    agg = (await store.activities.aggregates(['hubspot:1'])).get('hubspot:1');
    expect(agg?.total).toBe(2);
    expect(agg?.weeks).toEqual({ '2026-10-05': { 'email:inbound': 1, 'call:outbound': 1 } });
    expect(agg?.competitorMentions).toEqual([]);

    const removed = await store.activities.remove([{ id: 'hubspot:a2', accountId: 'hubspot:1' }, { id: 'hubspot:zz', accountId: 'hubspot:1' }]);
    expect(removed).toEqual({ removed: 1, accountIds: ['hubspot:1'] });
    agg = (await store.activities.aggregates(['hubspot:1'])).get('hubspot:1');
    expect(agg?.total).toBe(1);
    expect(agg?.lastTouch.email).toBeUndefined();
  });

  it('an open task is not a touch until completed; reopening it removes it again', async () => {
    const t = activity('hubspot:t1', { type: 'task', direction: null, accountId: 'hubspot:9', completed: false });
    expect((await store.activities.fold([t])).folded).toBe(0);
    expect((await store.activities.aggregates(['hubspot:9'])).get('hubspot:9')?.total).toBe(0);
    expect((await store.activities.fold([{ ...t, completed: true }])).folded).toBe(1);
    expect((await store.activities.aggregates(['hubspot:9'])).get('hubspot:9')?.lastTouch.task?.id).toBe('hubspot:t1');
    expect((await store.activities.fold([t])).folded).toBe(1);
    const agg = (await store.activities.aggregates(['hubspot:9'])).get('hubspot:9');
    expect(agg?.total).toBe(0);
    expect(agg?.lastTouch.task).toBeUndefined();
  });

  it('loses no fold when two processes fold into the same accounts at once', async () => {
    const other = new Store(redis.duplicate(), { prefix: store.keys.prefix });
    const calls = Array.from({ length: 300 }, (_, i) => activity(`hubspot:c${i}`, { accountId: `hubspot:x${i % 5}` }));
    const emails = Array.from({ length: 300 }, (_, i) => activity(`hubspot:e${i}`, { type: 'email', accountId: `hubspot:x${i % 5}` }));
    const pages = (list: Activity[]) => Array.from({ length: 10 }, (_, p) => list.slice(p * 30, p * 30 + 30));
    await Promise.all([
      (async () => {
        for (const page of pages(calls)) await store.activities.fold(page);
      })(),
      (async () => {
        for (const page of pages(emails)) await other.activities.fold(page);
      })(),
    ]);
    const aggs = await store.activities.aggregates(['hubspot:x0', 'hubspot:x1', 'hubspot:x2', 'hubspot:x3', 'hubspot:x4']);
    expect([...aggs.values()].map((a) => a.total)).toEqual([120, 120, 120, 120, 120]);
    await other.close();
    other.redis.disconnect();
  });
});

describe('checkpoints, quarantine, usage', () => {
  it('saves, reads and clears checkpoints per CRM and stream', async () => {
    await store.checkpoints.save('hubspot', 'companies', { phase: 'incremental', cursor: '2026-10-01T00:00:00Z', lastId: '77' });
    await store.checkpoints.save('hubspot', 'deals', { phase: 'initial', after: 'NTEz' });
    await store.checkpoints.save('salesforce', 'Account', { cursor: 'x' });
    expect(await store.checkpoints.get('hubspot', 'companies')).toEqual({ phase: 'incremental', cursor: '2026-10-01T00:00:00Z', lastId: '77' });
    await store.checkpoints.clear('hubspot');
    expect(await store.checkpoints.all()).toEqual({ 'salesforce:Account': { cursor: 'x' } });
  });

  it('keeps quarantined records with their reason and counts them per stream', async () => {
    await store.quarantine.add([
      { source: 'hubspot', stream: 'deals', externalId: '9', reason: 'amount: expected number, got "abc"', raw: { id: '9', properties: { amount: 'abc' } }, at: '2026-10-01T00:00:00.000Z' },
      { source: 'hubspot', stream: 'deals', externalId: '10', reason: 'closedate: invalid date', raw: { id: '10' }, at: '2026-10-01T00:00:01.000Z' },
    ]);
    const list = await store.quarantine.list();
    expect(list.map((q) => [q.externalId, q.reason])).toEqual([
      ['10', 'closedate: invalid date'],
      ['9', 'amount: expected number, got "abc"'],
    ]);
    expect(await store.quarantine.counts()).toEqual({ 'hubspot:deals': 2 });
  });

  it('stores usage metrics; re-ingesting the same day overwrites', async () => {
    await store.usage.put([
      { accountId: 'hubspot:1', metric: 'logins', date: '2026-10-01', value: 40, source: 'api' },
      { accountId: 'hubspot:1', metric: 'logins', date: '2026-10-02', value: 35, source: 'api' },
    ]);
    await store.usage.put([{ accountId: 'hubspot:1', metric: 'logins', date: '2026-10-02', value: 36, source: 'api' }]);
    const usage = await store.usage.forAccounts(['hubspot:1', 'hubspot:2']);
    expect(usage.get('hubspot:1')?.map((u) => u.value)).toEqual([40, 36]);
    expect(usage.get('hubspot:2')).toEqual([]);
  });
});

describe('insights, ledger, alerts, runs', () => {
  const risk = (score: number, at: string): ChurnRisk => ({
    accountId: 'hubspot:1', score, band: score >= 70 ? 'red' : score >= 40 ? 'amber' : 'green', previous: null, previousBand: null, trend: 'new',
    completeness: 1, model: 'rules', probability: null, drivers: [], scoredAt: at, configVersion: 'v1',
  });

  it('keeps the current churn risk and a newest-first history', async () => {
    await store.insights.putChurn([risk(30, '2026-10-01T00:00:00.000Z')]);
    await store.insights.putChurn([risk(75, '2026-10-08T00:00:00.000Z')]);
    expect((await store.insights.churn(['hubspot:1'])).get('hubspot:1')?.score).toBe(75);
    expect(await store.insights.churnHistory('hubspot:1')).toEqual([
      { at: '2026-10-08T00:00:00.000Z', score: 75, band: 'red' },
      { at: '2026-10-01T00:00:00.000Z', score: 30, band: 'green' },
    ]);
    const many = await store.insights.churnHistories(['hubspot:1', 'hubspot:none'], 1);
    expect(Object.fromEntries(many)).toEqual({ 'hubspot:1': [{ at: '2026-10-08T00:00:00.000Z', score: 75, band: 'red' }], 'hubspot:none': [] });
  });

  it('ledger: records writes, retries failures, dead-letters after maxAttempts, requeues', async () => {
    await store.ledger.recordWritten('hubspot', [{ externalId: '1', field: 'churnRiskScore', value: 75 }], 'run-1', '2026-10-08T00:00:00.000Z');
    const got = await store.ledger.get('hubspot', [{ externalId: '1', field: 'churnRiskScore' }, { externalId: '2', field: 'churnRiskScore' }]);
    expect(Object.fromEntries(got)).toEqual({ '1|churnRiskScore': { value: 75, writtenAt: '2026-10-08T00:00:00.000Z', runId: 'run-1' } });
    const fail = { externalId: '2', field: 'churnRiskBand', value: 'red', error: 'UNABLE_TO_LOCK_ROW' };
    expect(await store.ledger.recordFailed('hubspot', [fail], 'run-1', 't1', 3)).toEqual([]);
    expect(await store.ledger.recordFailed('hubspot', [fail], 'run-2', 't2', 3)).toEqual([]);
    expect((await store.ledger.failed('hubspot')).get('2|churnRiskBand')?.attempts).toBe(2);
    expect(await store.ledger.recordFailed('hubspot', [fail], 'run-3', 't3', 3)).toEqual(['2|churnRiskBand']);
    expect((await store.ledger.failed('hubspot')).size).toBe(0);
    expect((await store.ledger.deadLetters('hubspot')).get('2|churnRiskBand')).toEqual({ value: 'red', attempts: 3, lastError: 'UNABLE_TO_LOCK_ROW', lastAttemptAt: 't3', runId: 'run-3' });
    expect(await store.ledger.requeueDeadLetters('hubspot')).toBe(1);
    expect((await store.ledger.failed('hubspot')).get('2|churnRiskBand')?.attempts).toBe(0);
    await store.ledger.recordTasks('hubspot', [{ dedupeKey: 'risk-red|hubspot:1|2026-10-08', taskId: '555' }]);
    expect(Object.fromEntries(await store.ledger.taskIds('hubspot', ['risk-red|hubspot:1|2026-10-08', 'other']))).toEqual({ 'risk-red|hubspot:1|2026-10-08': '555' });
  });

  it('alerts: open ones are listed, resolved ones leave the open set', async () => {
    const alert: Alert = {
      key: 'churn_band_rose|account:hubspot:1|band:red', type: 'churn_band_rose', severity: 'critical', subject: { kind: 'account', id: 'hubspot:1', name: 'Account 1' },
      reason: 'band:red', state: 'open', title: 'Account 1 turned red', details: [], records: [], ownerId: null, teamId: null,
      openedAt: '2026-10-08T00:00:00.000Z', updatedAt: '2026-10-08T00:00:00.000Z', resolvedAt: null, version: 1,
    };
    await store.alerts.put([alert]);
    expect((await store.alerts.open()).map((a) => a.key)).toEqual([alert.key]);
    await store.alerts.put([{ ...alert, state: 'resolved', resolvedAt: '2026-10-09T00:00:00.000Z', updatedAt: '2026-10-09T00:00:00.000Z', version: 2 }]);
    expect(await store.alerts.open()).toEqual([]);
    expect((await store.alerts.all())[0]?.state).toBe('resolved');
  });

  it('runs: start, count, add events, finish, list newest first', async () => {
    const r1 = await store.runs.start('sync', 'hubspot:companies', null, new Date('2026-10-08T00:00:00Z'));
    const r2 = await store.runs.start('sync', 'salesforce:Account', null, new Date('2026-10-08T00:05:00Z'));
    await store.runs.count(r1.id, { read: 100, changed: 7 });
    await store.runs.count(r1.id, { read: 50 });
    await store.runs.add(r1.id, [{ at: 't', type: 'skipped', message: 'stale version', records: ['hubspot:1'] }]);
    await store.runs.finish(r1.id, 'succeeded', null, new Date('2026-10-08T00:01:00Z'));
    const got = await store.runs.get(r1.id);
    expect(got).toMatchObject({ status: 'succeeded', counts: { read: 150, changed: 7 }, finishedAt: '2026-10-08T00:01:00.000Z' });
    expect(await store.runs.events(r1.id)).toEqual([{ at: 't', type: 'skipped', message: 'stale version', records: ['hubspot:1'] }]);
    expect((await store.runs.list()).map((r) => r.id)).toEqual([r2.id, r1.id]);
  });
});
