import jsforce, { type Connection } from 'jsforce';
import { HttpApi } from 'jsforce/lib/http-api.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/sandbox/salesforce/csv.js';
import { seedWithAccounts } from '../../src/sandbox/salesforce/fixtures.js';
import { startSalesforceSandbox, type RunningSalesforceSandbox } from '../../src/sandbox/salesforce/server.js';

const EXTRA = 120;
const SF_ACCOUNTS = 4 + EXTRA;
let sb: RunningSalesforceSandbox;
let conn: Connection;

beforeAll(async () => {
  // small pages (50) force multi-page results; jobs stay InProgress for 300 ms (long enough to observe)
  sb = await startSalesforceSandbox({ seed: seedWithAccounts(EXTRA), bulkPageSize: 50, bulkProcessingMs: 300, now: () => new Date('2026-11-15T12:00:00Z') });
  conn = new jsforce.Connection({ instanceUrl: sb.url, accessToken: sb.token, version: '62.0' });
});
afterAll(() => sb.close());

interface JobInfo { id: string; state: string; object: string; numberRecordsProcessed?: number; numberRecordsFailed?: number }

/** One results page through jsforce's own HTTP layer, keeping the response headers. */
async function resultsPage(jobId: string, locator: string | null, maxRecords?: number) {
  let headers: Record<string, string> = {};
  const api = new HttpApi(conn, { responseType: 'text/plain' });
  api.on('response', (response: { headers: Record<string, string> }) => (headers = response.headers));
  const params = new URLSearchParams();
  if (locator) params.set('locator', locator);
  if (maxRecords) params.set('maxRecords', String(maxRecords));
  const text = (await api.request({ method: 'GET', url: `${sb.url}/services/data/v62.0/jobs/query/${jobId}/results?${params}`, headers: { Accept: 'text/csv' } })) as unknown as string;
  return { rows: parseCsv(text), locator: headers['sforce-locator'], count: headers['sforce-numberofrecords'], contentType: headers['content-type'] };
}

async function waitForJob(kind: 'query' | 'ingest', id: string): Promise<JobInfo> {
  for (let i = 0; i < 100; i++) {
    const info = await conn.request<JobInfo>(`/jobs/${kind}/${id}`);
    if (info.state === 'JobComplete' || info.state === 'Failed' || info.state === 'Aborted') return info;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`job ${id} did not complete`);
}

