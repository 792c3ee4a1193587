/**
 * Bulk API 2.0 ingest jobs: create (Open), upload CSV (`PUT …/batches`, 201), close
 * (`PATCH {"state":"UploadComplete"}`) or abort, status, and the result CSVs
 * (successfulResults: sf__Id,sf__Created + the row; failedResults: sf__Id,sf__Error + the row;
 * unprocessedrecords: the row). Rows are applied when the job closes, each on its own
 * (no allOrNone); the job then reads InProgress until `bulkProcessingMs` has passed.
 * In a CSV cell, `#N/A` sets a field to null and an empty cell leaves it unset.
 */
import { z } from 'zod';
import { SfApiError } from '../errors.js';
import { keyPrefixes } from '../ids.js';
import type { SalesforceOrg } from '../org.js';
import { json, noContent, type ApiRouter } from '../router.js';
import { formatDatetime } from '../values.js';
import { columnDelimiters, lineEndings, parseCsv, toCsv } from '../csv.js';
import { RecordWriter, type SaveResult } from '../writer.js';
import { objectOrThrow } from './sobjects.js';
import { findBulkJob } from './bulk-jobs.js';

const CreateIngestJobSchema = z.object({
  object: z.string().min(1),
  operation: z.enum(['insert', 'update', 'upsert', 'delete', 'hardDelete']),
  externalIdFieldName: z.string().optional(),
  columnDelimiter: z.enum(['COMMA', 'TAB', 'SEMICOLON', 'PIPE', 'CARET', 'BACKQUOTE']).optional().default('COMMA'),
  lineEnding: z.enum(['LF', 'CRLF']).optional().default('LF'),
  contentType: z.literal('CSV').optional(),
  assignmentRuleId: z.string().optional(),
});

const MAX_INGEST_JOBS = 100;

type IngestState = 'Open' | 'UploadComplete' | 'InProgress' | 'JobComplete' | 'Aborted' | 'Failed';

interface RowResult {
  row: string[];
  result: SaveResult | null;
}

interface IngestJob {
  id: string;
  object: string;
  operation: z.infer<typeof CreateIngestJobSchema>['operation'];
  externalIdFieldName: string | null;
  columnDelimiter: string;
  lineEnding: string;
  createdById: string;
  createdDate: number;
  apiVersion: string;
  header: string[] | null;
  rows: string[][];
  phase: 'Open' | 'Closed' | 'Aborted' | 'Failed';
  closedAt: number;
  errorMessage: string | null;
  results: RowResult[];
}

