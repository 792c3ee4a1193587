/**
 * A dry run requested through the API runs here, on a worker, not in the HTTP request: it reads
 * the CRMs (minutes on a large org). Its state and report go to the store's dry-run record, which
 * `GET /api/v1/admin/dry-run/{id}` answers.
 */
import type { Job } from 'bullmq';
import type { AppContext } from './context.js';
import { runDryRun } from './dryRun.js';
import { DryRunPayload, parsePayload } from './queues.js';

export async function processDryRun(ctx: AppContext, job: Job): Promise<{ id: string; scored: number }> {
  const payload = parsePayload(DryRunPayload, job);
  const request = { full: payload.full, sources: payload.sources };
  await ctx.store.dryRuns.update(payload.id, { status: 'running', startedAt: ctx.now().toISOString(), error: null }, request, ctx.now());
  try {
    const report = await runDryRun(ctx, { full: payload.full, cycleId: payload.id, ...(payload.sources ? { sources: payload.sources } : {}) });
    await ctx.store.dryRuns.update(payload.id, { status: 'succeeded', finishedAt: ctx.now().toISOString(), report: JSON.parse(JSON.stringify(report)) as Record<string, unknown> }, request, ctx.now());
    return { id: payload.id, scored: report.scored };
  } catch (err) {
    // BullMQ retries with backoff; the record says why this attempt failed meanwhile.
    await ctx.store.dryRuns.update(payload.id, { status: 'failed', finishedAt: ctx.now().toISOString(), error: (err as Error).message ?? String(err) }, request, ctx.now());
    throw err;
  }
}
