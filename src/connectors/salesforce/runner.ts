/**
 * The one runner every Salesforce stream goes through.
 *
 * A run reads rows changed since the saved cursor (moved back by `sync.lookback`; the store
 * dedupes by id + modstamp), page by page, and saves the checkpoint after each page is stored:
 *  - a read from the beginning (initial or full) within a run first asks the org's record counts,
 *    one call for every object, cached for the run (recordCounts.ts): above `sync.bulkThreshold`
 *    the read starts as a Bulk API 2.0 job with no REST page wasted;
 *  - otherwise the first page is a REST query; its `totalSize` is the row count (a COUNT() that
 *    costs nothing), and above `sync.bulkThreshold` the read switches to a Bulk API 2.0 job (the
 *    counts are a lagging hint: this check still applies);
 *  - the checkpoint holds where the read is (REST `nextRecordsUrl`, or Bulk job id + locator), so
 *    a killed run resumes mid-stream; a locator or job that has expired restarts the same window;
 *  - then deletions: `queryAll … IsDeleted = true AND SystemModstamp > deletedCursor`.
 * Rows that fail their raw schema, their mapper or the model are quarantined with the reason;
 * the rest of the page is kept. The daily reserve (BudgetReserveReached), the 403 daily limit and
 * the abort signal stop the run between pages with `complete: false`.
 */
import type { Logger } from 'pino';
import type { Config } from '../../config/schema.js';
import { durationMs } from '../../config/schema.js';
import { recordId, recordSchemas, type AnyRecord, type Activity, type QuarantinedRecord, type RecordKind } from '../../domain/model.js';
import type { Store } from '../../store/index.js';
import { BudgetReserveReached } from '../budget.js';
import type { StreamResult, SyncContext } from '../types.js';
import type { SalesforceClient } from './client.js';
import { DailyLimitReached, SalesforceApiError, missingFieldName } from './errors.js';
import type { QueryReader } from './query.js';
import { readRecordCounts, type RecordCounts } from './recordCounts.js';
import { deletedSoql, incrementalSoql, soqlIdList } from './soql.js';
import type { StreamEnv, StreamSpec } from './streams/spec.js';

/** Where a read is; saved after every page. */
export type ActiveRead =
  | { mode: 'start'; since: string | null; maxSeen: string | null }
  | { mode: 'rest'; next: string; since: string | null; maxSeen: string | null }
  | { mode: 'bulk'; jobId: string; locator: string | null; since: string | null; maxSeen: string | null };

export interface StreamCheckpoint {
  v: 1;
  /** highest SystemModstamp of a completed read */
  cursor: string | null;
  /** highest SystemModstamp of deleted rows handled */
  deletedCursor: string | null;
  active: ActiveRead | null;
  /** rows of the last read from the beginning (no cursor): a later full read above the Bulk threshold skips the REST probe */
  fullRows?: number | null;
}

export interface StreamRunnerOptions {
  client: SalesforceClient;
  reader: QueryReader;
  config: Config;
  logger: Logger;
  /** values fetched once per run (stage metadata, record counts) */
  runCache: Map<string, unknown>;
  /** objects whose record counts are asked for in one call per run (the Bulk-capable streams') */
  countedObjects: readonly string[];
  /** configured fields found missing in the org, per object (kept for the process) */
  droppedFields: Map<string, Set<string>>;
}

const SOURCE = 'salesforce';
const RECORD_COUNTS = 'recordCounts';

class StopRun extends Error {
  constructor(readonly reason: 'budget' | 'aborted') {
    super(reason);
  }
}

const maxIso = (a: string | null, b: string | null): string | null => (a === null ? b : b === null ? a : a > b ? a : b);

export class StreamRunner {
  constructor(private readonly options: StreamRunnerOptions) {}

  private env(store: Store): StreamEnv {
    const { config, client, runCache, reader } = this.options;
    return { config, store, client, runCache, queryAll: (soql, what) => reader.restAll(soql, what) };
  }

