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

/**
 * Streams that are usually the largest, largest first: the order of a CRM's first cycle, before
 * any stream has a measured duration. Unlisted streams come after these.
 */
const usuallyLargest = ['line_items', 'lineItems', 'deals', 'dealHistory', 'emails', 'tasks', 'contacts', 'calls', 'notes', 'tickets', 'meetings', 'events', 'companies', 'accounts'];

/**
 * The order sync jobs are taken in: longest first (by the last complete run of each stream, else
 * by usual size), CRMs interleaved. A cycle ends when its slowest stream ends; starting the long
 * ones first keeps the workers busy to the end instead of leaving one big stream alone at the
 * tail, and a CPU-heavy stream of one CRM overlaps the rate-limit waits of the other.
 */
export function orderSyncs(
  syncs: readonly { source: string; stream: string }[],
  lastMs: ReadonlyMap<string, number>,
  options: { headStart?: { source: string; count: number } } = {},
): { source: string; stream: string }[] {
  const rank = (stream: string) => {
    const i = usuallyLargest.indexOf(stream);
    return i < 0 ? usuallyLargest.length : i;
  };
  const expected = (s: { source: string; stream: string }) => lastMs.get(`${s.source}:${s.stream}`);
  const perSource = new Map<string, { source: string; stream: string }[]>();
  for (const s of syncs) (perSource.get(s.source) ?? perSource.set(s.source, []).get(s.source))?.push(s);
  for (const list of perSource.values()) {
    list.sort((a, b) => {
      const ea = expected(a);
      const eb = expected(b);
      if (ea !== undefined && eb !== undefined) return eb - ea;
      if (ea !== undefined || eb !== undefined) return ea === undefined ? 1 : -1;
      return rank(a.stream) - rank(b.stream);
    });
  }
  if ([...perSource.values()].every((list) => list.every((s) => expected(s) !== undefined))) {
    return [...syncs].sort((a, b) => (expected(b) as number) - (expected(a) as number));
  }
  // Without durations for every stream, take each CRM's next-longest in turn, after the head start.
  const out: { source: string; stream: string }[] = [];
  if (options.headStart) out.push(...(perSource.get(options.headStart.source) ?? []).splice(0, options.headStart.count));
  const lists = [...perSource.values()];
  for (let i = 0; out.length < syncs.length; i += 1) for (const list of lists) if (list[i]) out.push(list[i] as { source: string; stream: string });
  return out;
}

export async function enqueueCycle(ctx: AppContext, options: CycleOptions = {}): Promise<string> {
  const cycleId = options.cycleId ?? newCycleId(ctx.now());
  const sources = options.sources ?? [...ctx.connectors.keys()];
  const syncs: { source: CrmSource; stream: string }[] = [];
  for (const source of sources) {
    const connector = ctx.connectors.get(source);
    if (!connector) throw new Error(`cannot sync ${source}: it is not enabled (check ${source.toUpperCase()}_ENABLED and its credentials)`);
    for (const stream of connector.streams) if (!options.streams || options.streams.includes(stream)) syncs.push({ source, stream });
  }
  const lastMs = new Map(Object.entries(await ctx.redis.hgetall(ctx.store.keys.syncDurations())).map(([k, v]) => [k, Number(v)]));
  // HubSpot's rolling 10-second window admits a first burst of calls that only streams already
  // running can use: its longest streams start first, with half the slots, before the other CRM's
  // CPU-heavy pages take the event loop (measured at 10,000 accounts: 103 s → 96 s).
  const headStart = syncs.some((s) => s.source === 'hubspot') ? { source: 'hubspot', count: Math.max(1, Math.floor(ctx.loaded.config.queues.concurrency.sync / 2)) } : undefined;
  const children = (orderSyncs(syncs, lastMs, headStart ? { headStart } : {}) as { source: CrmSource; stream: string }[]).map(({ source, stream }) => ({
    name: 'sync',
    queueName: 'sync',
    data: { cycleId, source, stream, full: options.full ?? false, dryRun: options.dryRun ?? false },
    opts: { jobId: jobId('sync', cycleId, source, stream), ignoreDependencyOnFailure: true },
  }));
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
