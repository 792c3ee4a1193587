/**
 * The one runner every object stream spec goes through.
 *
 *  initial:      GET /crm/v3/objects/{type}, 100 per page (50 with property history), properties
 *                and associations inline; the checkpoint keeps `after`. It hands over to the
 *                incremental phase at HubSpot's time when the load began, minus `sync.settle`.
 *  incremental:  POST …/search on the modstamp in `[cursor - sync.lookback, windowEnd]`, windowEnd
 *                = HubSpot's time (its Date headers, so our clock's skew opens no gap) minus
 *                `sync.settle` (search is eventually consistent), fixed for the pass; the next pass
 *                starts at windowEnd. 200 per page, sorted by hs_object_id and filtered
 *                `hs_object_id > lastId` (keyset paging: never reaches the 10,000-result cap,
 *                however many records changed); associations for each page through one v4 batch
 *                read per type.
 *  deletions:    GET …?archived=true pages after each completed change pass → store deletes of
 *                records archived in the same window.
 *  merges:       a record's hs_merged_object_ids (read on every page that asks for it: companies,
 *                contacts, deals, tickets; no extra call) names records merged away into it, which
 *                HubSpot no longer lists, archived or not: each becomes a store delete of the
 *                stream's kind, the path archived records take, on full and incremental reads alike;
 *                a merged account's stored contacts, deals and tickets move to the survivor.
 * Each next page is fetched while the current one is stored (one page ahead). The checkpoint is
 * saved after each page's records are in the store, so a killed run resumes at the next page and
 * loses nothing; the store dedupes replays by (id, modstamp).
 */
import type { Logger } from 'pino';
import { isWriteBackEcho } from '../../domain/writeback.js';
import { accountsOfChangedLineItems } from '../dealAccounts.js';
import { z } from 'zod';
import type { Config } from '../../config/schema.js';
import { durationMs } from '../../config/schema.js';
import { recordSchemas, type Activity, type AnyRecord, type QuarantinedRecord, type RecordKind, type RecordOf } from '../../domain/model.js';
import { BudgetReserveReached } from '../budget.js';
import { fetchAhead } from '../prefetch.js';
import type { ServerClock } from '../serverClock.js';
import type { StreamResult, SyncContext } from '../types.js';
import { SyncAborted, type HubSpotGateway } from './gateway.js';
import type { MetadataCache } from './metadata.js';
import { mergedIdsOf, RawObject, zodReason, type RawObject as Raw } from './raw.js';
import type { MapContext, Mapped, ObjectStreamSpec } from './streams/spec.js';

/** The id of a raw result, or null when the item is not a record object (it is then quarantined). */
function idOf(item: unknown): string | null {
  const id = item && typeof item === 'object' ? (item as { id?: unknown }).id : undefined;
  return id === undefined || id === null ? null : String(id);
}

/** A search result's modstamp (ms): the stream's modified property, else `updatedAt`. */
function modifiedAt(item: unknown, property: string): number {
  const r = item as { properties?: Record<string, unknown>; updatedAt?: unknown };
  const value = r?.properties?.[property] ?? r?.updatedAt;
  if (value instanceof Date) return value.getTime();
  const text = String(value ?? '');
  const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  return Number.isNaN(ms) ? Number.POSITIVE_INFINITY : ms;
}

export const LIST_PAGE = 100;
export const LIST_PAGE_WITH_HISTORY = 50;
export const SEARCH_PAGE = 200;
export const BATCH_READ = 100;
export const BATCH_READ_WITH_HISTORY = 50;
export const ASSOCIATION_BATCH = 1_000;

export const ObjectCheckpoint = z.discriminatedUnion('phase', [
  z.object({ phase: z.literal('initial'), after: z.string().nullable().default(null), startedAt: z.number() }),
  z.object({
    phase: z.literal('incremental'),
    /** everything modified up to here (ms) is in the store */
    cursor: z.number(),
    step: z.enum(['changes', 'deletions']).default('changes'),
    /** upper bound of the pass in progress (fixed so a resumed pass reads the same window) */
    windowEnd: z.number().nullable().default(null),
    lastId: z.string().nullable().default(null),
    archivedAfter: z.string().nullable().default(null),
  }),
]);
export type ObjectCheckpoint = z.infer<typeof ObjectCheckpoint>;
type IncrementalCheckpoint = Extract<ObjectCheckpoint, { phase: 'incremental' }>;

