/** Admin actions: start a sync cycle, retry failed jobs, dry-run a cycle. */
import { z } from 'zod';
import { CrmSource } from '../../domain/model.js';
import type { AppContext } from '../../jobs/context.js';
import { enqueueCycle, newCycleId } from '../../jobs/cycle.js';
import { jobId, queueNames } from '../../jobs/queues.js';
import { HttpProblem } from '../problem.js';
import { defineRoute } from '../route.js';

const SyncBody = z.object({
  full: z.boolean().optional().describe('ignore checkpoints and read everything'),
  sources: z.array(CrmSource).min(1).optional().describe('default: every enabled CRM'),
});

function checkSources(ctx: AppContext, sources: CrmSource[] | undefined): void {
  const disabled = (sources ?? []).filter((s) => !ctx.connectors.has(s));
  if (disabled.length > 0) {
    throw new HttpProblem(400, `cannot sync ${disabled.join(', ')}: not enabled on this server (set ${disabled.map((s) => `${s.toUpperCase()}_ENABLED`).join(', ')} and credentials)`, {
      errors: disabled.map((s) => ({ field: 'body.sources', message: `${s} is not enabled` })),
    });
  }
}

export const triggerSync = defineRoute({
  method: 'post',
  path: '/admin/sync',
  operationId: 'triggerSync',
  summary: 'Start a sync cycle (sync → score → write back → alerts)',
  tag: 'admin',
  body: SyncBody,
  response: { status: 202, description: 'The cycle was enqueued', schema: z.object({ cycleId: z.string() }) },
  problems: [400],
  async handle({ ctx, body }) {
    checkSources(ctx, body.sources);
    return { cycleId: await enqueueCycle(ctx, { full: body.full ?? false, ...(body.sources ? { sources: body.sources } : {}) }) };
  },
});

export const retryFailed = defineRoute({
  method: 'post',
  path: '/admin/retry-failed',
  operationId: 'retryFailed',
  summary: 'Move every failed job back to waiting',
  tag: 'admin',
  response: { status: 200, description: 'Jobs retried per queue', schema: z.object({ retried: z.record(z.enum(queueNames), z.number().int()) }) },
  problems: [],
  async handle({ ctx }) {
    return { retried: await ctx.queues.retryFailed() };
  },
});

const DryRunState = z.object({
  id: z.string(),
  status: z.enum(['queued', 'running', 'succeeded', 'failed']),
  request: z.object({ full: z.boolean(), sources: z.array(CrmSource).nullable() }),
  requestedAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  report: z.record(z.string(), z.unknown()).nullable().describe('DryRunReport of src/jobs/dryRun.ts once succeeded: syncs, scored, bands, writes, alerts, deliveries'),
  error: z.string().nullable(),
});

export const dryRun = defineRoute({
  method: 'post',
  path: '/admin/dry-run',
  operationId: 'dryRun',
  summary: 'Enqueue a cycle computed without writing to the CRM or delivering alerts; poll its report',
  tag: 'admin',
  body: SyncBody,
  response: { status: 202, description: 'The dry run was enqueued; GET the href for its state and report', schema: z.object({ id: z.string(), status: z.literal('queued'), href: z.string() }) },
  problems: [400],
  async handle({ ctx, body }) {
    checkSources(ctx, body.sources);
    // A worker runs it: it reads the CRMs (spending API calls, minutes on a large org) but writes
    // and delivers nothing, and no HTTP request has to stay open that long.
    const id = `dry-${newCycleId(ctx.now())}`;
    const request = { full: body.full ?? false, sources: body.sources ?? null };
    await ctx.store.dryRuns.create(id, request, ctx.now());
    await ctx.queues.queues.evaluate.add('dryRun', { id, ...request }, { jobId: jobId('dryrun', id) });
    return { id, status: 'queued' as const, href: `/api/v1/admin/dry-run/${id}` };
  },
});

export const getDryRun = defineRoute({
  method: 'get',
  path: '/admin/dry-run/:id',
  operationId: 'getDryRun',
  summary: 'A dry run: its state, and its report once it succeeded',
  tag: 'admin',
  params: z.object({ id: z.string().min(1).max(100) }),
  response: { status: 200, description: 'The dry run', schema: DryRunState },
  problems: [400, 404],
  async handle({ ctx, params }) {
    const found = await ctx.store.dryRuns.get(params.id);
    if (!found) throw new HttpProblem(404, `no dry run ${params.id} (dry runs are kept 7 days; start one with POST /api/v1/admin/dry-run)`);
    return found as z.infer<typeof DryRunState>;
  },
});
