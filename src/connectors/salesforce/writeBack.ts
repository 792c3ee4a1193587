/**
 * Salesforce write-back in the fewest calls.
 *
 * `AccountFieldWriter` writes AccountPulse fields on accounts:
 *  - as sObject Collections (`PATCH /composite/sobjects`, 200 records each, allOrNone false, one
 *    SaveResult per record; an update by id is idempotent, so failures are retried) sent by
 *    `CompositeWriter`: up to 5 collections per `POST /composite`, one alone sent directly;
 *  - above `sync.bulkWriteThreshold` records, as one Bulk API 2.0 ingest job (create, upload CSV,
 *    close, poll, successful + failed results) whatever the size;
 * and reads their current values (collections retrieve, 2,000 ids per call) so the jobs can see
 * what a person changed since our last write.
 *
 * `SalesforceWriteBack` writes a run's field updates and owner tasks together: the task creates
 * (prepared by `TaskCreator`: deduped, looked up only when an earlier create had no answer, marked
 * sent) and the field updates share composite calls, ceil((field collections + task collections) / 5)
 * calls in all. Above the bulk threshold the fields go through Bulk 2.0 and the task collections
 * share composites among themselves. Tasks whose call failed in flight are retried through
 * `TaskCreator.create`, which looks them up by marker first (never created twice); field updates
 * of such a call fail transient and are retried on the next run through the ledger.
 */
import type { Logger } from 'pino';
import type { LedgerValue } from '../../store/ledger.js';
import type { FieldUpdate, RecordWriteResult, TaskRequest, TaskResult, WriteBackFieldName } from '../types.js';
import type { SalesforceClient } from './client.js';
import { inCollections, type CollectionOutcome, type CollectionWrite, type CompositeWriter, recordOutcome } from './compositeWriter.js';
import { parseCsvRecords, toCsv } from './csv.js';
import { DailyLimitReached, SalesforceApiError, classifyRecordError } from './errors.js';
import { errorText, type PreparedTasks, type TaskCreator } from './tasks.js';

export { COLLECTION_SIZE, COLLECTIONS_PER_COMPOSITE } from './compositeWriter.js';
export const RETRIEVE_SIZE = 2000;

