/**
 * REST or Bulk 2.0 from the org's record counts (`GET /limits/recordCount`): one call per initial
 * or full run, cached for the run; the first-page probe when the org has no such resource
 * (404 / NOT_FOUND), when an object is missing from the answer, or when the count lags.
 */
import nock from 'nock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { API, INSTANCE, limitHeaders, makeHarness, queryPage, type Harness } from '../fixtures/salesforce/helpers.js';

const COUNTED = 'User,Account,Contact,Opportunity,OpportunityHistory,OpportunityLineItem,Task,Event,Case';
const CONTACT_HEADER = 'Id,SystemModstamp,CreatedDate,Name,FirstName,LastName,AccountId,Email,Title\n';
const CONTACT_CSV = `${CONTACT_HEADER}003RO00000C0001YAB,2026-11-01T00:00:00.000Z,,Ann Lee,Ann,Lee,,,\n003RO00000C0002YAB,2026-11-02T00:00:00.000Z,,Bo Chen,Bo,Chen,,,\n003RO00000C0003YAB,2026-11-03T00:00:00.000Z,,Cy Diaz,Cy,Diaz,,,\n`;

/** Our clock; answers without a Date header leave the org's time unknown: a pass ends at NOW - 1 s - 30 s (settle). */
const NOW = Date.parse('2026-11-28T07:00:00.000Z');

beforeAll(() => nock.disableNetConnect());
afterAll(() => nock.enableNetConnect());

let h: Harness;
beforeEach(() => {
  h = makeHarness({ config: { sync: { bulkThreshold: 2 } }, connector: { bulkPageSize: 10, now: () => NOW } });
});
afterEach(async () => {
  nock.cleanAll();
  await h.close();
});

/** A Bulk 2.0 contact job that completes at the first poll and has one results page. */
function contactBulkJob(scope: nock.Scope, jobId: string): nock.Scope {
  return scope
    .post(`${API}/jobs/query`, (body) => body.operation === 'query' && /^SELECT .* FROM Contact$/.test(body.query))
    .reply(200, { id: jobId, state: 'UploadComplete' }, limitHeaders())
    .get(`${API}/jobs/query/${jobId}`)
    .reply(200, { id: jobId, state: 'JobComplete' }, limitHeaders())
    .get(`${API}/jobs/query/${jobId}/results`)
    .query({ maxRecords: '10' })
    .reply(200, CONTACT_CSV, { 'Content-Type': 'text/csv', 'Sforce-Locator': 'null', 'Sforce-NumberOfRecords': '3' });
}

const run = (stream: string, extra: { runId?: string; full?: boolean } = {}) => h.connector.syncStream(stream, { store: h.store, logger: h.logger, ...extra });