describe('Bulk API 2.0 query', () => {
  it('walks UploadComplete -> InProgress -> JobComplete and answers 412 before completion', async () => {
    const job = await conn.requestPost<JobInfo>('/jobs/query', { operation: 'query', query: 'SELECT Id, Name FROM Account' });
    expect(job).toMatchObject({ state: 'UploadComplete', object: 'Account', id: expect.stringMatching(/^750/) });
    const early = await conn.request<JobInfo>(`/jobs/query/${job.id}`);
    expect(early.state).toBe('InProgress');
    await expect(conn.request(`/jobs/query/${job.id}/results`)).rejects.toMatchObject({ errorCode: 'JOB_NOT_COMPLETE' });
    const done = await waitForJob('query', job.id);
    expect(done).toMatchObject({ state: 'JobComplete', numberRecordsProcessed: SF_ACCOUNTS });
  });

  it('pages results with Sforce-Locator until "null", honouring maxRecords', async () => {
    const job = await conn.requestPost<JobInfo>('/jobs/query', { operation: 'query', query: 'SELECT Id, Name, Owner.Email, AnnualRevenue FROM Account ORDER BY Name' });
    await waitForJob('query', job.id);
    const first = await resultsPage(job.id, null);
    expect(first.contentType).toMatch(/^text\/csv/);
    expect(first.rows[0]).toEqual(['Id', 'Name', 'Owner.Email', 'AnnualRevenue']);
    expect(first.rows).toHaveLength(51); // header + bulkPageSize
    expect(first.count).toBe('50');
    expect(first.locator).not.toBe('null');
    const names: string[] = first.rows.slice(1).map((r) => r[1]!);
    let locator = first.locator!;
    let pages = 1;
    while (locator !== 'null') {
      const page = await resultsPage(job.id, locator, 40);
      expect(page.rows[0]).toEqual(['Id', 'Name', 'Owner.Email', 'AnnualRevenue']);
      expect(Number(page.count)).toBe(page.rows.length - 1);
      names.push(...page.rows.slice(1).map((r) => r[1]!));
      locator = page.locator!;
      pages += 1;
    }
    expect(pages).toBe(1 + Math.ceil((SF_ACCOUNTS - 50) / 40));
    expect(names).toHaveLength(SF_ACCOUNTS);
    expect(new Set(names).size).toBe(SF_ACCOUNTS);
    expect(names[0]).toBe('Bulk Account 0001');
  });

  it('serves queryAll with deleted rows, aborts and deletes jobs', async () => {
    const victim = sb.externalId('acct-bulk-0001')!;
    await conn.sobject('Account').destroy(victim);
    const job = await conn.requestPost<JobInfo>('/jobs/query', { operation: 'queryAll', query: `SELECT Id, IsDeleted FROM Account WHERE Id = '${victim}'` });
    await waitForJob('query', job.id);
    const page = await resultsPage(job.id, null);
    expect(page.rows).toEqual([['Id', 'IsDeleted'], [victim, 'true']]);
    expect(page.locator).toBe('null');
    await conn.request({ method: 'DELETE', url: `/jobs/query/${job.id}` });
    await expect(conn.request(`/jobs/query/${job.id}`)).rejects.toMatchObject({ errorCode: 'NOT_FOUND' });

    const slow = await conn.requestPost<JobInfo>('/jobs/query', { operation: 'query', query: 'SELECT Id FROM Account' });
    const aborted = await conn.request<JobInfo>({ method: 'PATCH', url: `/jobs/query/${slow.id}`, body: JSON.stringify({ state: 'Aborted' }), headers: { 'Content-Type': 'application/json' } });
    expect(aborted.state).toBe('Aborted');
    await expect(conn.requestPost('/jobs/query', { operation: 'query', query: 'SELECT COUNT() FROM Account' })).rejects.toMatchObject({ errorCode: 'API_ERROR' });
  });

  it('works through jsforce bulk2.query when the results fit one page', async () => {
    const stream = await conn.bulk2.query("SELECT Id, Name, Industry FROM Account WHERE Name LIKE 'Northwind%'", { pollInterval: 10, pollTimeout: 10_000 });
    const records: Array<Record<string, unknown>> = [];
    for await (const record of stream) records.push(record as Record<string, unknown>);
    expect(records).toEqual([{ Id: sb.externalId('acct-1'), Name: 'Northwind Logistics', Industry: 'Transportation' }]);
  });
});

