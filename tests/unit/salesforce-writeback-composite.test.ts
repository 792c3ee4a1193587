/**
 * Salesforce write-back against nock fixtures shaped like real composite answers (crm-apis.md
 * 3.4/3.5): how field updates and task creates are packed into composite calls, which calls the
 * client may re-send, a composite lost in flight after Salesforce created a task, a task
 * collection refused as a whole, and the daily limit stopping the rest.
 */
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { taskMarker } from '../../src/connectors/salesforce/tasks.js';
import type { FieldUpdate, TaskRequest } from '../../src/connectors/types.js';
import { PendingTasks } from '../../src/store/pendingTasks.js';
import { API, INSTANCE, limitHeaders, makeHarness, queryPage, type Harness } from '../fixtures/salesforce/helpers.js';

type Sub = { method: string; url: string; referenceId: string; body: { allOrNone: boolean; records: Record<string, unknown>[] } };
type CompositeBody = { allOrNone: boolean; compositeRequest: Sub[] };

const accountId = (prefix: string, i: number) => `001RO00000${prefix}${String(i).padStart(4, '0')}YAB`;
const updates = (n: number): FieldUpdate[] => Array.from({ length: n }, (_, i) => ({ externalId: accountId('A', i), fields: { churnRiskScore: i % 100 } }));
const tasks = (n: number): TaskRequest[] =>
  Array.from({ length: n }, (_, i) => ({ dedupeKey: `churn:${i}`, accountExternalId: accountId('B', i), ownerExternalId: '005RO000001AbCdYAK', subject: `Call #${i}`, body: 'Risk 80', dueDate: '2026-12-01', priority: 'high' as const }));

/** A composite answer saving every record: accounts keep their id, tasks get 00T ids. */
function allSaved(body: CompositeBody) {
  return {
    compositeResponse: body.compositeRequest.map((sub) => ({
      body: sub.body.records.map((r) => ({ id: sub.method === 'POST' ? `00T${String(r.WhatId).slice(3)}` : r.Id, success: true, errors: [] })),
      httpHeaders: {},
      httpStatusCode: 200,
      referenceId: sub.referenceId,
    })),
  };
}

const shape = (body: CompositeBody | undefined) => body?.compositeRequest.map((s) => [s.method, s.url, s.referenceId, s.body.records.length]);
const COLLECTIONS = `${API}/composite/sobjects`;

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect((host) => host.startsWith('127.0.0.1') || host.startsWith('localhost'));
});
afterAll(() => nock.enableNetConnect());

let h: Harness;
afterEach(async () => {
  nock.cleanAll();
  await h?.close();
});