export interface StreamRunnerOptions {
  gateway: HubSpotGateway;
  metadata: MetadataCache;
  config: Config;
  logger: Logger;
  now?: () => number;
}

interface RunState {
  spec: ObjectStreamSpec;
  ctx: SyncContext;
  result: StreamResult;
  counter: { calls: number };
  mapContext: MapContext;
  accountIds: Set<string>;
  ownerIds: Set<string>;
  /** requested properties HubSpot did not return: deleted or renamed in the portal */
  missingProperties: Set<string>;
  /** parts of hs_merged_object_ids values that were not ids (skipped), and an example record */
  mergedIdJunk: { count: number; example: string | null };
  /** the page being fetched ahead, settled before the run returns */
  ahead: Promise<unknown> | null;
}

export function emptyResult(stream: string): StreamResult {
  return { source: 'hubspot', stream, pages: 0, read: 0, changed: 0, deleted: 0, quarantined: 0, accountIds: [], ownerIds: [], complete: false, stoppedReason: null, calls: 0 };
}

export class StreamRunner {
  private readonly now: () => number;

  constructor(private readonly options: StreamRunnerOptions) {
    this.now = options.now ?? Date.now;
  }

  private get gateway(): HubSpotGateway {
    return this.options.gateway;
  }

  private get clock(): ServerClock {
    return this.options.gateway.clock;
  }

  /** Reads a stream from its checkpoint to its end (or until the budget reserve / an abort stops it). */
  async run(spec: ObjectStreamSpec, ctx: SyncContext): Promise<StreamResult> {
    const state = await this.begin(spec, ctx);
    return this.finish(state, async () => {
      const checkpoint = ctx.full ? null : await this.loadCheckpoint(spec, ctx);
      // a run that loads (or finishes loading) the stream stops there: the next run reads what
      // changed since the load began, so the initial sync costs only its list pages
      if (!checkpoint || checkpoint.phase === 'initial') await this.initial(state, checkpoint ?? { after: null, startedAt: null });
      else await this.incremental(state, checkpoint);
    });
  }

  /** Re-reads given records (webhook change notices): batch read, 100 per call; ids HubSpot no longer has are deleted. */
  async runIds(spec: ObjectStreamSpec, externalIds: readonly string[], ctx: SyncContext): Promise<StreamResult> {
    const state = await this.begin(spec, ctx);
    return this.finish(state, async () => {
      const size = spec.propertiesWithHistory?.length ? BATCH_READ_WITH_HISTORY : BATCH_READ;
      const unique = [...new Set(externalIds)];
      for (let i = 0; i < unique.length; i += size) {
        const ids = unique.slice(i, i + size);
        const response = await this.gateway.call(
          { operation: `${spec.objectType} batch read`, scope: spec.scope, idempotent: true, counter: state.counter },
          (c, o) =>
            c.crm.objects.batchApi.read(spec.objectType, {
              inputs: ids.map((id) => ({ id })),
              properties: spec.properties(this.options.config),
              propertiesWithHistory: [...(spec.propertiesWithHistory ?? [])],
            }, false, o),
          ctx.signal,
        );
        const results = response.results as unknown[];
        const found = new Set(results.map(idOf).filter((id): id is string => id !== null));
        await this.ingestPage(state, results, await this.associationsFor(state, results));
        await this.deleteIds(state, ids.filter((id) => !found.has(id)).map((id) => ({ id, raw: null })));
      }
    });
  }

  private async begin(spec: ObjectStreamSpec, ctx: SyncContext): Promise<RunState> {
    const counter = { calls: 0 };
    const mapContext: MapContext = { config: this.options.config, dealStages: new Map(), ownerIdByUserId: new Map() };
    return { spec, ctx, result: emptyResult(spec.name), counter, mapContext, accountIds: new Set(), ownerIds: new Set(), missingProperties: new Set(), mergedIdJunk: { count: 0, example: null }, ahead: null };
  }

