/**
 * The HubSpot connector: one SDK client, one shared API budget per portal, one runner for every
 * declared stream, and the write-back (provision, fields, tasks).
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../../config/schema.js';
import type { Env } from '../../config/env.js';
import { Keys } from '../../store/keys.js';
import { PendingTasks } from '../../store/pendingTasks.js';
import type { LedgerValue } from '../../store/index.js';
import { ApiBudget, BudgetReserveReached, type BudgetStatus } from '../budget.js';
import type { AuthStatus, CrmConnector, FieldUpdate, ProvisionReport, RecordWriteResult, StreamResult, SyncContext, TaskRequest, TaskResult, WriteBackFieldName } from '../types.js';
import { HubSpotApiError } from './errors.js';
import { HubSpotGateway, SyncAborted } from './gateway.js';
import { MetadataCache } from './metadata.js';
import { RawOwner, zodReason } from './raw.js';
import { emptyResult, StreamRunner } from './runner.js';
import { mapOwner } from './streams/owners.js';
import { objectStream, OWNERS_STREAM, streamNames } from './streams/index.js';
import { TaskWriter } from './tasks.js';
import { fetchAhead } from '../prefetch.js';
import { ServerClock } from '../serverClock.js';
import { CompanyWriter } from './writeback.js';
import type { Owner, QuarantinedRecord } from '../../domain/model.js';
import { z } from 'zod';

/** HubSpot's search limit is per second; without a guard the bench met one secondly 429 in a 1,000-account incremental cycle. */
const SEARCH_WINDOW_MS = 1_250;

export interface HubSpotConnectorOptions {
  env: Env;
  config: Config;
  redis: Redis;
  logger: Logger;
  /** names this portal's budget in Redis; default: a hash of the token (one budget per portal) */
  portalKey?: string;
  /** test seams: retry pacing */
  sleep?: (ms: number) => Promise<void>;
  retryBaseMs?: number;
  taskSearchLagMs?: number;
  /** test seam: the local clock the HubSpot clock (Date headers) is measured against */
  now?: () => number;
}

/** A call HubSpot accepted this recently proves the token (readiness checks make no call of their own). */
const AUTH_PROOF_MS = 5 * 60_000;

export const OwnersCheckpoint = z.object({
  after: z.string().nullable().default(null),
  loaded: z.boolean().default(false),
  /** the archived owners list was read once (after the first complete load) */
  archivedLoaded: z.boolean().default(false),
  /** user id → owner id of the active owners (goal targets name users) */
  userIds: z.array(z.tuple([z.string(), z.string()])).default([]),
  /** when the active list was last read to its end (ms) */
  readAt: z.number().nullable().default(null),
});
export type OwnersCheckpoint = z.infer<typeof OwnersCheckpoint>;

export class HubSpotConnector implements CrmConnector {
  readonly source = 'hubspot' as const;
  readonly streams = streamNames;
  private readonly gateway: HubSpotGateway;
  private readonly budgetGuard: ApiBudget;
  private readonly metadata: MetadataCache;
  private readonly runner: StreamRunner;
  private readonly companies: CompanyWriter;
  private readonly tasks: TaskWriter;

  constructor(private readonly options: HubSpotConnectorOptions) {
    const { env, config, redis, logger } = options;
    const portalKey = options.portalKey ?? createHash('sha256').update(env.HUBSPOT_ACCESS_TOKEN ?? env.HUBSPOT_REFRESH_TOKEN ?? 'none').digest('hex').slice(0, 12);
    this.budgetGuard = new ApiBudget({
      redis,
      key: new Keys(env.ACCOUNTPULSE_PREFIX).budget('hubspot', portalKey),
      crm: `HubSpot portal ${portalKey}`,
      // The search window is counted a little longer than HubSpot's second: calls admitted here a
      // second apart can arrive bunched (a busy event loop, network jitter) and meet a 429 there.
      lanes: { default: { windowMs: 10_000, max: config.sync.hubspotBurstPer10s }, search: { windowMs: SEARCH_WINDOW_MS, max: config.sync.hubspotSearchPerSecond } },
      reserve: config.sync.budgetReserve,
      sleep: options.sleep,
    });
    const oauth = env.HUBSPOT_CLIENT_ID && env.HUBSPOT_CLIENT_SECRET && env.HUBSPOT_REFRESH_TOKEN ? { clientId: env.HUBSPOT_CLIENT_ID, clientSecret: env.HUBSPOT_CLIENT_SECRET, refreshToken: env.HUBSPOT_REFRESH_TOKEN } : null;
    this.gateway = new HubSpotGateway({
      basePath: env.HUBSPOT_BASE_URL,
      accessToken: env.HUBSPOT_ACCESS_TOKEN,
      oauth,
      budget: this.budgetGuard,
      logger,
      sleep: options.sleep,
      baseDelayMs: options.retryBaseMs,
      clock: new ServerClock(options.now ? { now: options.now } : {}),
    });
    this.metadata = new MetadataCache({ gateway: this.gateway, logger });
    this.runner = new StreamRunner({ gateway: this.gateway, metadata: this.metadata, config, logger });
    this.companies = new CompanyWriter({ gateway: this.gateway, prefix: config.writeBack.fieldPrefix, logger });
    this.tasks = new TaskWriter({
      gateway: this.gateway,
      prefix: config.writeBack.fieldPrefix,
      logger,
      searchLagMs: options.taskSearchLagMs,
      sleep: options.sleep,
      sent: new PendingTasks(redis, new Keys(env.ACCOUNTPULSE_PREFIX), 'hubspot'),
    });
  }

