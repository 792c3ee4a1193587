/** Admin actions: start a sync cycle, retry failed jobs, dry-run a cycle. */
import { z } from 'zod';
import { CrmSource } from '../../domain/model.js';
import type { AppContext } from '../../jobs/context.js';
import { enqueueCycle } from '../../jobs/cycle.js';
import { runDryRun } from '../../jobs/dryRun.js';
import { queueNames } from '../../jobs/queues.js';
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

export const dryRun = defineRoute({
  method: 'post',
  path: '/admin/dry-run',
  operationId: 'dryRun',
  summary: 'Compute a cycle without writing to the CRM or delivering alerts; answers the plan',
  tag: 'admin',
  body: SyncBody,
  response: { status: 200, description: 'The dry-run report (DryRunReport of src/jobs/dryRun.ts: syncs, scored, bands, writes, alerts, deliveries)', schema: z.record(z.string(), z.unknown()) },
  problems: [400],
  async handle({ ctx, body }) {
    checkSources(ctx, body.sources);
    // runs in the request: reads the CRM (spending API calls) but writes and delivers nothing
    const report = await runDryRun(ctx, { full: body.full ?? false, ...(body.sources ? { sources: body.sources } : {}) });
    return JSON.parse(JSON.stringify(report)) as Record<string, unknown>;
  },
});