  private fields(spec: StreamSpec): string[] {
    const dropped = this.options.droppedFields.get(spec.sobject);
    return spec.fields(this.options.config).filter((f) => !dropped?.has(f));
  }

  private what(spec: StreamSpec): string {
    return `Salesforce ${spec.sobject}`;
  }

  /** Reads one stream from its checkpoint to the end (or until stopped). */
  async run(spec: StreamSpec, ctx: SyncContext): Promise<StreamResult> {
    const result = emptyResult(spec.name);
    const callsBefore = this.options.client.calls;
    const stored = await ctx.store.checkpoints.get<StreamCheckpoint>(SOURCE, spec.name);
    const ckpt: StreamCheckpoint =
      ctx.full || !stored || stored.v !== 1 ? { v: 1, cursor: null, deletedCursor: stored?.deletedCursor ?? null, active: null, fullRows: stored?.fullRows ?? null } : stored;
    const priorCursor = ckpt.cursor;
    const lookbackMs = durationMs(this.options.config.sync.lookback);
    const save = () => ctx.store.checkpoints.save(SOURCE, spec.name, ckpt);
    const accountIds = new Set<string>();
    const ownerIds = new Set<string>();

    try {
      ckpt.active ??= { mode: 'start', since: ckpt.cursor ? new Date(Date.parse(ckpt.cursor) - lookbackMs).toISOString() : null, maxSeen: null };
      while (ckpt.active) {
        if (ctx.signal?.aborted) throw new StopRun('aborted');
        const active: ActiveRead = ckpt.active;
        const page = await this.nextPage(spec, active, ctx, ckpt.fullRows ?? null);
        if ('switchTo' in page) {
          ckpt.active = page.switchTo;
          if (page.total !== null && active.since === null) ckpt.fullRows = page.total;
          await save();
          continue;
        }
        if (active.mode === 'start' && active.since === null && page.total !== null) ckpt.fullRows = page.total;
        const pageOut = await this.storePage(spec, page.records, ctx);
        accumulate(result, pageOut, accountIds, ownerIds);
        const maxSeen = maxIso(active.maxSeen, pageOut.maxSeen);
        if (page.next === null) {
          ckpt.cursor = maxIso(ckpt.cursor, maxSeen);
          ckpt.active = null;
        } else if (active.mode === 'bulk') {
          ckpt.active = { ...active, locator: page.next, maxSeen };
        } else {
          ckpt.active = { mode: 'rest', next: page.next, since: active.since, maxSeen };
        }
        await save();
        ctx.onPage?.({ stream: spec.name, pages: result.pages, read: result.read, total: page.total });
      }

      if (spec.deletions === false) {
        // the object's rows are never deleted (User): nothing to look for
      } else if (priorCursor === null && ckpt.deletedCursor === null) {
        // First read: nothing stored could have been deleted before it; watch from here on.
        ckpt.deletedCursor = ckpt.cursor;
        await save();
      } else {
        await this.readDeletions(spec, ckpt, lookbackMs, ctx, result, accountIds, save);
      }
      result.complete = true;
    } catch (err) {
      if (err instanceof StopRun) result.stoppedReason = err.reason;
      else if (err instanceof BudgetReserveReached || err instanceof DailyLimitReached) {
        ctx.logger.warn({ stream: spec.name, err: err.message }, 'Salesforce sync stopped at its checkpoint: API allowance');
        result.stoppedReason = 'budget';
      } else throw this.explain(spec, err);
    } finally {
      result.calls = this.options.client.calls - callsBefore;
      result.accountIds = [...accountIds];
      result.ownerIds = [...ownerIds];
    }
    return result;
  }