  private async finish(state: RunState, work: () => Promise<void>): Promise<StreamResult> {
    const { result } = state;
    try {
      if (state.spec.needs?.includes('dealStages')) state.mapContext.dealStages = await this.options.metadata.dealStages(state.counter, state.ctx.signal);
      if (state.spec.needs?.includes('owners')) state.mapContext.ownerIdByUserId = await this.options.metadata.ownerIdByUserId(state.counter, state.ctx.signal, state.ctx.store);
      await work();
      result.complete = true;
    } catch (err) {
      if (err instanceof BudgetReserveReached) {
        result.stoppedReason = 'budget';
        state.ctx.logger.warn({ stream: state.spec.name }, err.message);
      } else if (err instanceof SyncAborted) {
        result.stoppedReason = 'aborted';
      } else {
        throw err;
      }
    } finally {
      // a page fetched ahead of a run that stopped is waited for (and dropped): no call outlives the run
      await state.ahead?.catch(() => {});
      result.calls = state.counter.calls;
      result.accountIds = [...state.accountIds];
      result.ownerIds = [...state.ownerIds];
      if (state.mergedIdJunk.count > 0) {
        state.ctx.logger.warn(
          { stream: state.spec.name, skipped: state.mergedIdJunk.count, example: state.mergedIdJunk.example },
          `HubSpot ${state.spec.objectType}: ${state.mergedIdJunk.count} part(s) of hs_merged_object_ids were not record ids and were skipped (first in record ${state.mergedIdJunk.example}); the ids beside them were followed`,
        );
      }
      if (state.missingProperties.size > 0) {
        state.ctx.logger.warn(
          { stream: state.spec.name, properties: [...state.missingProperties] },
          `HubSpot ${state.spec.objectType}: properties ${[...state.missingProperties].join(', ')} do not exist in the portal (deleted or renamed); their values are read as empty. Fix the mapping in config (hubspot.accountFields, renewalDateField, churnLabelField, usageField) or recreate the properties`,
        );
      }
    }
    return result;
  }

  private async loadCheckpoint(spec: ObjectStreamSpec, ctx: SyncContext): Promise<ObjectCheckpoint | null> {
    const raw = await ctx.store.checkpoints.get<unknown>('hubspot', spec.name);
    if (raw === null) return null;
    const parsed = ObjectCheckpoint.safeParse(raw);
    if (parsed.success) return parsed.data;
    ctx.logger.warn({ stream: spec.name, reason: zodReason(parsed.error) }, `HubSpot ${spec.name}: checkpoint unreadable; starting a full load`);
    return null;
  }

  private async save(state: RunState, checkpoint: ObjectCheckpoint): Promise<void> {
    await state.ctx.store.checkpoints.save('hubspot', state.spec.name, checkpoint);
  }

  private pageDone(state: RunState, total: number | null): void {
    state.result.pages += 1;
    state.ctx.onPage?.({ stream: state.spec.name, pages: state.result.pages, read: state.result.read, total });
  }

  /** Starts fetching a page now (one page ahead of the one being stored). */
  private fetchAhead<T>(state: RunState, fetch: () => Promise<T>): Promise<T> {
    const pending = fetchAhead(fetch);
    state.ahead = pending;
    return pending;
  }

  /** The page fetched ahead, unless the run was aborted meanwhile: it then stops between pages. */
  private async arrived<T>(state: RunState, pending: Promise<T>): Promise<T> {
    const page = await pending;
    if (state.ctx.signal?.aborted) throw new SyncAborted();
    return page;
  }

  /** The server time a pass may read up to: `serverNow - settle` at local instant `sentAt`. */
  private windowEndAt(sentAt: number): number {
    return this.clock.serverTime(sentAt) - durationMs(this.options.config.sync.settle);
  }

