/**
 * Sends sObject Collection writes (up to 200 records each: Account updates, Task creates) in the
 * fewest API calls: up to 5 collection subrequests share one `POST /composite` (one API call,
 * crm-apis.md 3.5), and a call left with a single collection sends it directly to
 * `/composite/sobjects`. Each collection gets one outcome back:
 *  - saved: its SaveResults, one per record, in order;
 *  - refused: Salesforce answered the subrequest with an error, nothing of it was written;
 *  - unanswered: the call failed in flight (dropped connection, 5xx) or named no result for it,
 *    so whether its records were written is unknown;
 *  - rejected: the call was refused before anything was written (a 4xx, the budget reserve, the
 *    daily limit). Budget and daily-limit errors stop the calls after it: the allowance is the org's.
 * A call carrying creates is not idempotent and is never re-sent by the client; one carrying only
 * updates (by id) is, and the client retries it on transient failures.
 * `recordOutcome` reads one SaveResult; the field writer and the task creator share it.
 */
import { BudgetReserveReached } from '../budget.js';
import { isNetworkError } from '../retry.js';
import type { SalesforceClient } from './client.js';
import { DailyLimitReached, SalesforceApiError, classifyRecordError } from './errors.js';

export const COLLECTION_SIZE = 200;
/** sObject Collection subrequests one composite request may carry (crm-apis.md 3.5) */
export const COLLECTIONS_PER_COMPOSITE = 5;

export interface SaveResult {
  id?: string;
  success: boolean;
  errors?: { statusCode?: string; errorCode?: string; message?: string; fields?: string[] }[];
}

export interface CollectionWrite {
  /** PATCH updates records by id; POST creates them */
  method: 'PATCH' | 'POST';
  /** referenceId prefix and message label, e.g. "accounts", "tasks" */
  label: string;
  /** at most COLLECTION_SIZE records, each with attributes.type */
  records: Record<string, unknown>[];
}

export type CollectionOutcome =
  | { kind: 'saved'; results: readonly (SaveResult | undefined)[] }
  | { kind: 'refused'; error: string; permanent: boolean }
  | { kind: 'unanswered'; error: unknown }
  | { kind: 'rejected'; error: unknown };

export type RecordOutcome = { ok: true; id: string | undefined } | { ok: false; error: string; permanent: boolean };

/** One record's SaveResult, classified (a missing one is retried: nothing says it was refused). */
export function recordOutcome(saved: SaveResult | undefined): RecordOutcome {
  if (!saved) return { ok: false, error: 'NO_RESULT: Salesforce returned no result for this record; retried on the next run', permanent: false };
  if (saved.success) return { ok: true, id: saved.id };
  const e = saved.errors?.[0];
  return { ok: false, ...classifyRecordError(e?.statusCode ?? e?.errorCode ?? 'UNKNOWN_ERROR', e?.message ?? 'no message', e?.fields ?? []) };
}

/** Items in runs of one collection's size (the last one shorter). */
export function inCollections<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += COLLECTION_SIZE) out.push(items.slice(i, i + COLLECTION_SIZE));
  return out;
}

interface CompositeSubresponse {
  body?: unknown;
  httpStatusCode?: number;
  referenceId?: string;
}

export interface CompositeWriterOptions {
  client: SalesforceClient;
}

export class CompositeWriter {
  constructor(private readonly options: CompositeWriterOptions) {}

  /** One outcome per collection, in order. */
  async send(writes: readonly CollectionWrite[]): Promise<CollectionOutcome[]> {
    const outcomes: CollectionOutcome[] = [];
    let stoppedBy: unknown = null;
    for (let i = 0; i < writes.length; i += COLLECTIONS_PER_COMPOSITE) {
      const group = writes.slice(i, i + COLLECTIONS_PER_COMPOSITE);
      if (stoppedBy) {
        outcomes.push(...group.map((): CollectionOutcome => ({ kind: 'rejected', error: stoppedBy })));
        continue;
      }
      try {
        outcomes.push(...(group.length === 1 ? [await this.sendOne(group[0] as CollectionWrite)] : await this.sendComposite(group, i)));
      } catch (err) {
        const inFlight = isNetworkError(err) || (err instanceof SalesforceApiError && err.transient);
        outcomes.push(...group.map((): CollectionOutcome => ({ kind: inFlight ? 'unanswered' : 'rejected', error: err })));
        if (err instanceof BudgetReserveReached || err instanceof DailyLimitReached) stoppedBy = err;
      }
    }
    return outcomes;
  }

  private async sendOne(write: CollectionWrite): Promise<CollectionOutcome> {
    const res = await this.options.client.call<SaveResult[]>(
      { method: write.method, url: '/composite/sobjects', body: { allOrNone: false, records: write.records } },
      { what: `Salesforce ${describe(write)}`, idempotent: write.method === 'PATCH' },
    );
    return { kind: 'saved', results: Array.isArray(res.body) ? res.body : [] };
  }

  private async sendComposite(group: readonly CollectionWrite[], offset: number): Promise<CollectionOutcome[]> {
    const url = `/services/data/v${this.options.client.apiVersion}/composite/sobjects`;
    const refs = group.map((w, k) => `${w.label}${offset + k}`);
    const res = await this.options.client.call<{ compositeResponse?: CompositeSubresponse[] }>(
      {
        method: 'POST',
        url: '/composite',
        body: { allOrNone: false, compositeRequest: group.map((w, k) => ({ method: w.method, url, referenceId: refs[k], body: { allOrNone: false, records: w.records } })) },
      },
      { what: `Salesforce write-back (${group.map(describe).join(', ')})`, idempotent: group.every((w) => w.method === 'PATCH') },
    );
    const byRef = new Map((res.body?.compositeResponse ?? []).map((r) => [r.referenceId, r]));
    return refs.map((ref) => subrequestOutcome(byRef.get(ref)));
  }
}

function describe(write: CollectionWrite): string {
  const type = String((write.records[0]?.attributes as { type?: unknown } | undefined)?.type ?? 'record');
  return `${type} ${write.method === 'PATCH' ? 'update' : 'create'} (${write.records.length} records)`;
}

function subrequestOutcome(sub: CompositeSubresponse | undefined): CollectionOutcome {
  if (!sub) return { kind: 'unanswered', error: new Error('NO_RESULT: Salesforce returned no result for this collection; retried on the next run') };
  const status = sub.httpStatusCode ?? 0;
  if (status < 300 && Array.isArray(sub.body)) return { kind: 'saved', results: sub.body as SaveResult[] };
  // refused as a whole (e.g. 400 with [{errorCode, message}]): every record carries why
  const e = Array.isArray(sub.body) ? (sub.body[0] as { errorCode?: string; message?: string } | undefined) : undefined;
  const classified = classifyRecordError(e?.errorCode ?? `HTTP_${sub.httpStatusCode ?? '?'}`, e?.message ?? 'the collection subrequest failed');
  // Only a 400 (the request itself is wrong) is final; limits (403, 429) and server errors pass.
  return { kind: 'refused', error: classified.error, permanent: classified.permanent && status === 400 };
}
