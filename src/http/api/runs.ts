/** The run audit: what each run read, changed, wrote and skipped. */
import { z } from 'zod';
import { HttpProblem } from '../problem.js';
import { defineRoute } from '../route.js';
import { OffsetQuery, RunDetail, RunList } from './schemas.js';

export const listRuns = defineRoute({
  method: 'get',
  path: '/runs',
  operationId: 'listRuns',
  summary: 'Runs, latest first',
  tag: 'runs',
  query: OffsetQuery,
  response: { status: 200, description: 'Runs', schema: RunList },
  problems: [400],
  async handle({ ctx, query }) {
    return { items: await ctx.store.runs.list(query.offset, query.limit) };
  },
});

export const getRun = defineRoute({
  method: 'get',
  path: '/runs/:id',
  operationId: 'getRun',
  summary: 'One run with its audit events (first 500)',
  tag: 'runs',
  params: z.object({ id: z.string().min(1).max(200) }),
  response: { status: 200, description: 'The run and its events', schema: RunDetail },
  problems: [400, 404],
  async handle({ ctx, params }) {
    const run = await ctx.store.runs.get(params.id);
    if (!run) throw new HttpProblem(404, `no run ${params.id} (runs are kept for the latest 5,000; list them with GET /api/v1/runs)`);
    return { run, events: await ctx.store.runs.events(run.id) };
  },
});
