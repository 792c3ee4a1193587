/**
 * Bulk API 2.0 query jobs: create (the query is checked and its matching rows captured at once;
 * their values are read when a results page is rendered),
 * status (UploadComplete -> InProgress -> JobComplete after `bulkProcessingMs`), abort, delete,
 * and CSV results in pages of `maxRecords` (default `bulkPageSize`) with `Sforce-Locator`
 * (the string "null" on the last page) and `Sforce-NumberOfRecords`.
 */
import { z } from 'zod';
import { SfApiError } from '../errors.js';
import { keyPrefixes } from '../ids.js';
import type { SalesforceOrg } from '../org.js';
import { json, noContent, type ApiRequest, type ApiRouter } from '../router.js';
import { parseSoql } from '../soql/parser.js';
import { runQuery, type QueryOutcome } from '../soql/evaluator.js';
import { formatDatetime } from '../values.js';
import { columnDelimiters, lineEndings, toCsv } from '../csv.js';
import { findBulkJob } from './bulk-jobs.js';

const CreateQueryJobSchema = z.object({
  operation: z.enum(['query', 'queryAll']),
  query: z.string().min(1),
  columnDelimiter: z.enum(['COMMA', 'TAB', 'SEMICOLON', 'PIPE', 'CARET', 'BACKQUOTE']).optional().default('COMMA'),
  lineEnding: z.enum(['LF', 'CRLF']).optional().default('LF'),
  contentType: z.literal('CSV').optional(),
});

const MAX_QUERY_JOBS = 100;

type QueryJobState = 'UploadComplete' | 'InProgress' | 'JobComplete' | 'Aborted' | 'Failed';

interface QueryJob {
  id: string;
  operation: 'query' | 'queryAll';
  object: string;
  query: string;
  createdById: string;
  createdDate: number;
  apiVersion: string;
  columnDelimiter: string;
  lineEnding: string;
  startedAt: number;
  aborted: boolean;
  outcome: QueryOutcome;
}

/** "MTAwMDA"-style opaque locator: base64 of the next row offset, unpadded. */
const encodeLocator = (offset: number) => Buffer.from(String(offset)).toString('base64').replace(/=+$/, '');
const decodeLocator = (locator: string) => Number(Buffer.from(locator, 'base64').toString('utf8'));

function bulkCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  return String(value);
}

