/**
 * The one runner every Salesforce stream goes through.
 *
 * A pass reads the rows whose SystemModstamp is in `(cursor - sync.lookback, windowEnd]`, where
 * windowEnd is the org's time (learned from its Date headers) minus `sync.settle`, fixed when the
 * pass starts: a long transaction's rows carry a SystemModstamp earlier than their commit, and a
 * skewed local clock cannot open a gap. The next pass starts at this windowEnd; the store dedupes
 * by id + modstamp. Page by page, the checkpoint saved after each page is stored:
 *  - a read from the beginning (initial or full) within a run first asks the org's record counts,
 *    one call for every object, cached for the run (recordCounts.ts): above `sync.bulkThreshold`
 *    the read starts as a Bulk API 2.0 job with no REST page wasted;
 *  - otherwise the first page is a REST query; its `totalSize` is the row count (a COUNT() that
 *    costs nothing), and above `sync.bulkThreshold` the read switches to a Bulk API 2.0 job (the
 *    counts are a lagging hint: this check still applies);
 *  - an incremental read is one `queryAll` (REST or Bulk): changed rows and deleted ones
 *    (IsDeleted = true) in one result; deleted rows become store deletes;
 *  - the next page (REST `nextRecordsUrl`, Bulk `Sforce-Locator`) is fetched while the current
 *    one is stored, one page ahead;
 *  - the checkpoint holds where the read is (REST `nextRecordsUrl`, or Bulk job id + locator), so
 *    a killed run resumes mid-stream; a locator or job that has expired restarts the same window.
 * Rows that fail their raw schema, their mapper or the model are quarantined with the reason;
 * the rest of the page is kept. The daily reserve (BudgetReserveReached), the 403 daily limit and
 * the abort signal stop the run between pages with `complete: false`.
 */
import { isWriteBackEcho } from '../../domain/writeback.js';
import { accountsOfChangedLineItems } from '../dealAccounts.js';
import type { Logger } from 'pino';
import type { Config } from '../../config/schema.js';
import { durationMs } from '../../config/schema.js';
import { recordId, recordSchemas, type AnyRecord, type Activity, type QuarantinedRecord, type RecordKind } from '../../domain/model.js';
import type { Store } from '../../store/index.js';
import { BudgetReserveReached } from '../budget.js';
import { fetchAhead } from '../prefetch.js';
import type { StreamResult, SyncContext } from '../types.js';
import type { SalesforceClient } from './client.js';
import { DailyLimitReached, SalesforceApiError, missingFieldName } from './errors.js';
import type { QueryReader } from './query.js';
import { readRecordCounts, type RecordCounts } from './recordCounts.js';
import { incrementalSoql, soqlIdList } from './soql.js';
import type { StreamEnv, StreamSpec } from './streams/spec.js';

/**
 * Where a read is; saved after every page. `windowEnd` (ISO, whole seconds): the upper bound of
 * the pass, null until the pass has learned the org's time (checkpoints written before it had none).
 */
export type ActiveRead =
  | { mode: 'start'; since: string | null; maxSeen: string | null; windowEnd?: string | null }
  | { mode: 'rest'; next: string; since: string | null; maxSeen: string | null; windowEnd?: string | null }
  | { mode: 'bulk'; jobId: string; locator: string | null; since: string | null; maxSeen: string | null; windowEnd?: string | null };

export interface StreamCheckpoint {
  v: 1;
  /** everything with a SystemModstamp up to here is in the store (the windowEnd of the last complete pass) */
  cursor: string | null;
  /** older checkpoints: deletions handled up to here (now they come with the changes); cleared by the next complete pass */
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
    const lookbackMs = durationMs(this.options.config.sync.lookback);
    // a full re-read of a stream read before also removes what was deleted since
    const storedBefore = (stored?.cursor ?? null) !== null || ckpt.active?.since != null;
    const save = () => ctx.store.checkpoints.save(SOURCE, spec.name, ckpt);
    const accountIds = new Set<string>();
    const ownerIds = new Set<string>();
    let ahead: Promise<NextPage> | null = null;

