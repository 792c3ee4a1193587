/**
 * Sync stage: one job per (CRM, stream) reads from its checkpoint (or re-reads given ids after a
 * change notice), lands records in the store, and returns the accounts and owners it touched; the
 * cycle's plan job (its parent) collects them. Budget stops and authentication failures are kept
 * as connection health, which the alert stage turns into sync-health alerts.
 */
import type { Job } from 'bullmq';
import { BudgetReserveReached } from '../connectors/budget.js';
import type { StreamResult } from '../connectors/types.js';
import type { AppContext } from './context.js';
import { parsePayload, SyncPayload } from './queues.js';

export interface SyncOutcome {
  source: string;
  stream: string;
  accountIds: string[];
  ownerIds: string[];
  read: number;
  changed: number;
  deleted: number;
  quarantined: number;
  complete: boolean;
  stoppedReason: StreamResult['stoppedReason'];
  calls: number;
}

export function isAuthError(err: unknown): boolean {
  const e = err as { code?: unknown; status?: unknown; statusCode?: unknown; name?: unknown; errorCode?: unknown; message?: unknown };
  const status = Number(e?.code ?? e?.status ?? e?.statusCode);
  return status === 401 || e?.errorCode === 'INVALID_SESSION_ID' || e?.name === 'INVALID_SESSION_ID' || /invalid_grant|INVALID_AUTHENTICATION|token (revoked|expired)|authentication failed/i.test(String(e?.message ?? ''));
}

export async function runSync(ctx: AppContext, payload: SyncPayload, job?: Job): Promise<SyncOutcome> {
  const connector = ctx.connectors.get(payload.source);
  if (!connector) throw new Error(`sync ${payload.source}/${payload.stream}: ${payload.source} is not enabled in this installation`);
  const run = await ctx.store.runs.start('sync', `${payload.source}:${payload.stream}`, payload.cycleId, ctx.now());
  const log = ctx.logger.child({ runId: run.id, source: payload.source, stream: payload.stream });
  const syncCtx = {
    store: ctx.store,
    logger: log,
    full: payload.full,
    runId: run.id,
    cycleId: payload.cycleId,
    onPage: (p: { pages: number; read: number; total: number | null }) => {
      void job?.updateProgress({ pages: p.pages, read: p.read, total: p.total });
    },
  };
  try {
    const result = payload.externalIds
      ? await connector.syncRecords(payload.stream, payload.externalIds, syncCtx)
      : await connector.syncStream(payload.stream, syncCtx);
    await ctx.store.runs.count(run.id, { read: result.read, changed: result.changed, deleted: result.deleted, quarantined: result.quarantined, calls: result.calls, pages: result.pages });
    if (result.quarantined > 0) await ctx.store.runs.add(run.id, [{ at: ctx.now().toISOString(), type: 'skipped', message: `${result.quarantined} record(s) quarantined; see the quarantine list for ids and reasons` }]);
    if (result.stoppedReason === 'budget') {
      const status = await connector.budget();
      await ctx.store.health.report({ source: payload.source, problem: 'budget', message: `stopped ${payload.stream} at its checkpoint: ${status.dailyRemaining ?? '?'} of ${status.dailyLimit ?? '?'} daily calls left (reserve ${Math.round(ctx.loaded.config.sync.budgetReserve * 100)}%)`, at: ctx.now().toISOString() });
    }
    // The budget problem clears once a whole cycle of this CRM completes (the plan stage decides),
    // not when one stream finishes: streams of a stopped cycle finish after the stop too.
    await ctx.store.health.clear(payload.source, 'auth');
    const finished = await ctx.store.runs.finish(run.id, result.complete ? 'succeeded' : 'stopped', result.stoppedReason ? `stopped: ${result.stoppedReason}` : null, ctx.now());
    // How long a whole stream takes orders the next cycle's sync jobs (longest first).
    if (result.complete && !payload.externalIds && finished?.finishedAt) {
      await ctx.redis.hset(ctx.store.keys.syncDurations(), `${payload.source}:${payload.stream}`, String(Date.parse(finished.finishedAt) - Date.parse(run.startedAt)));
    }
    log.info({ read: result.read, changed: result.changed, deleted: result.deleted, calls: result.calls, complete: result.complete }, 'stream synced');
    return {
      source: payload.source, stream: payload.stream, accountIds: result.accountIds, ownerIds: result.ownerIds, read: result.read, changed: result.changed,
      deleted: result.deleted, quarantined: result.quarantined, complete: result.complete, stoppedReason: result.stoppedReason, calls: result.calls,
    };
  } catch (err) {
    const message = (err as Error).message ?? String(err);
    if (err instanceof BudgetReserveReached) {
      await ctx.store.health.report({ source: payload.source, problem: 'budget', message, at: ctx.now().toISOString() });
      await ctx.store.runs.finish(run.id, 'stopped', message, ctx.now());
      return { source: payload.source, stream: payload.stream, accountIds: [], ownerIds: [], read: 0, changed: 0, deleted: 0, quarantined: 0, complete: false, stoppedReason: 'budget', calls: 0 };
    }
    if (isAuthError(err)) await ctx.store.health.report({ source: payload.source, problem: 'auth', message, at: ctx.now().toISOString() });
    await ctx.store.runs.finish(run.id, 'failed', message, ctx.now());
    log.error({ err: message }, 'stream sync failed');
    throw err;
  }
}

export async function processSync(ctx: AppContext, job: Job): Promise<SyncOutcome> {
  return runSync(ctx, parsePayload(SyncPayload, job), job);
}