  private async initial(state: RunState, start: { after: string | null; startedAt: number | null }): Promise<void> {
    const { spec } = state;
    const withHistory = (spec.propertiesWithHistory?.length ?? 0) > 0;
    const listPage = (after: string | null) =>
      this.gateway.call(
        { operation: `${spec.objectType} list`, scope: spec.scope, idempotent: true, counter: state.counter },
        (c, o) =>
          c.crm.objects.basicApi.getPage(
            spec.objectType,
            withHistory ? LIST_PAGE_WITH_HISTORY : LIST_PAGE,
            after ?? undefined,
            spec.properties(this.options.config),
            withHistory ? [...(spec.propertiesWithHistory ?? [])] : undefined,
            spec.associations.length ? [...spec.associations] : undefined,
            false,
            o,
          ),
        state.ctx.signal,
      );
    // the hand-over cursor: the CRM's time when the load began, minus settle (a record changed
    // during the load is read again by the first incremental pass). Unknown before the first
    // answer in this process: the first request's send time, converted once its Date is seen.
    const sentAt = this.clock.localNow();
    let startedAt = start.startedAt ?? (this.clock.known ? this.windowEndAt(sentAt) : null);
    let pending = this.fetchAhead(state, () => listPage(start.after));
    for (;;) {
      const page = await this.arrived(state, pending);
      startedAt ??= this.windowEndAt(sentAt);
      const after = page.paging?.next?.after ?? null;
      if (after) pending = this.fetchAhead(state, () => listPage(after));
      await this.ingestPage(state, page.results as unknown[], null);
      const next: ObjectCheckpoint = after
        ? { phase: 'initial', after, startedAt }
        : { phase: 'incremental', cursor: startedAt, step: 'changes', windowEnd: null, lastId: null, archivedAfter: null };
      await this.save(state, next);
      this.pageDone(state, null);
      if (!after) return;
    }
  }

  /**
   * One pass reads what changed in `[cursor - lookback, windowEnd]`, windowEnd = the CRM's time
   * minus `sync.settle` (search is eventually consistent), fixed when the pass starts so a resumed
   * pass reads the same window; the next pass starts at this windowEnd.
   */
  private async incremental(state: RunState, from: IncrementalCheckpoint): Promise<void> {
    const { spec } = state;
    const lookback = durationMs(this.options.config.sync.lookback);
    // a process that has not heard from HubSpot yet sends its first search without an upper bound
    // and fixes windowEnd from that answer's Date: records past it are left to the next pass
    let windowEnd: number | null = from.windowEnd ?? (this.clock.known ? this.windowEndAt(this.clock.localNow()) : null);
    let ckpt: IncrementalCheckpoint = { ...from, windowEnd };

    if (ckpt.step === 'changes') {
      const search = (lastId: string | null, upTo: number | null) => {
        const filters = [
          { propertyName: spec.modifiedProperty, operator: 'GTE', value: String(Math.max(0, ckpt.cursor - lookback)) },
          ...(upTo !== null ? [{ propertyName: spec.modifiedProperty, operator: 'LTE', value: String(upTo) }] : []),
          ...(lastId ? [{ propertyName: 'hs_object_id', operator: 'GT', value: lastId }] : []),
        ];
        return this.gateway.call(
          { lane: 'search', operation: `${spec.objectType} search`, scope: spec.scope, idempotent: true, counter: state.counter },
          (c, o) =>
            c.crm.objects.searchApi.doSearch(spec.objectType, {
              filterGroups: [{ filters: filters as never }],
              // the SDK types sorts as string[]; HubSpot takes the object form
              sorts: [{ propertyName: 'hs_object_id', direction: 'ASCENDING' } as never],
              // streams with history re-read each page by batch read: the search only finds ids
              properties: spec.propertiesWithHistory?.length ? ['hs_object_id', spec.modifiedProperty] : spec.properties(this.options.config),
              limit: SEARCH_PAGE,
              after: undefined as never,
            }, o),
          state.ctx.signal,
        );
      };
      const sentAt = this.clock.localNow();
      let pending = this.fetchAhead(state, () => search(ckpt.lastId, windowEnd));
      for (;;) {
        const page = await this.arrived(state, pending);
        const bounded = windowEnd !== null;
        windowEnd ??= this.windowEndAt(sentAt);
        const upTo = windowEnd;
        const all = page.results as unknown[];
        // keyset paging continues after the last id returned, inside the window or not
        const lastId = all.length ? String((all[all.length - 1] as { id?: unknown }).id) : ckpt.lastId;
        // a full last page needs no empty search after it: `total` counts what the filter still matches
        const more = !!page.paging?.next?.after || (typeof page.total === 'number' ? page.total > all.length : all.length >= SEARCH_PAGE);
        if (more) pending = this.fetchAhead(state, () => search(lastId, upTo));
        const results = bounded ? all : all.filter((r) => modifiedAt(r, spec.modifiedProperty) <= upTo);
        // search returns no associations and no history: fetch them for this page
        const enriched = spec.propertiesWithHistory?.length ? await this.withHistory(state, results) : results;
        await this.ingestPage(state, enriched, await this.associationsFor(state, results));
        ckpt = more ? { ...ckpt, windowEnd, lastId } : { ...ckpt, windowEnd, lastId: null, step: 'deletions', archivedAfter: null };
        await this.save(state, ckpt);
        this.pageDone(state, page.total ?? null);
        if (!more) break;
      }
    }

    // deletions: archived records since HubSpot keeps them (90 days); deleting an absent id is a no-op
    const archivedList = (after: string | null) =>
      this.gateway.call(
        { operation: `${spec.objectType} archived list`, scope: spec.scope, idempotent: true, counter: state.counter },
        (c, o) =>
          c.crm.objects.basicApi.getPage(spec.objectType, LIST_PAGE, after ?? undefined, ['hs_object_id'], undefined, spec.kind === 'activity' ? ['companies'] : undefined, true, o),
        state.ctx.signal,
      );
    const archivedSentAt = this.clock.localNow();
    let pending = this.fetchAhead(state, () => archivedList(ckpt.archivedAfter));
    for (;;) {
      const page = await this.arrived(state, pending);
      // a pass resumed at its deletions step by a process that had not heard from HubSpot yet
      windowEnd ??= this.windowEndAt(archivedSentAt);
      const upTo = windowEnd;
      const after = page.paging?.next?.after ?? null;
      if (after) pending = this.fetchAhead(state, () => archivedList(after));
      const archivedSince = ckpt.cursor - lookback;
      const gone = (page.results as unknown[])
        .map((r) => RawObject.safeParse(r))
        .filter((p): p is { success: true; data: Raw } => p.success)
        .filter((p) => {
          if (!p.data.archivedAt) return true;
          const at = Date.parse(p.data.archivedAt);
          return at >= archivedSince && at <= upTo;
        })
        .map((p) => ({ id: p.data.id, raw: p.data }));
      await this.deleteIds(state, gone);
      if (!after) {
        await this.save(state, { phase: 'incremental', cursor: upTo, step: 'changes', windowEnd: null, lastId: null, archivedAfter: null });
        return;
      }
      ckpt = { ...ckpt, windowEnd: upTo, archivedAfter: after };
      await this.save(state, ckpt);
    }
  }