  /**
   * Fetches the next page of the active read. A 'start' read runs the REST query and switches to
   * Bulk 2.0 when the row count is over the threshold (`switchTo`: the checkpoint then holds the job).
   */
  private async nextPage(spec: StreamSpec, active: ActiveRead, ctx: SyncContext, fullRows: number | null): Promise<FetchedPage | { switchTo: ActiveRead; total: number | null }> {
    const reader = this.options.reader;
    const what = this.what(spec);
    const threshold = this.options.config.sync.bulkThreshold;
    const soql = (ordered = true) => incrementalSoql({ sobject: spec.sobject, fields: this.fields(spec), since: active.since, ordered, ...(spec.filter ? { filter: spec.filter } : {}) });
    if (active.mode === 'start') {
      // A read from the beginning of an object known (last full read) or counted (record counts)
      // to be large goes straight to Bulk: no probe page.
      if (spec.bulk && active.since === null) {
        const known = fullRows !== null && fullRows > threshold ? fullRows : await this.countedRows(spec, ctx);
        if (known !== null && known > threshold) {
          const jobId = await this.withFieldFallback(spec, ctx, () => reader.bulkStart(soql(false), what));
          ctx.logger.info({ stream: spec.name, rows: known, jobId }, 'Salesforce stream read through Bulk API 2.0');
          return { switchTo: { mode: 'bulk', jobId, locator: null, since: null, maxSeen: active.maxSeen }, total: null };
        }
      }
      // The first REST page's totalSize is the row count: a COUNT() that costs no extra call.
      const first = await this.withFieldFallback(spec, ctx, () => reader.restFirst(soql(), what));
      if (spec.bulk && first.totalSize > threshold) {
        const jobId = await reader.bulkStart(soql(false), what);
        ctx.logger.info({ stream: spec.name, rows: first.totalSize, jobId }, 'Salesforce stream read through Bulk API 2.0');
        return { switchTo: { mode: 'bulk', jobId, locator: null, since: active.since, maxSeen: active.maxSeen }, total: first.totalSize };
      }
      return { records: first.records, next: first.next, total: first.totalSize };
    }
    try {
      if (active.mode === 'rest') {
        const page = await reader.restNext(active.next, what);
        return { records: page.records, next: page.next, total: page.totalSize };
      }
      const page = await reader.bulkPage(active.jobId, active.locator, what);
      return { records: page.records, next: page.locator, total: null };
    } catch (err) {
      if (!isExpired(err)) throw err;
      ctx.logger.warn({ stream: spec.name, mode: active.mode }, 'Salesforce query locator or Bulk 2.0 job expired; reading the same window again');
      return { switchTo: { mode: 'start', since: active.since, maxSeen: active.maxSeen }, total: null };
    }
  }

  /**
   * The object's approximate row count from the run's one record-count call (made by the first
   * read that needs it; concurrent streams share the promise). Without a runId there is no run to
   * share it with, and one call per stream would cost more than the probe page it saves.
   */
  private async countedRows(spec: StreamSpec, ctx: SyncContext): Promise<number | null> {
    if (!ctx.runId && !ctx.cycleId) return null;
    const { runCache, client, countedObjects } = this.options;
    let counts = runCache.get(RECORD_COUNTS) as Promise<RecordCounts> | undefined;
    if (!counts) {
      counts = readRecordCounts(client, countedObjects, ctx.logger);
      runCache.set(RECORD_COUNTS, counts);
      // a failed read (budget, outage) is not cached: the next stream of the run asks again
      counts.catch(() => {
        if (runCache.get(RECORD_COUNTS) === counts) runCache.delete(RECORD_COUNTS);
      });
    }
    return (await counts)?.get(spec.sobject) ?? null;
  }