describe('Bulk API 2.0 ingest', () => {
  it('inserts through loadAndWaitForResults with per-row successes and failures', async () => {
    const csv = 'Name,Industry,NumberOfEmployees\nIngest One,Retail,10\nIngest Two,#N/A,20\n,Retail,30\nIngest Four,Media,lots\n';
    const results = await conn.bulk2.loadAndWaitForResults({ object: 'Account', operation: 'insert', input: csv, pollInterval: 10, pollTimeout: 10_000 });
    expect(results.successfulResults.map((r: Record<string, unknown>) => [r.sf__Created, r.Name])).toEqual([['true', 'Ingest One'], ['true', 'Ingest Two']]);
    expect(results.successfulResults.every((r) => /^001\w{15}$/.test(String(r.sf__Id)))).toBe(true);
    expect(results.failedResults.map((r: Record<string, unknown>) => [String(r.sf__Error).split(':')[0], r.Industry])).toEqual([
      ['REQUIRED_FIELD_MISSING', 'Retail'],
      ['INVALID_TYPE_ON_FIELD_IN_RECORD', 'Media'],
    ]);
    expect(results.unprocessedRecords).toEqual([]);
    const two = await conn.query<{ Industry: string | null; NumberOfEmployees: number }>("SELECT Industry, NumberOfEmployees FROM Account WHERE Name = 'Ingest Two'");
    expect(two.records.map((r) => [r.Industry, r.NumberOfEmployees])).toEqual([[null, 20]]);
  });

  it('updates, upserts and deletes by CSV; #N/A clears a field, an empty cell leaves it', async () => {
    const id = sb.externalId('acct-bulk-0002')!;
    const update = await conn.bulk2.loadAndWaitForResults({ object: 'Account', operation: 'update', input: `Id,Industry,Website\n${id},#N/A,\n`, pollInterval: 10, pollTimeout: 10_000 });
    expect(update.successfulResults.map((r) => r.sf__Id)).toEqual([id]);
    const after = await conn.sobject('Account').retrieve(id);
    expect([after.Industry, after.Website]).toEqual([null, 'bulk-0002.example.com']);

    const upsert = await conn.bulk2.loadAndWaitForResults({ object: 'Account', operation: 'upsert', externalIdFieldName: 'External_Key__c', input: 'External_Key__c,Name\nBK-1,Bulk Upsert\nBK-1,Bulk Upsert Again\n', pollInterval: 10, pollTimeout: 10_000 });
    expect(upsert.successfulResults.map((r: Record<string, unknown>) => [r.sf__Created, r.Name])).toEqual([['true', 'Bulk Upsert'], ['false', 'Bulk Upsert Again']]);

    const del = await conn.bulk2.loadAndWaitForResults({ object: 'Account', operation: 'delete', input: `Id\n${id}\n001000000000000AAA\n`, pollInterval: 10, pollTimeout: 10_000 });
    expect(del.successfulResults.map((r) => r.sf__Id)).toEqual([id]);
    expect(del.failedResults).toHaveLength(1);
    const gone = await conn.query(`SELECT Id FROM Account WHERE Id = '${id}'`);
    expect(gone.totalSize).toBe(0);
  });

  it('keeps an aborted job\'s rows unprocessed and reports job status counts', async () => {
    const job = await conn.requestPost<JobInfo>('/jobs/ingest', { object: 'Contact', operation: 'insert' });
    expect(job.state).toBe('Open');
    await conn.request({ method: 'PUT', url: `/jobs/ingest/${job.id}/batches`, body: 'LastName\nA\nB\n', headers: { 'Content-Type': 'text/csv' } });
    await conn.request({ method: 'PATCH', url: `/jobs/ingest/${job.id}`, body: JSON.stringify({ state: 'Aborted' }), headers: { 'Content-Type': 'application/json' } });
    const unprocessed = await conn.request<Array<Record<string, string>>>({ method: 'GET', url: `/jobs/ingest/${job.id}/unprocessedrecords`, headers: { Accept: 'text/csv' } });
    expect(unprocessed).toEqual([{ LastName: 'A' }, { LastName: 'B' }]);

    const ok = await conn.requestPost<JobInfo>('/jobs/ingest', { object: 'Contact', operation: 'insert' });
    await conn.request({ method: 'PUT', url: `/jobs/ingest/${ok.id}/batches`, body: 'LastName,Email\nC,c@example.com\n,d@example.com\n', headers: { 'Content-Type': 'text/csv' } });
    await conn.request({ method: 'PATCH', url: `/jobs/ingest/${ok.id}`, body: JSON.stringify({ state: 'UploadComplete' }), headers: { 'Content-Type': 'application/json' } });
    expect(await waitForJob('ingest', ok.id)).toMatchObject({ state: 'JobComplete', numberRecordsProcessed: 2, numberRecordsFailed: 1 });
  });
});