export function registerBulkQueryRoutes(router: ApiRouter, org: SalesforceOrg): void {
  const jobs = new Map<string, QueryJob>();
  const clock = () => performance.now();

  const state = (job: QueryJob): QueryJobState => {
    if (job.aborted) return 'Aborted';
    return clock() - job.startedAt >= org.bulkProcessingMs ? 'JobComplete' : 'InProgress';
  };

  const info = (job: QueryJob, s: QueryJobState) => ({
    id: job.id,
    operation: job.operation,
    object: job.object,
    createdById: job.createdById,
    createdDate: formatDatetime(job.createdDate),
    systemModstamp: formatDatetime(job.createdDate),
    state: s,
    concurrencyMode: 'Parallel',
    contentType: 'CSV',
    apiVersion: Number(job.apiVersion),
    lineEnding: job.lineEnding,
    columnDelimiter: job.columnDelimiter,
  });

  const jobOrThrow = (id: string) => findBulkJob(jobs, id, 'query');

  router.add('POST', '/jobs/query', (req) => {
    const parsed = CreateQueryJobSchema.safeParse(req.body);
    if (!parsed.success) throw new SfApiError(400, 'INVALIDJOB', `Invalid query job: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    const body = parsed.data;
    const ast = parseSoql(body.query);
    if (ast.groupBy.length || ast.offset !== null || ast.select.some((s) => s.kind !== 'field')) {
      throw new SfApiError(400, 'API_ERROR', 'Bulk API 2.0 query does not support GROUP BY, OFFSET, aggregate functions or parent-to-child subqueries; use the REST query resource for those.');
    }
    const outcome = runQuery(ast, { store: org.store, includeDeleted: body.operation === 'queryAll', now: org.now() });
    const now = org.now();
    const job: QueryJob = {
      id: org.store.ids.next(keyPrefixes.BulkJob),
      operation: body.operation,
      object: outcome.object.name,
      query: body.query,
      createdById: req.userId,
      createdDate: now,
      apiVersion: req.version,
      columnDelimiter: body.columnDelimiter,
      lineEnding: body.lineEnding,
      startedAt: clock(),
      aborted: false,
      outcome,
    };
    jobs.set(job.id, job);
    // Jobs hold their result rows; past the cap the oldest goes (Salesforce expires them too).
    if (jobs.size > MAX_QUERY_JOBS) jobs.delete(jobs.keys().next().value!);
    return json(200, info(job, 'UploadComplete'));
  });

  router.add('GET', '/jobs/query', () =>
    json(200, { done: true, nextRecordsUrl: null, records: [...jobs.values()].map((j) => ({ ...info(j, state(j)), jobType: 'V2Query' })) }));

  router.add('GET', '/jobs/query/:id', (_req, p) => {
    const job = jobOrThrow(p.id!);
    const s = state(job);
    return json(200, {
      ...info(job, s),
      jobType: 'V2Query',
      numberRecordsProcessed: s === 'JobComplete' ? job.outcome.rows.length : 0,
      retries: 0,
      totalProcessingTime: s === 'JobComplete' ? org.bulkProcessingMs : 0,
      isPkChunkingSupported: true,
    });
  });

  router.add('PATCH', '/jobs/query/:id', (req, p) => {
    const job = jobOrThrow(p.id!);
    const wanted = (req.body as { state?: unknown } | undefined)?.state;
    if (wanted !== 'Aborted') throw new SfApiError(400, 'INVALIDJOBSTATE', `A query job can only be set to Aborted; got ${JSON.stringify(wanted)}.`);
    if (state(job) === 'JobComplete') throw new SfApiError(400, 'INVALIDJOBSTATE', `Job ${job.id} is already complete and cannot be aborted.`);
    job.aborted = true;
    return json(200, info(job, 'Aborted'));
  });

  router.add('DELETE', '/jobs/query/:id', (_req, p) => {
    const job = jobOrThrow(p.id!);
    const s = state(job);
    if (s === 'InProgress') throw new SfApiError(400, 'INVALIDJOBSTATE', `Job ${job.id} is still in progress: abort it before deleting it.`);
    jobs.delete(job.id);
    return noContent();
  });

  router.add('GET', '/jobs/query/:id/results', (req: ApiRequest, p) => {
    const job = jobOrThrow(p.id!);
    const s = state(job);
    if (s !== 'JobComplete') throw new SfApiError(412, 'JOB_NOT_COMPLETE', `Job ${job.id} is ${s}: results are available once it is JobComplete; poll GET /jobs/query/${job.id}.`);
    if (req.version !== job.apiVersion) throw new SfApiError(409, 'INVALIDJOBSTATE', `Results must be requested with the API version the job was created with (v${job.apiVersion}).`);
    const locator = req.query.get('locator');
    const offset = locator ? decodeLocator(locator) : 0;
    if (!Number.isInteger(offset) || offset < 0) throw new SfApiError(400, 'INVALID_LOCATOR', `Invalid locator ${locator}; use the Sforce-Locator of the previous page.`);
    const maxRecordsText = req.query.get('maxRecords');
    const maxRecords = maxRecordsText ? Number(maxRecordsText) : org.bulkPageSize;
    if (!Number.isInteger(maxRecords) || maxRecords <= 0) throw new SfApiError(400, 'INVALID_MAX_RECORDS', `maxRecords must be a positive integer; got ${maxRecordsText}.`);
    const rows = job.outcome.rows as number[];
    const end = Math.min(rows.length, offset + maxRecords);
    const columns = job.outcome.columns;
    const table: string[][] = [columns.map((c) => c.text)];
    for (let i = offset; i < end; i++) {
      const row = rows[i]!;
      table.push(columns.map((c) => {
        const v = c.get(row);
        return c.leaf.type === 'datetime' && typeof v === 'number' ? new Date(v).toISOString() : bulkCell(v);
      }));
    }
    org.stats.recordsRead(end - offset);
    return {
      status: 200,
      text: toCsv(table, columnDelimiters[job.columnDelimiter], lineEndings[job.lineEnding]),
      contentType: 'text/csv',
      headers: { 'Sforce-Locator': end < rows.length ? encodeLocator(end) : 'null', 'Sforce-NumberOfRecords': String(end - offset) },
    };
  });
}