export interface WriteBackOptions {
  client: SalesforceClient;
  composite: CompositeWriter;
  logger: Logger;
  /** logical field → Account API field name */
  fieldNames: Map<WriteBackFieldName, string>;
  bulkWriteThreshold: number;
  pollDelaysMs?: readonly number[];
  pollTimeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export class AccountFieldWriter {
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: WriteBackOptions) {
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  private row(update: FieldUpdate): Record<string, LedgerValue> {
    const out: Record<string, LedgerValue> = {};
    for (const [field, value] of Object.entries(update.fields) as [WriteBackFieldName, LedgerValue][]) {
      const name = this.options.fieldNames.get(field);
      if (name && value !== undefined) out[name] = value;
    }
    return out;
  }

  /** Above the threshold, one Bulk 2.0 job costs fewer calls than collections. */
  usesBulk(count: number): boolean {
    return count > this.options.bulkWriteThreshold;
  }

  async write(updates: readonly FieldUpdate[]): Promise<RecordWriteResult[]> {
    if (updates.length === 0) return [];
    if (this.usesBulk(updates.length)) return this.writeBulk(updates);
    const chunks = inCollections(updates);
    const outcomes = await this.options.composite.send(chunks.map((c) => this.collection(c)));
    return chunks.flatMap((chunk, k) => this.results(chunk, outcomes[k]));
  }

  /** One collection update of up to 200 accounts. */
  collection(chunk: readonly FieldUpdate[]): CollectionWrite {
    return { method: 'PATCH', label: 'accounts', records: chunk.map((u) => ({ attributes: { type: 'Account' }, Id: u.externalId, ...this.row(u) })) };
  }

  /** One result per account of a collection, from its outcome. */
  results(chunk: readonly FieldUpdate[], outcome: CollectionOutcome | undefined): RecordWriteResult[] {
    switch (outcome?.kind) {
      case 'saved':
        return chunk.map((u, i) => {
          const r = recordOutcome(outcome.results[i]);
          return r.ok ? { externalId: u.externalId, ok: true } : { externalId: u.externalId, ok: false, error: r.error, permanent: r.permanent };
        });
      case 'refused':
        return chunk.map((u) => ({ externalId: u.externalId, ok: false, error: outcome.error, permanent: outcome.permanent }));
      case 'unanswered':
      case 'rejected':
        return chunk.map((u) => failed(u.externalId, outcome.error));
      default:
        return chunk.map((u) => ({ externalId: u.externalId, ok: false, error: 'not attempted; retried on the next run', permanent: false }));
    }
  }

  /** One Bulk API 2.0 ingest job for any number of records. */
  async writeBulk(updates: readonly FieldUpdate[]): Promise<RecordWriteResult[]> {
    const { client } = this.options;
    const base = `/services/data/v${client.apiVersion}/jobs/ingest`;
    const what = `Salesforce Account field update (Bulk API 2.0, ${updates.length} records)`;
    const rows = updates.map((u) => ({ Id: u.externalId, ...this.row(u) }));
    const columns = ['Id', ...new Set(rows.flatMap((r) => Object.keys(r).filter((k) => k !== 'Id')))];
    const csv = toCsv(columns, rows.map((r) => columns.map((c) => (r as Record<string, LedgerValue | undefined>)[c])));
    try {
      const job = await client.call<{ id: string }>(
        { method: 'POST', url: base, body: { object: 'Account', operation: 'update', contentType: 'CSV', columnDelimiter: 'COMMA', lineEnding: 'LF' } },
        { what, idempotent: true },
      );
      const jobId = job.body.id;
      await client.call({ method: 'PUT', url: `${base}/${jobId}/batches`, body: csv, headers: { 'content-type': 'text/csv' } }, { what, idempotent: true });
      await client.call({ method: 'PATCH', url: `${base}/${jobId}`, body: { state: 'UploadComplete' } }, { what, idempotent: true });
      const final = await this.waitForIngest(`${base}/${jobId}`, what);
      const byId = new Map<string, RecordWriteResult>();
      const ok = await client.call<string>({ method: 'GET', url: `${base}/${jobId}/successfulResults`, headers: { Accept: 'text/csv' } }, { what, idempotent: true, raw: true });
      for (const r of parseCsvRecords(String(ok.body ?? ''))) {
        const id = String(r.Id ?? r.sf__Id ?? '');
        if (id) byId.set(id, { externalId: id, ok: true });
      }
      if (final.numberRecordsFailed !== 0) {
        const bad = await client.call<string>({ method: 'GET', url: `${base}/${jobId}/failedResults`, headers: { Accept: 'text/csv' } }, { what, idempotent: true, raw: true });
        for (const r of parseCsvRecords(String(bad.body ?? ''))) {
          const id = String(r.Id ?? r.sf__Id ?? '');
          const [code = 'UNKNOWN_ERROR', ...rest] = String(r.sf__Error ?? '').split(':');
          const { error, permanent } = classifyRecordError(code, rest.join(':') || 'no message');
          if (id) byId.set(id, { externalId: id, ok: false, error, permanent });
        }
      }
      return updates.map(
        (u) => byId.get(u.externalId) ?? { externalId: u.externalId, ok: false, error: `UNPROCESSED: the Bulk API 2.0 job ${jobId} did not process this record (${final.state}); retried on the next run`, permanent: false },
      );
    } catch (err) {
      return updates.map((u) => failed(u.externalId, err));
    }
  }

  private async waitForIngest(url: string, what: string): Promise<{ state: string; numberRecordsFailed: number | null }> {
    const delays = this.options.pollDelaysMs ?? [300, 700, 1000, 2000, 5000];
    const deadline = Date.now() + (this.options.pollTimeoutMs ?? 600_000);
    for (let i = 0; ; i++) {
      const delay = delays[Math.min(i, delays.length - 1)] ?? 1000;
      if (delay > 0) await this.sleep(delay);
      const res = await this.options.client.call<{ state: string; numberRecordsFailed?: number; errorMessage?: string }>({ method: 'GET', url }, { what, idempotent: true });
      const { state } = res.body;
      if (state === 'JobComplete') return { state, numberRecordsFailed: res.body.numberRecordsFailed ?? null };
      if (state === 'Failed' || state === 'Aborted') {
        throw new SalesforceApiError({ what, status: 200, code: `JOB_${state.toUpperCase()}`, detail: res.body.errorMessage ?? state }, 'no record of the job was written; they are retried on the next run');
      }
      if (Date.now() > deadline) throw new SalesforceApiError({ what, status: 200, code: 'JOB_POLL_TIMEOUT', detail: `still ${state}` }, 'the job may still finish; records are retried on the next run');
    }
  }

  /** Current values of our fields (collections retrieve, 2,000 ids per call). Missing accounts are left out. */
  async read(externalIds: readonly string[]): Promise<Map<string, Partial<Record<WriteBackFieldName, LedgerValue>>>> {
    const out = new Map<string, Partial<Record<WriteBackFieldName, LedgerValue>>>();
    const names = [...this.options.fieldNames.entries()];
    for (let i = 0; i < externalIds.length; i += RETRIEVE_SIZE) {
      const ids = externalIds.slice(i, i + RETRIEVE_SIZE);
      const res = await this.options.client.call<(Record<string, unknown> | null)[]>(
        { method: 'POST', url: '/composite/sobjects/Account', body: { ids, fields: ['Id', ...names.map(([, api]) => api)] } },
        { what: `Salesforce Account read of AccountPulse fields (${ids.length} records)`, idempotent: true },
      );
      // One entry per id, in order; null for an id that does not exist (or was deleted).
      const records = Array.isArray(res.body) ? res.body : [];
      for (const [index, rec] of records.entries()) {
        if (!rec) continue;
        const id = typeof rec.Id === 'string' ? rec.Id : ids[index];
        if (!id) continue;
        const values: Partial<Record<WriteBackFieldName, LedgerValue>> = {};
        for (const [field, api] of names) values[field] = normalizeRead(field, rec[api]);
        out.set(id, values);
      }
    }
    return out;
  }
}

/** Salesforce returns datetimes as 2026-09-26T14:03:00.000+0000; we write and compare ISO with Z. */
function normalizeRead(field: WriteBackFieldName, value: unknown): LedgerValue {
  if (value === undefined || value === null) return null;
  if (field === 'lastScoredAt' && typeof value === 'string') {
    const d = new Date(value);
    return Number.isNaN(d.getTime()) ? value : d.toISOString();
  }
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? value : JSON.stringify(value);
}

function failed(externalId: string, err: unknown): RecordWriteResult {
  if (err instanceof SalesforceApiError) {
    const permanent = !err.transient && !(err instanceof DailyLimitReached);
    return { externalId, ok: false, error: err.message, permanent };
  }
  return { externalId, ok: false, error: errorText(err), permanent: false };
}

export interface SalesforceWriteBackOptions {
  fields: AccountFieldWriter;
  tasks: TaskCreator;
  composite: CompositeWriter;
}

/** A run's field updates and task creates, sharing composite calls. */
export class SalesforceWriteBack {
  constructor(private readonly options: SalesforceWriteBackOptions) {}