describe('Salesforce record counts choose REST or Bulk 2.0', () => {
  it('asks once per run for every Bulk-capable object and starts a large one as a Bulk job, no REST page', async () => {
    const api = contactBulkJob(
      nock(INSTANCE)
        .get(`${API}/limits/recordCount`)
        .query({ sObjects: COUNTED })
        .once()
        .reply(200, { sObjects: [{ count: 3, name: 'Contact' }, { count: 1, name: 'Account' }] }, limitHeaders()),
      '750RO000000J101YAB',
    )
      .get(`${API}/query`)
      .query((qs) => /FROM Account ORDER BY SystemModstamp, Id$/.test(String(qs.q)))
      .reply(200, queryPage('Account', [], { totalSize: 0 }), limitHeaders());

    const contacts = await run('contacts', { runId: 'run-1' });
    const accounts = await run('accounts', { runId: 'run-1' });

    expect(api.isDone()).toBe(true);
    expect(contacts).toMatchObject({ pages: 1, read: 3, changed: 3, complete: true, calls: 4 });
    expect(accounts).toMatchObject({ pages: 1, read: 0, complete: true, calls: 1 });
    expect(h.connector.calls).toBe(5);
    expect((await h.store.records.allIds('contact')).sort()).toEqual(['salesforce:003RO00000C0001YAB', 'salesforce:003RO00000C0002YAB', 'salesforce:003RO00000C0003YAB']);
    expect(await h.store.checkpoints.get('salesforce', 'contacts')).toMatchObject({ cursor: '2026-11-28T06:59:29.000Z', active: null });
  });

  it('a new run asks again', async () => {
    const api = nock(INSTANCE)
      .get(`${API}/limits/recordCount`)
      .query({ sObjects: COUNTED })
      .twice()
      .reply(200, { sObjects: [{ count: 0, name: 'Account' }] }, limitHeaders())
      .get(`${API}/query`)
      .query(true)
      .reply(200, queryPage('Account', [], { totalSize: 0 }), limitHeaders())
      // a full re-read of a stream read before: queryAll, deleted rows in the same result
      .get(`${API}/queryAll`)
      .query((qs) => /, IsDeleted FROM Account ORDER BY SystemModstamp, Id$/.test(String(qs.q)))
      .reply(200, queryPage('Account', [], { totalSize: 0 }), limitHeaders());
    expect(await run('accounts', { runId: 'run-1', full: true })).toMatchObject({ complete: true, calls: 2 });
    expect(await run('accounts', { runId: 'run-2', full: true })).toMatchObject({ complete: true, calls: 2 });
    expect(api.isDone()).toBe(true);
  });

  it('falls back to the first-page probe when the org answers 404 NOT_FOUND, and does not ask again in the run', async () => {
    const api = contactBulkJob(
      nock(INSTANCE)
        .get(`${API}/limits/recordCount`)
        .query(true)
        .once()
        .reply(404, [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }], limitHeaders())
        .get(`${API}/query`)
        .query((qs) => /FROM Contact ORDER BY SystemModstamp, Id$/.test(String(qs.q)))
        .reply(200, queryPage('Contact', [], { totalSize: 3 }), limitHeaders()),
      '750RO000000J102YAB',
    )
      .get(`${API}/query`)
      .query((qs) => /FROM Account ORDER BY SystemModstamp, Id$/.test(String(qs.q)))
      .reply(200, queryPage('Account', [], { totalSize: 0 }), limitHeaders());

    const contacts = await run('contacts', { runId: 'run-1' });
    const accounts = await run('accounts', { runId: 'run-1' });

    expect(api.isDone()).toBe(true);
    // record counts (404) + probe page + create + poll + results page
    expect(contacts).toMatchObject({ read: 3, changed: 3, complete: true, calls: 5 });
    expect(accounts).toMatchObject({ complete: true, calls: 1 });
  });

  it('still switches to Bulk when a lagging count says small but the first page says large', async () => {
    const api = contactBulkJob(
      nock(INSTANCE)
        .get(`${API}/limits/recordCount`)
        .query(true)
        .reply(200, { sObjects: [{ count: 1, name: 'Contact' }] }, limitHeaders())
        .get(`${API}/query`)
        .query((qs) => /FROM Contact ORDER BY SystemModstamp, Id$/.test(String(qs.q)))
        .reply(200, queryPage('Contact', [], { totalSize: 3 }), limitHeaders()),
      '750RO000000J103YAB',
    );
    expect(await run('contacts', { runId: 'run-1' })).toMatchObject({ read: 3, complete: true, calls: 5 });
    expect(api.isDone()).toBe(true);
  });

  it('probes with the first page when the object is missing from the answer', async () => {
    const api = nock(INSTANCE)
      .get(`${API}/limits/recordCount`)
      .query(true)
      .reply(200, { sObjects: [{ count: 5, name: 'Account' }] }, limitHeaders())
      .get(`${API}/query`)
      .query((qs) => /FROM Contact ORDER BY SystemModstamp, Id$/.test(String(qs.q)))
      .reply(200, queryPage('Contact', [{ Id: '003RO00000C0001YAB', SystemModstamp: '2026-11-01T00:00:00.000+0000', CreatedDate: null, Name: 'Ann Lee', FirstName: 'Ann', LastName: 'Lee', AccountId: null, Email: null, Title: null }]), limitHeaders());
    expect(await run('contacts', { runId: 'run-1' })).toMatchObject({ read: 1, changed: 1, complete: true, calls: 2 });
    expect(api.isDone()).toBe(true);
  });

  it('an incremental run does not ask for counts', async () => {
    await h.store.checkpoints.save('salesforce', 'contacts', { v: 1, cursor: '2026-11-03T00:00:00.000Z', deletedCursor: '2026-11-03T00:00:00.000Z', active: null });
    const api = nock(INSTANCE)
      .get(`${API}/queryAll`)
      .query((qs) => /, IsDeleted FROM Contact WHERE SystemModstamp > 2026-11-03T00:00:00Z ORDER BY/.test(String(qs.q)))
      .reply(200, queryPage('Contact', []), limitHeaders());
    expect(await run('contacts', { runId: 'run-1' })).toMatchObject({ complete: true, calls: 1 });
    expect(api.isDone()).toBe(true);
  });
});