describe('Salesforce write-back in shared composite calls', () => {
  it('packs 1,100 updates + 250 tasks as 5 collections, then 1 + 2; re-sends only the call without creates', async () => {
    h = makeHarness();
    const bodies: CompositeBody[] = [];
    const api = nock(INSTANCE)
      .post(`${API}/composite`)
      .reply(503, [{ errorCode: 'SERVER_UNAVAILABLE', message: 'Server temporarily unavailable' }], limitHeaders())
      .post(`${API}/composite`)
      .times(2)
      .reply(200, (_uri, body) => {
        bodies.push(body as CompositeBody);
        return allSaved(body as CompositeBody);
      }, limitHeaders());
    const result = await h.connector.writeBack(updates(1100), tasks(250));
    expect(api.isDone()).toBe(true);
    // the first call carried updates only (idempotent): re-sent after the 503
    expect(h.connector.calls).toBe(3);
    expect(shape(bodies[0])).toEqual([0, 1, 2, 3, 4].map((k) => ['PATCH', COLLECTIONS, `accounts${k}`, 200]));
    expect(shape(bodies[1])).toEqual([
      ['PATCH', COLLECTIONS, 'accounts5', 100],
      ['POST', COLLECTIONS, 'tasks6', 200],
      ['POST', COLLECTIONS, 'tasks7', 50],
    ]);
    expect(bodies[1]?.allOrNone).toBe(false);
    expect(bodies[1]?.compositeRequest[1]?.body.records[0]).toMatchObject({ attributes: { type: 'Task' }, WhatId: accountId('B', 0), Subject: `Call #0 ${taskMarker('churn:0')}`, OwnerId: '005RO000001AbCdYAK' });
    expect(result.fields.map((r) => r.ok)).toEqual(Array(1100).fill(true));
    expect(result.fields[1099]).toEqual({ externalId: accountId('A', 1099), ok: true });
    expect(result.tasks[249]).toEqual({ dedupeKey: 'churn:249', ok: true, taskId: `00T${accountId('B', 249).slice(3)}` });
    const outcomes = await new PendingTasks(h.redis, h.store.keys, 'salesforce').outcomes(['churn:0', 'churn:249']);
    expect([...outcomes.values()]).toEqual([
      { state: 'created', taskId: `00T${accountId('B', 0).slice(3)}` },
      { state: 'created', taskId: `00T${accountId('B', 249).slice(3)}` },
    ]);
  });

  it('a composite with creates lost in flight is not re-sent: fields fail transient, a task Salesforce did create is found, the other created once', async () => {
    h = makeHarness();
    const [k0, k1] = tasks(2) as [TaskRequest, TaskRequest];
    let created: Record<string, unknown>[] = [];
    const api = nock(INSTANCE)
      .post(`${API}/composite`, (b: CompositeBody) => shape(b)?.map((s) => s[0]).join() === 'PATCH,POST')
      .reply(500, [{ errorCode: 'UNKNOWN_EXCEPTION', message: 'An unexpected error occurred.' }], limitHeaders())
      .get(`${API}/query`)
      .query((qs) => String(qs.q).includes(`FROM Task WHERE WhatId IN ('${k0.accountExternalId}','${k1.accountExternalId}')`))
      .reply(200, queryPage('Task', [{ Id: '00TRO00000T0001YAB', Subject: `Call #0 ${taskMarker(k0.dedupeKey)}` }]), limitHeaders())
      .post(`${API}/composite/sobjects`, (b) => {
        created = b.records;
        return true;
      })
      .reply(200, [{ id: '00TRO00000T0002YAB', success: true, errors: [] }], limitHeaders());
    const result = await h.connector.writeBack(updates(2), [k0, k1]);
    expect(api.isDone()).toBe(true);
    expect(h.connector.calls).toBe(3);
    expect(created.map((r) => r.WhatId)).toEqual([k1.accountExternalId]);
    expect(result.fields.map((r) => [r.externalId, r.ok, r.permanent])).toEqual([
      [accountId('A', 0), false, false],
      [accountId('A', 1), false, false],
    ]);
    expect(result.fields[0]?.error).toMatch(/500 UNKNOWN_EXCEPTION/);
    expect(result.tasks).toEqual([
      { dedupeKey: k0.dedupeKey, ok: true, taskId: '00TRO00000T0001YAB', existed: true },
      { dedupeKey: k1.dedupeKey, ok: true, taskId: '00TRO00000T0002YAB' },
    ]);
  });

  it('a task collection refused as a whole fails only its tasks (cleared: created next run without a lookup)', async () => {
    h = makeHarness();
    nock(INSTANCE)
      .post(`${API}/composite`)
      .reply(200, (_uri, body) => {
        const [fields, taskSub] = (body as CompositeBody).compositeRequest as [Sub, Sub];
        return {
          compositeResponse: [
            { body: fields.body.records.map((r) => ({ id: r.Id, success: true, errors: [] })), httpHeaders: {}, httpStatusCode: 200, referenceId: fields.referenceId },
            { body: [{ errorCode: 'INVALID_FIELD', message: "No such column 'Priority' on sobject of type Task" }], httpHeaders: {}, httpStatusCode: 400, referenceId: taskSub.referenceId },
          ],
        };
      }, limitHeaders());
    const result = await h.connector.writeBack(updates(3), tasks(2));
    expect(result.fields).toEqual([0, 1, 2].map((i) => ({ externalId: accountId('A', i), ok: true })));
    expect(result.tasks.map((r) => [r.dedupeKey, r.ok])).toEqual([['churn:0', false], ['churn:1', false]]);
    expect(result.tasks[0]?.error).toMatch(/^INVALID_FIELD: No such column 'Priority' on sobject of type Task/);
    expect((await new PendingTasks(h.redis, h.store.keys, 'salesforce').outcomes(['churn:0', 'churn:1'])).size).toBe(0);
  });

  it('a failed owner look-up fails only the tasks: the field updates still go out, nothing is marked sent', async () => {
    h = makeHarness();
    const ownerless: TaskRequest = { ...(tasks(1)[0] as TaskRequest), ownerExternalId: null };
    const api = nock(INSTANCE)
      .get(`${API}/query`)
      .query((qs) => String(qs.q).startsWith('SELECT Id, OwnerId FROM Account'))
      .reply(400, [{ errorCode: 'INVALID_FIELD', message: "No such column 'OwnerId' on entity 'Account'" }], limitHeaders())
      .patch(`${API}/composite/sobjects`)
      .reply(200, (_uri, body) => (body as { records: { Id: string }[] }).records.map((r) => ({ id: r.Id, success: true, errors: [] })), limitHeaders());
    const result = await h.connector.writeBack(updates(2), [ownerless]);
    expect(api.isDone()).toBe(true);
    expect(h.connector.calls).toBe(2);
    expect(result.fields).toEqual([0, 1].map((i) => ({ externalId: accountId('A', i), ok: true })));
    expect(result.tasks).toMatchObject([{ dedupeKey: 'churn:0', ok: false, error: expect.stringMatching(/^task look-up before create failed: .*OwnerId/) }]);
    expect((await new PendingTasks(h.redis, h.store.keys, 'salesforce').outcomes(['churn:0'])).size).toBe(0);
  });

  it('the daily limit stops the rest: nothing more is sent, every record fails for a later run, the tasks are cleared', async () => {
    h = makeHarness();
    const api = nock(INSTANCE)
      .post(`${API}/composite`)
      .reply(403, [{ errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'TotalRequests Limit exceeded.' }], limitHeaders(100000));
    const result = await h.connector.writeBack(updates(1200), tasks(1));
    expect(api.isDone()).toBe(true);
    expect(h.connector.calls).toBe(1);
    expect(result.fields).toHaveLength(1200);
    expect(result.fields.every((r) => !r.ok && r.permanent === false && /TotalRequests Limit exceeded/.test(r.error ?? ''))).toBe(true);
    expect(result.tasks).toMatchObject([{ dedupeKey: 'churn:0', ok: false, error: expect.stringMatching(/(TotalRequests Limit exceeded|allowance)/) }]);
    expect((await new PendingTasks(h.redis, h.store.keys, 'salesforce').outcomes(['churn:0'])).size).toBe(0);
  });
});