  async write(updates: readonly FieldUpdate[], tasks: readonly TaskRequest[]): Promise<{ fields: RecordWriteResult[]; tasks: TaskResult[] }> {
    const { fields: writer, tasks: creator, composite } = this.options;
    const bulk = writer.usesBulk(updates.length);
    const fieldChunks = bulk ? [] : inCollections(updates);
    // Bulk 2.0 first (its calls are its own); tasks are prepared right before their creates go out.
    const bulkResults = bulk ? await writer.writeBulk(updates) : [];
    // A failed task look-up (owner, marker) must not hold back the field updates: the tasks fail
    // this run (none was marked sent) and are tried again on the next.
    const prepared = await creator.prepare(tasks).catch((err: unknown): PreparedTasks => ({
      settled: new Map(tasks.map((t) => [t.dedupeKey, { dedupeKey: t.dedupeKey, ok: false, error: `task look-up before create failed: ${errorText(err)}` }])),
      todo: [],
      records: [],
    }));
    const taskChunks = creator.collections(prepared);
    const outcomes = await composite.send([...fieldChunks.map((c) => writer.collection(c)), ...taskChunks.map((c) => c.write)]);

    const fields = bulk ? bulkResults : fieldChunks.flatMap((chunk, k) => writer.results(chunk, outcomes[k]));
    const taskResults = new Map(prepared.settled);
    const unanswered: TaskRequest[] = [];
    for (const [k, chunk] of taskChunks.entries()) {
      const settled = await creator.settle(chunk.tasks, outcomes[fieldChunks.length + k]);
      for (const r of settled.results) taskResults.set(r.dedupeKey, r);
      unanswered.push(...settled.unanswered);
    }
    // The composite was the first attempt at these creates; the retry looks them up by marker first.
    if (unanswered.length) for (const r of await creator.create(unanswered, { failedAttempts: 1 })) taskResults.set(r.dedupeKey, r);
    return { fields, tasks: tasks.map((t) => taskResults.get(t.dedupeKey) ?? { dedupeKey: t.dedupeKey, ok: false, error: 'not attempted' }) };
  }
}