  /** Runs a query; an INVALID_FIELD on a configured (optional) field drops that field and runs it again. */
  private async withFieldFallback<T>(spec: StreamSpec, ctx: SyncContext, query: () => Promise<T>): Promise<T> {
    const optional = new Set(spec.optionalFields?.(this.options.config) ?? []);
    for (;;) {
      try {
        return await query();
      } catch (err) {
        if (!(err instanceof SalesforceApiError) || err.code !== 'INVALID_FIELD') throw err;
        const field = missingFieldName(err.detail);
        const match = field ? [...optional].find((f) => f.toLowerCase() === field.toLowerCase()) : undefined;
        const dropped = this.options.droppedFields.get(spec.sobject) ?? new Set<string>();
        if (!match || dropped.has(match)) throw err;
        dropped.add(match);
        this.options.droppedFields.set(spec.sobject, dropped);
        ctx.logger.warn(
          { stream: spec.name, field: match },
          `Salesforce ${spec.sobject}.${match} is missing or hidden from the integration user (deleted in the org, or field-level security); reading without it. Fix the mapping in config (salesforce.*) or grant read access`,
        );
      }
    }
  }

  /** Validates, maps and stores one page; bad rows are quarantined, the others kept. */
  async storePage(spec: StreamSpec, rows: Record<string, unknown>[], ctx: SyncContext): Promise<PageOutcome> {
    const out: PageOutcome = { read: rows.length, changed: 0, quarantined: 0, maxSeen: null, accountIds: [], ownerIds: [] };
    const quarantine: QuarantinedRecord[] = [];
    const at = new Date().toISOString();
    const valid: unknown[] = [];
    const validRaw: Record<string, unknown>[] = [];
    for (const item of rows as unknown[]) {
      if (!item || typeof item !== 'object' || Array.isArray(item)) {
        quarantine.push({ source: SOURCE, stream: spec.name, externalId: null, reason: `invalid ${spec.sobject} row: expected a record object, got ${item === null ? 'null' : Array.isArray(item) ? 'an array' : typeof item}`, raw: item, at });
        continue;
      }
      const row = item as Record<string, unknown>;
      const stamp = typeof row.SystemModstamp === 'string' ? new Date(row.SystemModstamp) : null;
      if (stamp && !Number.isNaN(stamp.getTime())) out.maxSeen = maxIso(out.maxSeen, stamp.toISOString());
      const parsed = spec.raw.safeParse(row);
      if (parsed.success) {
        valid.push(parsed.data);
        validRaw.push(row);
      } else {
        quarantine.push({ source: SOURCE, stream: spec.name, externalId: typeof row.Id === 'string' ? row.Id : null, reason: `invalid ${spec.sobject} row: ${summarizeIssues(parsed.error.issues)}`, raw: row, at });
      }
    }
    const env = this.env(ctx.store);
    const state = spec.preparePage ? await spec.preparePage(valid, env) : undefined;
    const schema = recordSchemas[spec.kind];
    const records: AnyRecord[] = [];
    valid.forEach((row, i) => {
      const raw = validRaw[i] as Record<string, unknown>;
      try {
        for (const record of spec.map(row, this.options.config, state)) {
          const checked = schema.safeParse(record);
          if (!checked.success) throw new Error(`mapped ${spec.kind} is invalid: ${summarizeIssues(checked.error.issues)}`);
          records.push(checked.data as AnyRecord);
        }
      } catch (err) {
        quarantine.push({ source: SOURCE, stream: spec.name, externalId: typeof raw.Id === 'string' ? raw.Id : null, reason: `${spec.sobject} row not mapped: ${(err as Error).message}`, raw, at });
      }
    });
    out.quarantined = quarantine.length;
    if (quarantine.length) await ctx.store.quarantine.add(quarantine);

    if (spec.kind === 'activity') {
      const folded = await ctx.store.activities.fold(records as Activity[]);
      out.changed = folded.folded;
      out.accountIds = folded.accountIds;
    } else {
      const res = await ctx.store.records.upsert(spec.kind, records as never[]);
      out.changed = res.changed.length;
      for (const r of res.changed as AnyRecord[]) collectRefs(spec.kind, r, out);
    }
    if (spec.afterPage) await spec.afterPage(valid, env);
    return out;
  }

