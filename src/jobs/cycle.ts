/**
 * Starting cycles. A cycle is a BullMQ flow: one sync job per (CRM, stream) under the cycle's plan
 * job, which fans out the rest (see queues.ts). Job ids carry the cycle id, so enqueueing the same
 * cycle twice adds nothing.
 */
import { randomUUID } from 'node:crypto';
import type { CrmSource } from '../domain/model.js';
import type { AppContext } from './context.js';
import { jobId } from './queues.js';

export interface CycleOptions {
  /** ignore checkpoints: read everything (initial load, nightly reconciliation) */
  full?: boolean;
  /** only these CRMs (default: every enabled one) */
  sources?: CrmSource[];
  /** only these streams (default: every stream of each CRM) */
  streams?: string[];
  dryRun?: boolean;
  /** a stable id makes enqueueing idempotent (the scheduler uses the tick time) */
  cycleId?: string;
}

export function newCycleId(now: Date): string {
  return `${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomUUID().slice(0, 6)}`;
}

export async function enqueueCycle(ctx: AppContext, options: CycleOptions = {}): Promise<string> {
  const cycleId = options.cycleId ?? newCycleId(ctx.now());
  const sources = options.sources ?? [...ctx.connectors.keys()];
  const children = [];
  for (const source of sources) {
    const connector = ctx.connectors.get(source);
    if (!connector) throw new Error(`cannot sync ${source}: it is not enabled (check ${source.toUpperCase()}_ENABLED and its credentials)`);
    for (const stream of connector.streams) {
      if (options.streams && !options.streams.includes(stream)) continue;
      children.push({
        name: 'sync',
        queueName: 'sync',
        data: { cycleId, source, stream, full: options.full ?? false, dryRun: options.dryRun ?? false },
        opts: { jobId: jobId('sync', cycleId, source, stream), ignoreDependencyOnFailure: true },
      });
    }
  }
  await ctx.queues.flows.add({
    name: 'plan',
    queueName: 'score',
    data: { cycleId, full: options.full ?? false, dryRun: options.dryRun ?? false },
    opts: { jobId: jobId('plan', cycleId) },
    children,
  });
  ctx.logger.info({ cycleId, syncs: children.length, full: options.full ?? false }, 'cycle enqueued');
  return cycleId;
}

/** A targeted cycle after a change notice: re-read the given records, then score what changed. */
export async function enqueueTargetedSync(ctx: AppContext, source: CrmSource, stream: string, externalIds: string[]): Promise<string> {
  const cycleId = `wh-${newCycleId(ctx.now())}`;
  await ctx.queues.flows.add({
    name: 'plan',
    queueName: 'score',
    data: { cycleId, full: false, dryRun: false },
    opts: { jobId: jobId('plan', cycleId) },
    children: [{ name: 'sync', queueName: 'sync', data: { cycleId, source, stream, full: false, externalIds: externalIds.slice(0, 1000), dryRun: false }, opts: { jobId: jobId('sync', cycleId, source, stream), ignoreDependencyOnFailure: true } }],
  });
  return cycleId;
}

/** Waits until no queue has waiting, active, delayed or waiting-children jobs (or the timeout). */
export async function waitForIdle(ctx: AppContext, options: { timeoutMs?: number; pollMs?: number; onTick?: (pending: number) => void } = {}): Promise<boolean> {
  const deadline = Date.now() + (options.timeoutMs ?? 10 * 60_000);
  let quietTicks = 0;
  while (Date.now() < deadline) {
    const pending = await ctx.queues.pending();
    options.onTick?.(pending);
    // Two quiet polls in a row: a parent can be promoted between children finishing and our look.
    quietTicks = pending === 0 ? quietTicks + 1 : 0;
    if (quietTicks >= 2) return true;
    await new Promise((r) => setTimeout(r, options.pollMs ?? 200));
  }
  return false;
}