  /**
   * The token works if HubSpot accepted a call of ours within the last minutes (a sync, a write):
   * no call of its own then. Otherwise one owners page of one owner.
   */
  async checkAuth(): Promise<AuthStatus> {
    const portal = `HubSpot ${this.budgetGuard.crm.replace(/^HubSpot /, '')} at ${this.options.env.HUBSPOT_BASE_URL}`;
    const acceptedAt = this.gateway.acceptedAt;
    if (acceptedAt !== null && Date.now() - acceptedAt < AUTH_PROOF_MS) return { ok: true, identity: `${portal} (a call was accepted ${new Date(acceptedAt).toISOString()})` };
    try {
      const page = await this.gateway.call({ operation: 'owners read (auth check)', scope: 'crm.objects.owners.read', idempotent: true }, (c, o) => c.crm.owners.ownersApi.getPage(undefined, undefined, 1, false, o));
      return { ok: true, identity: `${portal} (${page.results.length ? 'owners readable' : 'no owners yet'})` };
    } catch (err) {
      if (err instanceof HubSpotApiError || err instanceof BudgetReserveReached) return { ok: false, message: err.message };
      throw err;
    }
  }

  async syncStream(stream: string, ctx: SyncContext): Promise<StreamResult> {
    if (stream === OWNERS_STREAM) return this.syncOwners(ctx);
    const spec = objectStream(stream);
    if (!spec) throw new Error(`HubSpot: no stream "${stream}"; streams: ${this.streams.join(', ')}`);
    return this.runner.run(spec, ctx);
  }

  async syncRecords(stream: string, externalIds: readonly string[], ctx: SyncContext): Promise<StreamResult> {
    if (stream === OWNERS_STREAM) return this.syncOwners(ctx);
    const spec = objectStream(stream);
    if (!spec) throw new Error(`HubSpot: no stream "${stream}"; streams: ${this.streams.join(', ')}`);
    return this.runner.runIds(spec, externalIds, ctx);
  }

  /**
   * Owners are few: every run lists the active ones (100 per page), the cycle's one owners read.
   * An owner stored as active that a complete list no longer has was archived: it is marked
   * inactive without reading the archived list, which is read once only, after the first load
   * (owners archived before AccountPulse was connected). The user id → owner id pairs go into the
   * checkpoint, where goal targets (which name users) find them, in this process or another.
   */
  private async syncOwners(ctx: SyncContext): Promise<StreamResult> {
    const result = emptyResult(OWNERS_STREAM);
    const counter = { calls: 0 };
    const stored = ctx.full ? null : OwnersCheckpoint.safeParse((await ctx.store.checkpoints.get('hubspot', OWNERS_STREAM)) ?? {});
    let checkpoint: OwnersCheckpoint = stored?.success ? stored.data : OwnersCheckpoint.parse({});
    const ownerIds = new Set<string>();
    let ahead: Promise<unknown> | null = null;
    const listPage = (after: string | null, archived: boolean) =>
      this.gateway.call(
        { operation: archived ? 'archived owners list' : 'owners list', scope: 'crm.objects.owners.read', idempotent: true, counter },
        (c, o) => c.crm.owners.ownersApi.getPage(undefined, after ?? undefined, 100, archived, o),
        ctx.signal,
      );
    try {
      // pairs and ids seen by this run; complete only when it read the active list from its first page
      const fromStart = checkpoint.after === null;
      const userIds = new Map<string, string>(fromStart ? [] : checkpoint.userIds);
      const seen = new Set<string>();
      const passes = checkpoint.loaded && !checkpoint.archivedLoaded ? [false, true] : [false];
      for (const archived of passes) {
        let pending = fetchAhead(() => listPage(archived ? null : checkpoint.after, archived));
        ahead = pending;
        for (;;) {
          const page = await pending;
          if (ctx.signal?.aborted) throw new SyncAborted();
          const after = page.paging?.next?.after ?? null;
          if (after) ahead = pending = fetchAhead(() => listPage(after, archived));
          const owners = await this.storeOwners(ctx, page.results as unknown[], archived, result, ownerIds);
          for (const o of owners) {
            seen.add(o.externalId);
            if (o.userId !== null && !archived) userIds.set(o.userId, o.externalId);
          }
          if (!archived) {
            checkpoint = after
              ? { ...checkpoint, after, userIds: [...userIds] }
              : { ...checkpoint, after: null, loaded: true, userIds: [...userIds], readAt: Date.now() };
          } else if (!after) {
            checkpoint = { ...checkpoint, archivedLoaded: true };
          }
          await ctx.store.checkpoints.save('hubspot', OWNERS_STREAM, checkpoint);
          result.pages += 1;
          ctx.onPage?.({ stream: OWNERS_STREAM, pages: result.pages, read: result.read, total: null });
          if (!after) break;
        }
        if (!archived && fromStart) await this.deactivateMissingOwners(ctx, seen, result, ownerIds);
      }
      this.metadata.rememberOwners(userIds);
      result.complete = true;
    } catch (err) {
      if (err instanceof BudgetReserveReached) result.stoppedReason = 'budget';
      else if (err instanceof SyncAborted) result.stoppedReason = 'aborted';
      else throw err;
    } finally {
      await (ahead as Promise<unknown> | null)?.catch(() => {});
      result.calls = counter.calls;
      result.ownerIds = [...ownerIds];
    }
    return result;
  }