  private async readDeletions(
    spec: StreamSpec,
    ckpt: StreamCheckpoint,
    lookbackMs: number,
    ctx: SyncContext,
    result: StreamResult,
    accountIds: Set<string>,
    save: () => Promise<void>,
  ): Promise<void> {
    const from = ckpt.deletedCursor ?? ckpt.cursor;
    const since = from ? new Date(Date.parse(from) - lookbackMs).toISOString() : null;
    const what = `${this.what(spec)} deletions`;
    const reader = this.options.reader;
    let page;
    try {
      page = await reader.restFirst(deletedSoql(spec.sobject, spec.deletedFields ?? [], since), what, true);
    } catch (err) {
      // An org where the object has no IsDeleted (or hides it): deletions cannot be seen; say so once per run.
      if (!(err instanceof SalesforceApiError) || err.code !== 'INVALID_FIELD') throw err;
      ctx.logger.warn({ stream: spec.name, err: err.message }, `Salesforce ${spec.sobject}: deleted rows cannot be queried (queryAll … IsDeleted); deletions are picked up by the nightly full reconciliation only`);
      return;
    }
    for (;;) {
      if (ctx.signal?.aborted) throw new StopRun('aborted');
      const removed = await this.applyDeletions(spec, page.records, ctx.store);
      result.deleted += removed.count;
      for (const id of removed.accountIds) accountIds.add(id);
      for (const r of page.records) {
        if (typeof r.SystemModstamp === 'string') ckpt.deletedCursor = maxIso(ckpt.deletedCursor, new Date(r.SystemModstamp).toISOString());
      }
      await save();
      if (!page.next) break;
      page = await reader.restNext(page.next, what);
    }
  }

  /** Removes deleted rows from the store; activities are unfolded from their account. */
  async applyDeletions(spec: StreamSpec, rows: Record<string, unknown>[], store: Store): Promise<{ count: number; accountIds: string[] }> {
    const ids = rows.map((r) => r.Id).filter((id): id is string => typeof id === 'string');
    if (ids.length === 0) return { count: 0, accountIds: [] };
    if (spec.kind === 'activity') {
      const removals = rows
        .filter((r) => typeof r.Id === 'string')
        .map((r) => ({ id: recordId(SOURCE, r.Id as string), accountId: typeof r.AccountId === 'string' && r.AccountId ? recordId(SOURCE, r.AccountId) : null }));
      const res = await store.activities.remove(removals);
      return { count: res.removed, accountIds: res.accountIds };
    }
    const ourIds = ids.flatMap((id) => spec.deletedIds?.(id) ?? [recordId(SOURCE, id)]);
    const res = await store.records.delete(spec.kind, ourIds);
    const accountIds = new Set<string>();
    for (const r of res.removed as AnyRecord[]) {
      const outcome = { accountIds: [] as string[], ownerIds: [] as string[] };
      collectRefs(spec.kind, r, outcome);
      for (const a of outcome.accountIds) accountIds.add(a);
    }
    return { count: res.removed.length, accountIds: [...accountIds] };
  }