  /** Search pages carry no property history: batch read it (50 per call, the history cap). */
  private async withHistory(state: RunState, results: unknown[]): Promise<unknown[]> {
    const { spec } = state;
    const out: unknown[] = [];
    const ids = results.map((r) => String((r as { id?: unknown }).id));
    for (let i = 0; i < ids.length; i += BATCH_READ_WITH_HISTORY) {
      const chunk = ids.slice(i, i + BATCH_READ_WITH_HISTORY);
      const response = await this.gateway.call(
        { operation: `${spec.objectType} batch read with history`, scope: spec.scope, idempotent: true, counter: state.counter },
        (c, o) =>
          c.crm.objects.batchApi.read(spec.objectType, {
            inputs: chunk.map((id) => ({ id })),
            properties: spec.properties(this.options.config),
            propertiesWithHistory: [...(spec.propertiesWithHistory ?? [])],
          }, false, o),
        state.ctx.signal,
      );
      out.push(...(response.results as unknown[]));
    }
    // a record deleted between search and read is left to the deletion pass
    return out;
  }

  /** v4 batch read (≤1,000 ids per call) of each association type the spec wants. */
  private async associationsFor(state: RunState, results: unknown[]): Promise<Map<string, Map<string, string[]>> | null> {
    const { spec } = state;
    if (spec.associations.length === 0 || results.length === 0) return null;
    const ids = [...new Set(results.map(idOf).filter((id): id is string => id !== null))];
    const byType = new Map<string, Map<string, string[]>>();
    for (const toType of spec.associations) {
      const map = new Map<string, string[]>();
      for (let i = 0; i < ids.length; i += ASSOCIATION_BATCH) {
        const chunk = ids.slice(i, i + ASSOCIATION_BATCH);
        const response = await this.gateway.call(
          { operation: `${spec.objectType}→${toType} associations batch read`, scope: spec.scope, idempotent: true, counter: state.counter },
          (c, o) => c.crm.associations.v4.batchApi.getPage(spec.objectType, toType, { inputs: chunk.map((id) => ({ id })) }, o),
          state.ctx.signal,
        );
        for (const r of response.results) {
          const from = String(r._from.id);
          // labelled (primary) associations first, as inline lists are read
          const sorted = [...r.to].sort((a, b) => Number(b.associationTypes.some((t) => !!t.label)) - Number(a.associationTypes.some((t) => !!t.label)));
          map.set(from, sorted.map((t) => String(t.toObjectId)));
        }
      }
      byType.set(toType, map);
    }
    return byType;
  }

