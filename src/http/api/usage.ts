/** Product-usage ingest: metrics per account and day, idempotent per (account, metric, date). */
import { z } from 'zod';
import { UsageMetric } from '../../domain/model.js';
import { defineRoute } from '../route.js';

export const MAX_USAGE_METRICS = 10_000;

export const UsageIngestBody = z.object({
  metrics: z.array(UsageMetric.omit({ source: true }).extend({ accountId: z.string().min(3) })).min(1).max(MAX_USAGE_METRICS),
});

export const postUsage = defineRoute({
  method: 'post',
  path: '/usage',
  operationId: 'ingestUsage',
  summary: `Ingest product-usage metrics (at most ${MAX_USAGE_METRICS.toLocaleString('en')} per call); the same (account, metric, date) overwrites`,
  tag: 'usage',
  body: UsageIngestBody,
  response: { status: 202, description: 'Stored; used by the next scoring', schema: z.object({ accepted: z.number().int().nonnegative() }) },
  problems: [400, 413],
  async handle({ ctx, body }) {
    await ctx.store.usage.put(body.metrics.map((m) => ({ ...m, source: 'api' as const })));
    return { accepted: body.metrics.length };
  },
});