  /** Re-reads given ids (change notices): deleted ones are removed, the others stored. */
  async runIds(spec: StreamSpec, externalIds: readonly string[], ctx: SyncContext): Promise<StreamResult> {
    const result = emptyResult(spec.name);
    const callsBefore = this.options.client.calls;
    const accountIds = new Set<string>();
    const ownerIds = new Set<string>();
    const ids = externalIds.filter((id) => /^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/.test(id));
    try {
      for (let i = 0; i < ids.length; i += 200) {
        if (ctx.signal?.aborted) throw new StopRun('aborted');
        const chunk = ids.slice(i, i + 200);
        const where = [`Id IN ${soqlIdList(chunk)}`, spec.filter ? `(${spec.filter})` : null].filter(Boolean).join(' AND ');
        const withDeleted = spec.deletions !== false;
        const select = () => [...new Set([...this.fields(spec), ...(withDeleted ? ['IsDeleted', ...(spec.deletedFields ?? [])] : [])])].join(', ');
        const rows = await this.withFieldFallback(spec, ctx, () => this.options.reader.restAll(`SELECT ${select()} FROM ${spec.sobject} WHERE ${where}`, this.what(spec), withDeleted));
        const deleted = rows.filter((r) => r.IsDeleted === true || r.IsDeleted === 'true');
        const live = rows.filter((r) => !(r.IsDeleted === true || r.IsDeleted === 'true')).map(({ IsDeleted: _d, ...rest }) => rest);
        const pageOut = await this.storePage(spec, live, ctx);
        accumulate(result, pageOut, accountIds, ownerIds);
        const removed = await this.applyDeletions(spec, deleted, ctx.store);
        result.deleted += removed.count;
        for (const a of removed.accountIds) accountIds.add(a);
      }
      result.complete = true;
    } catch (err) {
      if (err instanceof StopRun) result.stoppedReason = err.reason;
      else if (err instanceof BudgetReserveReached || err instanceof DailyLimitReached) result.stoppedReason = 'budget';
      else throw this.explain(spec, err);
    } finally {
      result.calls = this.options.client.calls - callsBefore;
      result.accountIds = [...accountIds];
      result.ownerIds = [...ownerIds];
    }
    return result;
  }

  /** Adds the stream's permission hint to an access error (e.g. ForecastingQuota). */
  private explain(spec: StreamSpec, err: unknown): unknown {
    if (spec.permissionHint && err instanceof SalesforceApiError && /INSUFFICIENT_ACCESS|INVALID_TYPE|NOT_FOUND|API_DISABLED/.test(err.code)) {
      return new SalesforceApiError({ what: err.what, status: err.status, code: err.code, detail: err.detail }, spec.permissionHint);
    }
    return err;
  }
}

interface FetchedPage {
  records: Record<string, unknown>[];
  next: string | null;
  total: number | null;
}

export interface PageOutcome {
  read: number;
  changed: number;
  quarantined: number;
  maxSeen: string | null;
  accountIds: string[];
  ownerIds: string[];
}

function emptyResult(stream: string): StreamResult {
  return { source: SOURCE, stream, pages: 0, read: 0, changed: 0, deleted: 0, quarantined: 0, accountIds: [], ownerIds: [], complete: false, stoppedReason: null, calls: 0 };
}

function accumulate(result: StreamResult, page: PageOutcome, accountIds: Set<string>, ownerIds: Set<string>): void {
  result.pages += 1;
  result.read += page.read;
  result.changed += page.changed;
  result.quarantined += page.quarantined;
  for (const id of page.accountIds) accountIds.add(id);
  for (const id of page.ownerIds) ownerIds.add(id);
}

/** Which accounts and owners a changed record concerns (what to rescore). */
function collectRefs(kind: RecordKind, r: AnyRecord, out: { accountIds: string[]; ownerIds: string[] }): void {
  const rec = r as Record<string, unknown>;
  if (kind === 'account') out.accountIds.push(r.id);
  else if (typeof rec.accountId === 'string') out.accountIds.push(rec.accountId);
  if (kind === 'owner') out.ownerIds.push(r.id);
  else if ((kind === 'deal' || kind === 'quota') && typeof rec.ownerId === 'string') out.ownerIds.push(rec.ownerId);
}

function summarizeIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  return issues
    .slice(0, 5)
    .map((i) => `${i.path.map(String).join('.') || '(row)'}: ${i.message}`)
    .join('; ');
}

/** A query locator or Bulk job the org no longer has (expired after inactivity, deleted). */
function isExpired(err: unknown): boolean {
  return err instanceof SalesforceApiError && (err.code === 'INVALID_QUERY_LOCATOR' || err.code === 'NOT_FOUND' || err.status === 404);
}