  private quarantine(state: RunState, externalId: string | null, reason: string, raw: unknown): QuarantinedRecord {
    state.result.quarantined += 1;
    return { source: 'hubspot', stream: state.spec.name, externalId, reason, raw, at: new Date(this.now()).toISOString() };
  }

  /** Parses, maps, validates and stores one page; bad records are quarantined, the rest stored. */
  private async ingestPage(state: RunState, results: unknown[], associations: Map<string, Map<string, string[]>> | null): Promise<void> {
    const { spec, ctx } = state;
    const configured = spec.mappedProperties?.(this.options.config) ?? [];
    const quarantined: QuarantinedRecord[] = [];
    const byKind = new Map<RecordKind, AnyRecord[]>();
    /** merged-away id → the survivor naming it */
    const mergedInto = new Map<string, string>();
    const pageIds = new Set<string>();
    state.result.read += results.length;
    for (const item of results) {
      const externalId = idOf(item);
      const parsed = RawObject.safeParse(item);
      if (!parsed.success) {
        quarantined.push(this.quarantine(state, externalId, `unexpected record shape: ${zodReason(parsed.error)}`, item));
        continue;
      }
      const raw = parsed.data;
      pageIds.add(raw.id);
      // read before mapping: a survivor that fails to map still says which records are gone
      const merged = mergedIdsOf(raw);
      for (const id of merged.ids) if (!mergedInto.has(id)) mergedInto.set(id, raw.id);
      if (merged.junk > 0) {
        state.mergedIdJunk.count += merged.junk;
        state.mergedIdJunk.example ??= raw.id;
      }
      // HubSpot silently leaves out requested properties that do not exist: a mapped one was deleted
      for (const name of configured) if (!(name in raw.properties)) state.missingProperties.add(name);
      if (associations) {
        raw.associations = { ...(raw.associations ?? {}) };
        for (const [type, map] of associations) raw.associations[type] = { results: (map.get(raw.id) ?? []).map((id) => ({ id })) };
      }
      let mapped: Mapped[];
      try {
        mapped = spec.map(raw, state.mapContext);
      } catch (err) {
        quarantined.push(this.quarantine(state, raw.id, (err as Error).message, item));
        continue;
      }
      const invalid = mapped.map((m) => ({ m, check: recordSchemas[m.kind].safeParse(m.record) })).find((x) => !x.check.success);
      if (invalid && !invalid.check.success) {
        quarantined.push(this.quarantine(state, raw.id, `does not fit the ${invalid.m.kind} model: ${zodReason(invalid.check.error)}`, item));
        continue;
      }
      for (const m of mapped) {
        const list = byKind.get(m.kind) ?? [];
        list.push(m.record);
        byKind.set(m.kind, list);
      }
    }
    // records are stored before the checkpoint moves past them
    for (const [kind, records] of byKind) {
      if (kind === 'activity') {
        const folded = await ctx.store.activities.fold(records as Activity[]);
        state.result.changed += folded.folded;
        folded.accountIds.forEach((id) => state.accountIds.add(id));
        continue;
      }
      const upserted = await ctx.store.records.upsert(kind, records as RecordOf<typeof kind>[]);
      state.result.changed += kind === spec.kind ? upserted.changed.length : 0;
      upserted.changed.forEach((r, i) => {
        // our own write-back read back: stored, but nothing to rescore
        if (kind === 'account' && isWriteBackEcho(upserted.previous[i], r)) return;
        this.noteChange(state, r as AnyRecord);
      });
      if (kind === 'lineItem') for (const id of await accountsOfChangedLineItems(ctx.store, upserted.changed as AnyRecord[])) state.accountIds.add(id);
      if (kind === spec.kind && spec.usageOf) {
        const usage = upserted.changed.map((r) => spec.usageOf?.(r as AnyRecord, state.mapContext) ?? null).filter((u) => u !== null);
        if (usage.length) await ctx.store.usage.put(usage);
      }
    }
    // an id this page returned live is kept, whatever a survivor says
    for (const id of pageIds) mergedInto.delete(id);
    await this.followMerges(state, mergedInto);
    if (quarantined.length) {
      await ctx.store.quarantine.add(quarantined);
      ctx.logger.warn({ stream: spec.name, count: quarantined.length, first: quarantined[0]?.reason }, `HubSpot ${spec.objectType}: ${quarantined.length} record(s) quarantined`);
    }
  }