export function registerBulkIngestRoutes(router: ApiRouter, org: SalesforceOrg): void {
  const jobs = new Map<string, IngestJob>();
  const clock = () => performance.now();

  const state = (job: IngestJob): IngestState => {
    switch (job.phase) {
      case 'Open':
        return 'Open';
      case 'Aborted':
        return 'Aborted';
      case 'Failed':
        return 'Failed';
      case 'Closed':
        return clock() - job.closedAt >= org.bulkProcessingMs ? 'JobComplete' : 'InProgress';
    }
  };

  const info = (job: IngestJob, s: IngestState = state(job)) => ({
    id: job.id,
    operation: job.operation,
    object: job.object,
    createdById: job.createdById,
    createdDate: formatDatetime(job.createdDate),
    systemModstamp: formatDatetime(job.createdDate),
    state: s,
    ...(job.externalIdFieldName ? { externalIdFieldName: job.externalIdFieldName } : {}),
    concurrencyMode: 'Parallel',
    contentType: 'CSV',
    apiVersion: Number(job.apiVersion),
    contentUrl: `services/data/v${job.apiVersion}/jobs/ingest/${job.id}/batches`,
    lineEnding: job.lineEnding,
    columnDelimiter: job.columnDelimiter,
  });

  const jobOrThrow = (id: string) => findBulkJob(jobs, id, 'ingest');

  router.add('POST', '/jobs/ingest', (req) => {
    const parsed = CreateIngestJobSchema.safeParse(req.body);
    if (!parsed.success) throw new SfApiError(400, 'INVALIDJOB', `Invalid ingest job: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    const body = parsed.data;
    const object = org.store.schema.object(body.object);
    if (!object) throw new SfApiError(400, 'INVALIDJOB', `InvalidJob : Unable to find object: ${body.object}`);
    if (body.operation === 'upsert' && !body.externalIdFieldName) throw new SfApiError(400, 'INVALIDJOB', 'InvalidJob : externalIdFieldName is required for upsert');
    const job: IngestJob = {
      id: org.store.ids.next(keyPrefixes.BulkJob),
      object: object.name,
      operation: body.operation,
      externalIdFieldName: body.externalIdFieldName ?? null,
      columnDelimiter: body.columnDelimiter,
      lineEnding: body.lineEnding,
      createdById: req.userId,
      createdDate: org.now(),
      apiVersion: req.version,
      header: null,
      rows: [],
      phase: 'Open',
      closedAt: 0,
      errorMessage: null,
      results: [],
    };
    jobs.set(job.id, job);
    // Jobs hold their rows and results; past the cap the oldest goes (Salesforce expires them too).
    if (jobs.size > MAX_INGEST_JOBS) jobs.delete(jobs.keys().next().value!);
    return json(200, info(job));
  });

  router.add('PUT', '/jobs/ingest/:id/batches', (req, p) => {
    const job = jobOrThrow(p.id!);
    if (job.phase !== 'Open') throw new SfApiError(409, 'INVALIDJOBSTATE', `Job ${job.id} is ${state(job)}: data can only be uploaded while it is Open.`);
    const rows = parseCsv(req.rawBody, columnDelimiters[job.columnDelimiter]);
    const [header, ...data] = rows;
    if (!header || header.length === 0 || header.every((h) => h === '')) throw new SfApiError(400, 'INVALIDJOB', 'The CSV upload has no header row.');
    if (job.header && job.header.join('\u0000') !== header.join('\u0000')) throw new SfApiError(400, 'INVALIDJOB', 'Every upload of a job must have the same header row.');
    job.header = header;
    job.rows.push(...data);
    return { status: 201 };
  });

  router.add('PATCH', '/jobs/ingest/:id', (req, p) => {
    const job = jobOrThrow(p.id!);
    const wanted = (req.body as { state?: unknown } | undefined)?.state;
    if (wanted === 'Aborted') {
      if (state(job) === 'JobComplete') throw new SfApiError(400, 'INVALIDJOBSTATE', `Job ${job.id} is already complete and cannot be aborted.`);
      job.phase = 'Aborted';
      return json(200, info(job));
    }
    if (wanted !== 'UploadComplete') throw new SfApiError(400, 'INVALIDJOBSTATE', `state must be UploadComplete or Aborted; got ${JSON.stringify(wanted)}.`);
    if (job.phase !== 'Open') throw new SfApiError(409, 'INVALIDJOBSTATE', `Job ${job.id} is ${state(job)}: only an Open job can be closed.`);
    if (!job.header) {
      job.phase = 'Failed';
      job.errorMessage = 'No data was uploaded for this job.';
      return json(200, info(job));
    }
    applyRows(org, job, req.userId);
    job.phase = 'Closed';
    job.closedAt = clock();
    return json(200, info(job, 'UploadComplete'));
  });

  router.add('GET', '/jobs/ingest', () =>
    json(200, { done: true, nextRecordsUrl: null, records: [...jobs.values()].map((j) => ({ ...info(j), jobType: 'V2Ingest' })) }));

  router.add('GET', '/jobs/ingest/:id', (_req, p) => {
    const job = jobOrThrow(p.id!);
    const s = state(job);
    const done = s === 'JobComplete';
    return json(200, {
      ...info(job, s),
      jobType: 'V2Ingest',
      numberRecordsProcessed: done ? job.results.filter((r) => r.result).length : 0,
      numberRecordsFailed: done ? job.results.filter((r) => r.result && !r.result.success).length : 0,
      retries: 0,
      totalProcessingTime: done ? org.bulkProcessingMs : 0,
      apiActiveProcessingTime: 0,
      apexProcessingTime: 0,
      ...(job.errorMessage ? { errorMessage: job.errorMessage } : {}),
    });
  });

  router.add('DELETE', '/jobs/ingest/:id', (_req, p) => {
    const job = jobOrThrow(p.id!);
    if (state(job) === 'InProgress') throw new SfApiError(400, 'INVALIDJOBSTATE', `Job ${job.id} is still in progress: wait for it or abort it before deleting.`);
    jobs.delete(job.id);
    return noContent();
  });

  const resultsCsv = (job: IngestJob, prefix: string[], rows: string[][]) => ({
    status: 200,
    text: toCsv([[...prefix, ...(job.header ?? [])], ...rows], columnDelimiters[job.columnDelimiter], lineEndings[job.lineEnding]),
    contentType: 'text/csv',
  });

  router.add('GET', '/jobs/ingest/:id/successfulResults', (_req, p) => {
    const job = jobOrThrow(p.id!);
    const rows = job.results.filter((r) => r.result?.success).map((r) => [r.result!.id ?? '', String(r.result!.created ?? job.operation === 'insert'), ...r.row]);
    return resultsCsv(job, ['sf__Id', 'sf__Created'], rows);
  });

  router.add('GET', '/jobs/ingest/:id/failedResults', (_req, p) => {
    const job = jobOrThrow(p.id!);
    const rows = job.results
      .filter((r) => r.result && !r.result.success)
      .map((r) => [r.result!.id ?? '', r.result!.errors.map((e) => `${e.statusCode}:${e.message}:${e.fields.join(',')} --`).join(' '), ...r.row]);
    return resultsCsv(job, ['sf__Id', 'sf__Error'], rows);
  });

  router.add('GET', '/jobs/ingest/:id/unprocessedrecords', (_req, p) => {
    const job = jobOrThrow(p.id!);
    const processed = job.phase === 'Closed';
    return resultsCsv(job, [], processed ? [] : job.rows);
  });
}

/** Applies every uploaded row; each row succeeds or fails on its own. */
function applyRows(org: SalesforceOrg, job: IngestJob, userId: string): void {
  const object = objectOrThrow(org, job.object);
  const header = job.header!;
  const writer = new RecordWriter(org, userId);
  const idColumn = header.findIndex((h) => h.toLowerCase() === 'id');
  job.results = job.rows.map((row) => {
    const fields: Record<string, unknown> = {};
    header.forEach((name, i) => {
      const cell = row[i] ?? '';
      if (cell === '') return; // empty: leave the field as it is
      fields[name] = cell === '#N/A' ? null : cell;
    });
    let result: SaveResult;
    switch (job.operation) {
      case 'insert':
        result = writer.create(object, fields);
        result = { ...result, created: result.success };
        break;
      case 'update': {
        const idKey = idColumn >= 0 ? header[idColumn]! : 'Id';
        const { [idKey]: id, ...rest } = fields;
        result = idColumn < 0 ? { success: false, errors: [{ statusCode: 'MISSING_ARGUMENT', message: 'Id not specified in an update call', fields: [] }] } : writer.update(object, id, rest);
        result = { ...result, created: false };
        break;
      }
      case 'upsert': {
        const column = header.find((h) => h.toLowerCase() === job.externalIdFieldName!.toLowerCase());
        result = writer.upsert(object, job.externalIdFieldName!, column ? fields[column] : undefined, fields);
        break;
      }
      case 'delete':
      case 'hardDelete':
        result = writer.delete(idColumn >= 0 ? row[idColumn] : undefined, object);
        result = { ...result, created: false };
        break;
    }
    return { row, result };
  });
}
