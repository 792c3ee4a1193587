/**
 * Writing AccountPulse fields on accounts, in the fewest calls:
 *  - sObject Collections `PATCH /composite/sobjects`, 200 records per collection, allOrNone false,
 *    one SaveResult per record (an update by id is idempotent, so failures are retried); above 200
 *    records, up to 5 collections go in one `POST /composite` (1,000 records per API call: a
 *    composite request counts as one call, and may hold at most 5 collection subrequests);
 *  - above `sync.bulkWriteThreshold` records, one Bulk API 2.0 ingest job (create, upload CSV,
 *    close, poll, successful + failed results) whatever the size;
 * and reading their current values (collections retrieve, 2,000 ids per call) so the jobs can see
 * what a person changed since our last write.
 */
import type { Logger } from 'pino';
import type { LedgerValue } from '../../store/ledger.js';
import { BudgetReserveReached } from '../budget.js';
import type { FieldUpdate, RecordWriteResult, WriteBackFieldName } from '../types.js';
import type { SalesforceClient } from './client.js';
import { parseCsvRecords, toCsv } from './csv.js';
import { DailyLimitReached, SalesforceApiError, classifyRecordError } from './errors.js';

export const COLLECTION_SIZE = 200;
/** sObject Collection subrequests one composite request may carry (crm-apis.md 3.5) */
export const COLLECTIONS_PER_COMPOSITE = 5;
export const RETRIEVE_SIZE = 2000;

interface SaveResult {
  id?: string;
  success: boolean;
  errors?: { statusCode?: string; errorCode?: string; message?: string; fields?: string[] }[];
}

export interface WriteBackOptions {
  client: SalesforceClient;
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

  async write(updates: readonly FieldUpdate[]): Promise<RecordWriteResult[]> {
    if (updates.length === 0) return [];
    if (updates.length > this.options.bulkWriteThreshold) return this.writeBulk(updates);
    const results: RecordWriteResult[] = [];
    const perCall = COLLECTION_SIZE * COLLECTIONS_PER_COMPOSITE;
    for (let i = 0; i < updates.length; i += perCall) {
      const group = updates.slice(i, i + perCall);
      try {
        results.push(...(group.length <= COLLECTION_SIZE ? await this.writeCollection(group) : await this.writeComposite(group)));
      } catch (err) {
        results.push(...group.map((u) => failed(u.externalId, err)));
        // The allowance is the org's: stop here; the rest are retried on a later run.
        if (err instanceof BudgetReserveReached || err instanceof DailyLimitReached) {
          results.push(...updates.slice(i + perCall).map((u) => failed(u.externalId, err)));
          break;
        }
      }
    }
    return results;
  }

  private records(chunk: readonly FieldUpdate[]): Record<string, unknown>[] {
    return chunk.map((u) => ({ attributes: { type: 'Account' }, Id: u.externalId, ...this.row(u) }));
  }

  /** Up to 5 collections of 200 in one composite call; each collection's SaveResults map back to its records. */
  private async writeComposite(group: readonly FieldUpdate[]): Promise<RecordWriteResult[]> {
    const chunks: FieldUpdate[][] = [];
    for (let i = 0; i < group.length; i += COLLECTION_SIZE) chunks.push(group.slice(i, i + COLLECTION_SIZE));
    const url = `/services/data/v${this.options.client.apiVersion}/composite/sobjects`;
    const res = await this.options.client.call<{ compositeResponse?: { body?: unknown; httpStatusCode?: number; referenceId?: string }[] }>(
      {
        method: 'POST',
        url: '/composite',
        body: { allOrNone: false, compositeRequest: chunks.map((chunk, k) => ({ method: 'PATCH', url, referenceId: `accounts${k}`, body: { allOrNone: false, records: this.records(chunk) } })) },
      },
      { what: `Salesforce Account field update (${group.length} records in ${chunks.length} collections)`, idempotent: true },
    );
    const byRef = new Map((res.body?.compositeResponse ?? []).map((r) => [r.referenceId, r]));
    return chunks.flatMap((chunk, k) => {
      const sub = byRef.get(`accounts${k}`);
      if (sub && (sub.httpStatusCode ?? 0) < 300 && Array.isArray(sub.body)) return saveResults(chunk, sub.body as SaveResult[]);
      // the whole collection was refused (e.g. 400 with [{errorCode, message}]): each record carries why
      const e = Array.isArray(sub?.body) ? (sub?.body[0] as { errorCode?: string; message?: string } | undefined) : undefined;
      if (!sub) return chunk.map((u) => ({ externalId: u.externalId, ok: false, error: 'NO_RESULT: Salesforce returned no result for this collection; retried on the next run', permanent: false }));
      const classified = classifyRecordError(e?.errorCode ?? `HTTP_${sub.httpStatusCode ?? '?'}`, e?.message ?? 'the collection subrequest failed');
      // Only a 400 (the request itself is wrong) is final; limits (403, 429) and server errors pass.
      const permanent = classified.permanent && sub.httpStatusCode === 400;
      return chunk.map((u) => ({ externalId: u.externalId, ok: false, error: classified.error, permanent }));
    });
  }

  private async writeCollection(chunk: readonly FieldUpdate[]): Promise<RecordWriteResult[]> {
    const res = await this.options.client.call<SaveResult[]>(
      { method: 'PATCH', url: '/composite/sobjects', body: { allOrNone: false, records: this.records(chunk) } },
      { what: `Salesforce Account field update (${chunk.length} records)`, idempotent: true },
    );
    return saveResults(chunk, Array.isArray(res.body) ? res.body : []);
  }

  /** One Bulk API 2.0 ingest job for any number of records. */
  private async writeBulk(updates: readonly FieldUpdate[]): Promise<RecordWriteResult[]> {
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
  return { externalId, ok: false, error: (err as Error)?.message ?? String(err), permanent: false };
}

/** One result per record from a collection's SaveResults (same order as sent). */
function saveResults(chunk: readonly FieldUpdate[], saved: readonly SaveResult[]): RecordWriteResult[] {
  return chunk.map((u, i) => {
    const r = saved[i];
    if (!r) return { externalId: u.externalId, ok: false, error: 'NO_RESULT: Salesforce returned no result for this record; retried on the next run', permanent: false };
    if (r.success) return { externalId: u.externalId, ok: true };
    const e = r.errors?.[0];
    const { error, permanent } = classifyRecordError(e?.statusCode ?? e?.errorCode ?? 'UNKNOWN_ERROR', e?.message ?? 'no message', e?.fields ?? []);
    return { externalId: u.externalId, ok: false, error, permanent };
  });
}