  private noteChange(state: RunState, record: AnyRecord): void {
    const r = record as { id: string; accountId?: string | null; ownerId?: string | null };
    if (state.spec.kind === 'account') state.accountIds.add(r.id);
    else if (r.accountId) state.accountIds.add(r.accountId);
    if ((state.spec.kind === 'deal' || state.spec.kind === 'quota' || state.spec.kind === 'account') && r.ownerId) state.ownerIds.add(r.ownerId);
  }

  /**
   * Records merged away into survivors of a stored page: deleted, as archived ones are. Merged
   * accounts also hand over what the store holds under them (contacts, deals, tickets move to the
   * survivor, as HubSpot moved their associations; a later read of them agrees) and the survivor is
   * rescored. Activities already folded stay in the merged account's aggregate until re-read.
   */
  private async followMerges(state: RunState, mergedInto: Map<string, string>): Promise<void> {
    if (mergedInto.size === 0) return;
    const removed = await this.deleteIds(state, [...mergedInto.keys()].map((id) => ({ id, raw: null })));
    if (state.spec.kind !== 'account' || removed.length === 0) return;
    const survivorOf = new Map(removed.map((r) => [r.id, `hubspot:${mergedInto.get(r.externalId)}`]));
    for (const survivor of survivorOf.values()) state.accountIds.add(survivor);
    await this.moveToSurvivors(state, 'contact', survivorOf);
    await this.moveToSurvivors(state, 'deal', survivorOf);
    await this.moveToSurvivors(state, 'ticket', survivorOf);
  }

  /** Stored records of `kind` under a merged account now belong to its survivor. */
  private async moveToSurvivors<K extends 'contact' | 'deal' | 'ticket'>(state: RunState, kind: K, survivorOf: Map<string, string>): Promise<void> {
    const { store } = state.ctx;
    const ids = [...(await store.records.idsByMany(kind, 'accountId', [...survivorOf.keys()])).values()].flat();
    if (ids.length === 0) return;
    const moved = (await store.records.getMany(kind, ids)).map((r) => ({ ...r, accountId: survivorOf.get(r.accountId ?? '') ?? r.accountId }));
    // the survivor is rescored already; owners' attainment does not depend on the account
    await store.records.upsert(kind, moved as RecordOf<K>[]);
  }

  /** Deletes records gone from HubSpot; returns those that were stored (none for activities, which are folded). */
  private async deleteIds(state: RunState, gone: { id: string; raw: Raw | null }[]): Promise<{ id: string; externalId: string }[]> {
    if (gone.length === 0) return [];
    const { spec, ctx } = state;
    const ids = gone.map((g) => `hubspot:${g.id}`);
    if (spec.kind === 'activity') {
      const removals = gone.map((g) => {
        const company = g.raw ? (g.raw.associations?.companies?.results[0]?.id ?? null) : null;
        return { id: `hubspot:${g.id}`, accountId: company ? `hubspot:${company}` : null };
      });
      const removed = await ctx.store.activities.remove(removals);
      state.result.deleted += removed.removed;
      removed.accountIds.forEach((id) => state.accountIds.add(id));
      return [];
    }
    const removed = await ctx.store.records.delete(spec.kind, ids);
    state.result.deleted += removed.removed.length;
    for (const r of removed.removed) this.noteChange(state, r as AnyRecord);
    if (spec.kind === 'deal') {
      const history = await ctx.store.records.idsByMany('dealHistory', 'dealId', ids);
      const historyIds = [...history.values()].flat();
      if (historyIds.length) await ctx.store.records.delete('dealHistory', historyIds);
    }
    return removed.removed.map((r) => ({ id: r.id, externalId: (r as AnyRecord & { externalId: string }).externalId }));
  }
}