    try {
      // a checkpoint from before deletions came with the changes may have handled deletions up to an earlier point
      const from = ckpt.cursor !== null && ckpt.deletedCursor !== null && ckpt.deletedCursor < ckpt.cursor ? ckpt.deletedCursor : ckpt.cursor;
      ckpt.active ??= { mode: 'start', since: from ? new Date(Date.parse(from) - lookbackMs).toISOString() : null, maxSeen: null, windowEnd: null };
      while (ckpt.active) {
        if (ctx.signal?.aborted) throw new StopRun('aborted');
        const active: ActiveRead = ckpt.active;
        const page: NextPage = await (ahead ?? this.nextPage(spec, active, ctx, ckpt.fullRows ?? null, storedBefore));
        ahead = null;
        if ('switchTo' in page) {
          ckpt.active = page.switchTo;
          if (page.total !== null && active.since === null) ckpt.fullRows = page.total;
          await save();
          continue;
        }
        if (active.mode === 'start' && active.since === null && page.total !== null) ckpt.fullRows = page.total;
        const windowEnd: string = page.windowEnd;
        const following: ActiveRead | null =
          page.next === null ? null : active.mode === 'bulk' ? { ...active, locator: page.next, windowEnd } : { mode: 'rest', next: page.next, since: active.since, maxSeen: active.maxSeen, windowEnd };
        // one page ahead: the next page is on its way while this one is stored
        if (following) {
          const nextRead: ActiveRead = following;
          ahead = fetchAhead((): Promise<NextPage> => this.nextPage(spec, nextRead, ctx, ckpt.fullRows ?? null, storedBefore));
        }
        // rows past the window (an unbounded first query) are the next pass's
        const inWindow = page.records.filter((r) => !(typeof r.SystemModstamp === 'string' && Date.parse(r.SystemModstamp) > Date.parse(windowEnd)));
        const deleted = inWindow.filter(isDeletedRow);
        const live = deleted.length ? inWindow.filter((r) => !isDeletedRow(r)) : inWindow;
        const pageOut = await this.storePage(spec, live.map(withoutIsDeleted), ctx);
        accumulate(result, pageOut, accountIds, ownerIds);
        if (deleted.length) {
          const removed = await this.applyDeletions(spec, deleted, ctx.store);
          result.deleted += removed.count;
          for (const id of removed.accountIds) accountIds.add(id);
        }
        const maxSeen = maxIso(active.maxSeen, pageOut.maxSeen);
        if (following === null) {
          ckpt.cursor = maxIso(ckpt.cursor, windowEnd);
          ckpt.deletedCursor = null;
          ckpt.active = null;
        } else {
          ckpt.active = { ...following, maxSeen };
        }
        await save();
        ctx.onPage?.({ stream: spec.name, pages: result.pages, read: result.read, total: page.total });
      }

      result.complete = true;
    } catch (err) {
      if (err instanceof StopRun) result.stoppedReason = err.reason;
      else if (err instanceof BudgetReserveReached || err instanceof DailyLimitReached) {
        ctx.logger.warn({ stream: spec.name, err: err.message }, 'Salesforce sync stopped at its checkpoint: API allowance');
        result.stoppedReason = 'budget';
      } else throw this.explain(spec, err);
    } finally {
      // a page fetched ahead of a run that stopped is waited for (and dropped): no call outlives the run
      await (ahead as Promise<NextPage> | null)?.catch(() => {});
      result.calls = this.options.client.calls - callsBefore;
      result.accountIds = [...accountIds];
      result.ownerIds = [...ownerIds];
    }
    return result;
  }

  /** The org's time at local instant `sentAt` minus settle, floored to the second (SOQL's resolution). */
  private windowEndAt(sentAt: number): string {
    const ms = this.options.client.clock.serverTime(sentAt) - durationMs(this.options.config.sync.settle);
    return new Date(Math.floor(ms / 1000) * 1000).toISOString();
  }

  /**
   * A read of an object with deletions, once something is stored (an incremental pass, or a full
   * re-read): queryAll with IsDeleted (and what deleting needs), deleted rows in the same result.
   * The very first read has nothing to delete: a plain query.
   */
  private readsDeleted(spec: StreamSpec, storedBefore: boolean): boolean {
    return storedBefore && spec.deletions !== false && !this.options.droppedFields.get(spec.sobject)?.has(IS_DELETED);
  }

  /**
   * Fetches the next page of the active read. A 'start' read runs the REST query and switches to
   * Bulk 2.0 when the row count is over the threshold (`switchTo`: the checkpoint then holds the job).
   * The pass's windowEnd is fixed here: from the org's clock when an answer has told it, else the
   * first query goes without an upper bound and windowEnd comes from the time it was sent.
   */
  private async nextPage(spec: StreamSpec, active: ActiveRead, ctx: SyncContext, fullRows: number | null, storedBefore: boolean): Promise<NextPage> {
    const reader = this.options.reader;
    const clock = this.options.client.clock;
    const what = this.what(spec);
    const threshold = this.options.config.sync.bulkThreshold;
    const sentAt = clock.localNow();
    const known = active.windowEnd ?? (clock.known ? this.windowEndAt(sentAt) : null);
    const windowEnd = () => known ?? this.windowEndAt(sentAt);
    const all = () => this.readsDeleted(spec, storedBefore);
    const soql = (ordered = true) => {
      const fields = all() ? [...new Set([...this.fields(spec), IS_DELETED, ...(spec.deletedFields ?? [])])] : this.fields(spec);
      return incrementalSoql({ sobject: spec.sobject, fields, since: active.since, until: known, ordered, ...(spec.filter ? { filter: spec.filter } : {}) });
    };
    if (active.mode === 'start') {
      // A read from the beginning of an object known (last full read) or counted (record counts)
      // to be large goes straight to Bulk: no probe page.
      if (spec.bulk && active.since === null) {
        const rows = fullRows !== null && fullRows > threshold ? fullRows : await this.countedRows(spec, ctx);
        if (rows !== null && rows > threshold) {
          const jobId = await this.withFieldFallback(spec, ctx, () => reader.bulkStart(soql(false), what, all()));
          ctx.logger.info({ stream: spec.name, rows, jobId }, 'Salesforce stream read through Bulk API 2.0');
          return { switchTo: { mode: 'bulk', jobId, locator: null, since: null, maxSeen: active.maxSeen, windowEnd: windowEnd() }, total: null };
        }
      }
      // The first REST page's totalSize is the row count: a COUNT() that costs no extra call.
      const first = await this.withFieldFallback(spec, ctx, () => reader.restFirst(soql(), what, all()));
      if (spec.bulk && first.totalSize > threshold) {
        const jobId = await reader.bulkStart(soql(false), what, all());
        ctx.logger.info({ stream: spec.name, rows: first.totalSize, jobId }, 'Salesforce stream read through Bulk API 2.0');
        return { switchTo: { mode: 'bulk', jobId, locator: null, since: active.since, maxSeen: active.maxSeen, windowEnd: windowEnd() }, total: first.totalSize };
      }
      return { records: first.records, next: first.next, total: first.totalSize, windowEnd: windowEnd() };
    }
    try {
      if (active.mode === 'rest') {
        const page = await reader.restNext(active.next, what);
        return { records: page.records, next: page.next, total: page.totalSize, windowEnd: windowEnd() };
      }
      const page = await reader.bulkPage(active.jobId, active.locator, what);
      return { records: page.records, next: page.locator, total: null, windowEnd: windowEnd() };
    } catch (err) {
      if (!isExpired(err)) throw err;
      ctx.logger.warn({ stream: spec.name, mode: active.mode }, 'Salesforce query locator or Bulk 2.0 job expired; reading the same window again');
      return { switchTo: { mode: 'start', since: active.since, maxSeen: active.maxSeen, windowEnd: active.windowEnd ?? null }, total: null };
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
        const dropped = this.options.droppedFields.get(spec.sobject) ?? new Set<string>();
        if (field?.toLowerCase() === IS_DELETED.toLowerCase() && !dropped.has(IS_DELETED)) {
          // An org where the object has no IsDeleted (or hides it): deletions cannot be seen; read changes only.
          dropped.add(IS_DELETED);
          this.options.droppedFields.set(spec.sobject, dropped);
          ctx.logger.warn({ stream: spec.name }, `Salesforce ${spec.sobject}: deleted rows cannot be queried (queryAll … IsDeleted); deletions are picked up by the nightly full reconciliation only`);
          continue;
        }
        const match = field ? [...optional].find((f) => f.toLowerCase() === field.toLowerCase()) : undefined;
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
  /**
   * Stores a page in chunks of a REST page's size, yielding to the event loop between them: a Bulk
   * page of 50,000 rows parsed and mapped in one go would hold the loop for seconds, starving the
   * other streams (a rate-limited HubSpot stream loses its share of the window meanwhile).
   */
  async storePage(spec: StreamSpec, rows: Record<string, unknown>[], ctx: SyncContext): Promise<PageOutcome> {
    if (rows.length <= STORE_CHUNK) return this.storeChunk(spec, rows, ctx);
    const out: PageOutcome = { read: 0, changed: 0, quarantined: 0, maxSeen: null, accountIds: [], ownerIds: [] };
    for (let i = 0; i < rows.length; i += STORE_CHUNK) {
      if (i > 0) await new Promise<void>((resolve) => setImmediate(resolve));
      const part = await this.storeChunk(spec, rows.slice(i, i + STORE_CHUNK), ctx);
      out.read += part.read;
      out.changed += part.changed;
      out.quarantined += part.quarantined;
      out.maxSeen = part.maxSeen === null ? out.maxSeen : maxIso(out.maxSeen, part.maxSeen);
      out.accountIds.push(...part.accountIds);
      out.ownerIds.push(...part.ownerIds);
    }
    return out;
  }

  private async storeChunk(spec: StreamSpec, rows: Record<string, unknown>[], ctx: SyncContext): Promise<PageOutcome> {
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
      (res.changed as AnyRecord[]).forEach((r, i) => {
        // our own write-back read back: stored, but nothing to rescore
        if (spec.kind === 'account' && isWriteBackEcho(res.previous[i], r)) return;
        collectRefs(spec.kind, r, out);
      });
      if (spec.kind === 'lineItem') out.accountIds.push(...(await accountsOfChangedLineItems(ctx.store, res.changed as AnyRecord[])));
    }
    if (spec.afterPage) await spec.afterPage(valid, env);
    return out;
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
  /** upper bound of the pass (ISO, whole seconds) */
  windowEnd: string;
}

type NextPage = FetchedPage | { switchTo: ActiveRead; total: number | null };

const IS_DELETED = 'IsDeleted';

function isDeletedRow(r: Record<string, unknown>): boolean {
  return r.IsDeleted === true || r.IsDeleted === 'true';
}

function withoutIsDeleted(r: Record<string, unknown>): Record<string, unknown> {
  if (!('IsDeleted' in r)) return r;
  const { IsDeleted: _deleted, ...rest } = r;
  return rest;
}

/** rows stored at a time (a REST page) */
const STORE_CHUNK = 2_000;

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