  /** Maps, stores and quarantines one page of owners; returns the owners read. */
  private async storeOwners(ctx: SyncContext, results: unknown[], archived: boolean, result: StreamResult, ownerIds: Set<string>): Promise<{ externalId: string; userId: string | null }[]> {
    const owners: Owner[] = [];
    const read: { externalId: string; userId: string | null }[] = [];
    const bad: QuarantinedRecord[] = [];
    for (const raw of results) {
      const parsed = RawOwner.safeParse(raw);
      const id = (raw as { id?: unknown })?.id;
      try {
        if (!parsed.success) throw new Error(`unexpected owner shape: ${zodReason(parsed.error)}`);
        owners.push(mapOwner(parsed.data, archived));
        read.push({ externalId: parsed.data.id, userId: parsed.data.userId === null || parsed.data.userId === undefined ? null : String(parsed.data.userId) });
      } catch (err) {
        bad.push({ source: 'hubspot', stream: OWNERS_STREAM, externalId: id === undefined ? null : String(id), reason: (err as Error).message, raw, at: new Date().toISOString() });
      }
    }
    result.read += results.length;
    const upserted = await ctx.store.records.upsert('owner', owners);
    result.changed += upserted.changed.length;
    upserted.changed.forEach((o) => ownerIds.add(o.id));
    if (bad.length) {
      result.quarantined += bad.length;
      await ctx.store.quarantine.add(bad);
    }
    return read;
  }

  /** Stored active HubSpot owners a complete active list did not return were archived in HubSpot. */
  private async deactivateMissingOwners(ctx: SyncContext, seen: Set<string>, result: StreamResult, ownerIds: Set<string>): Promise<void> {
    const ids = (await ctx.store.records.allIds('owner')).filter((id) => id.startsWith('hubspot:') && !seen.has(id.slice('hubspot:'.length)));
    if (ids.length === 0) return;
    const gone = (await ctx.store.records.getMany('owner', ids)).filter((o): o is Owner => !!o && o.active);
    if (gone.length === 0) return;
    const upserted = await ctx.store.records.upsert('owner', gone.map((o) => ({ ...o, active: false })));
    result.changed += upserted.changed.length;
    upserted.changed.forEach((o) => ownerIds.add(o.id));
  }

  provision(options: { dryRun: boolean }): Promise<ProvisionReport> {
    return this.companies.provision(options.dryRun);
  }

  readFields(externalIds: readonly string[]): Promise<Map<string, Partial<Record<WriteBackFieldName, LedgerValue>>>> {
    return this.companies.readFields(externalIds);
  }

  writeFields(updates: readonly FieldUpdate[]): Promise<RecordWriteResult[]> {
    return this.companies.writeFields(updates);
  }

  createTasks(tasks: readonly TaskRequest[]): Promise<TaskResult[]> {
    return this.tasks.createTasks(tasks);
  }

  /** Separate endpoints here (companies batch update, tasks batch create): fields, then tasks. */
  async writeBack(updates: readonly FieldUpdate[], tasks: readonly TaskRequest[]): Promise<{ fields: RecordWriteResult[]; tasks: TaskResult[] }> {
    const fields = updates.length ? await this.writeFields(updates) : [];
    return { fields, tasks: tasks.length ? await this.createTasks(tasks) : [] };
  }

  budget(): Promise<BudgetStatus> {
    return this.budgetGuard.status();
  }

  /** The SDK holds no sockets open between calls (node-fetch, no keep-alive agent): nothing to release. */
  async close(): Promise<void> {}
}

export function createHubSpotConnector(options: HubSpotConnectorOptions): HubSpotConnector {
  return new HubSpotConnector(options);
}
