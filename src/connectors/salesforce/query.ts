/**
 * Reading query results page by page, so memory is bounded by the page, not the object:
 *  - REST SOQL (`/query`, `/queryAll`) with `Sforce-Query-Options: batchSize=2000`, following
 *    `nextRecordsUrl`;
 *  - Bulk API 2.0 query jobs: create, poll until JobComplete, then results pages fetched here
 *    with `locator` + `maxRecords` and parsed as CSV (jsforce's `bulk2.query` breaks on
 *    multi-page results). The job id and locator are what a checkpoint keeps to resume.
 */
import type { SalesforceClient } from './client.js';
import { parseCsvRecords } from './csv.js';
import { SalesforceApiError } from './errors.js';

export interface RestPage {
  records: Record<string, unknown>[];
  totalSize: number;
  /** nextRecordsUrl, null on the last page */
  next: string | null;
}

export interface BulkPage {
  records: Record<string, unknown>[];
  /** locator of the next page, null on the last page */
  locator: string | null;
}

export interface QueryReaderOptions {
  client: SalesforceClient;
  /** rows per Bulk 2.0 results page (maxRecords) */
  bulkPageSize?: number;
  /** poll delays for Bulk 2.0 jobs */
  pollDelaysMs?: readonly number[];
  pollTimeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

interface RestQueryResponse {
  totalSize: number;
  done: boolean;
  nextRecordsUrl?: string;
  records: Record<string, unknown>[];
}

interface BulkJobInfo {
  id: string;
  state: string;
  errorMessage?: string;
}

const stripAttributes = (r: Record<string, unknown>): Record<string, unknown> => {
  const { attributes: _attributes, ...rest } = r;
  return rest;
};

export class QueryReader {
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: QueryReaderOptions) {
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  private get client(): SalesforceClient {
    return this.options.client;
  }

  private bulkBase(): string {
    return `/services/data/v${this.client.apiVersion}/jobs/query`;
  }

  /** First REST page; `all` reads deleted rows too (queryAll). */
  async restFirst(soql: string, what: string, all = false): Promise<RestPage> {
    const res = await this.client.call<RestQueryResponse>(
      { method: 'GET', url: `/${all ? 'queryAll' : 'query'}?q=${encodeURIComponent(soql)}`, headers: { 'Sforce-Query-Options': 'batchSize=2000' } },
      { what, idempotent: true },
    );
    return this.restPage(res.body);
  }

  async restNext(nextRecordsUrl: string, what: string): Promise<RestPage> {
    const res = await this.client.call<RestQueryResponse>(
      { method: 'GET', url: nextRecordsUrl, headers: { 'Sforce-Query-Options': 'batchSize=2000' } },
      { what, idempotent: true },
    );
    return this.restPage(res.body);
  }

  /** Every row of a small query (metadata, lookups). */
  async restAll(soql: string, what: string, all = false): Promise<Record<string, unknown>[]> {
    let page = await this.restFirst(soql, what, all);
    const out = [...page.records];
    while (page.next) {
      page = await this.restNext(page.next, what);
      out.push(...page.records);
    }
    return out;
  }

  private restPage(body: RestQueryResponse): RestPage {
    if (!body || !Array.isArray(body.records)) {
      throw new SalesforceApiError({ what: 'Salesforce query', status: 200, code: 'UNEXPECTED_RESPONSE', detail: 'the query answer has no records array' });
    }
    return { records: body.records.map(stripAttributes), totalSize: body.totalSize, next: body.done || !body.nextRecordsUrl ? null : body.nextRecordsUrl };
  }

  /** Creates a Bulk 2.0 query job and waits until its results are ready; returns the job id. */
  async bulkStart(soql: string, what: string, all = false): Promise<string> {
    // Creating a job is not idempotent (a retry would start a second job), but a duplicate job
    // only costs one extra call and is never read: safe enough to retry.
    const created = await this.client.call<BulkJobInfo>(
      { method: 'POST', url: this.bulkBase(), body: { operation: all ? 'queryAll' : 'query', query: soql, contentType: 'CSV', columnDelimiter: 'COMMA', lineEnding: 'LF' } },
      { what: `${what} (Bulk API 2.0 job)`, idempotent: true },
    );
    await this.waitForJob(created.body.id, what);
    return created.body.id;
  }

  private async waitForJob(jobId: string, what: string): Promise<void> {
    // Jobs take a moment: asking at once would cost a call that almost always answers InProgress.
    const delays = this.options.pollDelaysMs ?? [300, 700, 1000, 2000, 5000];
    const deadline = Date.now() + (this.options.pollTimeoutMs ?? 600_000);
    for (let i = 0; ; i++) {
      const delay = delays[Math.min(i, delays.length - 1)] ?? 1000;
      if (delay > 0) await this.sleep(delay);
      const info = await this.client.call<BulkJobInfo>({ method: 'GET', url: `${this.bulkBase()}/${jobId}` }, { what: `${what} (Bulk API 2.0 job ${jobId})`, idempotent: true });
      const state = info.body.state;
      if (state === 'JobComplete') return;
      if (state === 'Failed' || state === 'Aborted') {
        throw new SalesforceApiError(
          { what: `${what} (Bulk API 2.0 job ${jobId})`, status: 200, code: `JOB_${state.toUpperCase()}`, detail: info.body.errorMessage ?? state },
          'the query job did not finish; the next run starts a new one',
        );
      }
      if (Date.now() > deadline) {
        throw new SalesforceApiError({ what: `${what} (Bulk API 2.0 job ${jobId})`, status: 200, code: 'JOB_POLL_TIMEOUT', detail: `still ${state}` }, 'the org is slow to run the job; the next run resumes it');
      }
    }
  }

  /** One page of a finished job's results (locator null: the first page). */
  async bulkPage(jobId: string, locator: string | null, what: string): Promise<BulkPage> {
    const params = new URLSearchParams({ maxRecords: String(this.options.bulkPageSize ?? 50_000) });
    if (locator) params.set('locator', locator);
    const res = await this.client.call<string>(
      { method: 'GET', url: `${this.bulkBase()}/${jobId}/results?${params.toString()}`, headers: { Accept: 'text/csv' } },
      { what: `${what} (Bulk API 2.0 results)`, idempotent: true, raw: true },
    );
    const next = res.headers['sforce-locator'];
    return { records: parseCsvRecords(typeof res.body === 'string' ? res.body : ''), locator: next && next !== 'null' ? next : null };
  }
}
