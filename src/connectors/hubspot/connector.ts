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
import { CompanyWriter } from './writeback.js';
import type { Owner, QuarantinedRecord } from '../../domain/model.js';
import { z } from 'zod';

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
}

const OwnersCheckpoint = z.object({ after: z.string().nullable().default(null), loaded: z.boolean().default(false) });

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
      lanes: { default: { windowMs: 10_000, max: config.sync.hubspotBurstPer10s }, search: { windowMs: 1_000, max: config.sync.hubspotSearchPerSecond } },
      reserve: config.sync.budgetReserve,
      sleep: options.sleep,
    });
    const oauth = env.HUBSPOT_CLIENT_ID && env.HUBSPOT_CLIENT_SECRET && env.HUBSPOT_REFRESH_TOKEN ? { clientId: env.HUBSPOT_CLIENT_ID, clientSecret: env.HUBSPOT_CLIENT_SECRET, refreshToken: env.HUBSPOT_REFRESH_TOKEN } : null;
    this.gateway = new HubSpotGateway({ basePath: env.HUBSPOT_BASE_URL, accessToken: env.HUBSPOT_ACCESS_TOKEN, oauth, budget: this.budgetGuard, logger, sleep: options.sleep, baseDelayMs: options.retryBaseMs });
    this.metadata = new MetadataCache({ gateway: this.gateway, logger });
    this.runner = new StreamRunner({ gateway: this.gateway, metadata: this.metadata, config, logger });
    this.companies = new CompanyWriter({ gateway: this.gateway, prefix: config.writeBack.fieldPrefix, logger });
    this.tasks = new TaskWriter({ gateway: this.gateway, prefix: config.writeBack.fieldPrefix, logger, searchLagMs: options.taskSearchLagMs, sleep: options.sleep });
  }

  async checkAuth(): Promise<AuthStatus> {
    try {
      const page = await this.gateway.call({ operation: 'owners read (auth check)', scope: 'crm.objects.owners.read', idempotent: true }, (c, o) => c.crm.owners.ownersApi.getPage(undefined, undefined, 1, false, o));
      return { ok: true, identity: `HubSpot ${this.budgetGuard.crm.replace(/^HubSpot /, '')} at ${this.options.env.HUBSPOT_BASE_URL} (${page.results.length ? 'owners readable' : 'no owners yet'})` };
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

  /** Owners are few: every run lists them all (100 per page), archived ones too once loaded. */
  private async syncOwners(ctx: SyncContext): Promise<StreamResult> {
    const result = emptyResult(OWNERS_STREAM);
    const counter = { calls: 0 };
    const stored = ctx.full ? null : OwnersCheckpoint.safeParse((await ctx.store.checkpoints.get('hubspot', OWNERS_STREAM)) ?? {});
    let checkpoint = stored?.success ? stored.data : { after: null, loaded: false };
    const userIds: [string, string][] = [];
    const ownerIds = new Set<string>();
    try {
      for (const archived of checkpoint.loaded ? [false, true] : [false]) {
        let after: string | null = archived ? null : checkpoint.after;
        do {
          const page = await this.gateway.call(
            { operation: archived ? 'archived owners list' : 'owners list', scope: 'crm.objects.owners.read', idempotent: true, counter },
            (c, o) => c.crm.owners.ownersApi.getPage(undefined, after ?? undefined, 100, archived, o),
            ctx.signal,
          );
          const owners: Owner[] = [];
          const bad: QuarantinedRecord[] = [];
          for (const raw of page.results as unknown[]) {
            const parsed = RawOwner.safeParse(raw);
            const id = (raw as { id?: unknown })?.id;
            try {
              if (!parsed.success) throw new Error(`unexpected owner shape: ${zodReason(parsed.error)}`);
              owners.push(mapOwner(parsed.data, archived));
              if (parsed.data.userId !== null && parsed.data.userId !== undefined) userIds.push([String(parsed.data.userId), parsed.data.id]);
            } catch (err) {
              bad.push({ source: 'hubspot', stream: OWNERS_STREAM, externalId: id === undefined ? null : String(id), reason: (err as Error).message, raw, at: new Date().toISOString() });
            }
          }
          result.read += page.results.length;
          const upserted = await ctx.store.records.upsert('owner', owners);
          result.changed += upserted.changed.length;
          upserted.changed.forEach((o) => ownerIds.add(o.id));
          if (bad.length) {
            result.quarantined += bad.length;
            await ctx.store.quarantine.add(bad);
          }
          after = page.paging?.next?.after ?? null;
          if (!archived) checkpoint = { after, loaded: checkpoint.loaded || after === null };
          await ctx.store.checkpoints.save('hubspot', OWNERS_STREAM, after === null && !archived ? { after: null, loaded: true } : checkpoint);
          result.pages += 1;
          ctx.onPage?.({ stream: OWNERS_STREAM, pages: result.pages, read: result.read, total: null });
        } while (after);
      }
      this.metadata.rememberOwners(userIds);
      result.complete = true;
    } catch (err) {
      if (err instanceof BudgetReserveReached) result.stoppedReason = 'budget';
      else if (err instanceof SyncAborted) result.stoppedReason = 'aborted';
      else throw err;
    } finally {
      result.calls = counter.calls;
      result.ownerIds = [...ownerIds];
    }
    return result;
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

  budget(): Promise<BudgetStatus> {
    return this.budgetGuard.status();
  }

  /** The SDK holds no sockets open between calls (node-fetch, no keep-alive agent): nothing to release. */
  async close(): Promise<void> {}
}

export function createHubSpotConnector(options: HubSpotConnectorOptions): HubSpotConnector {
  return new HubSpotConnector(options);
}
