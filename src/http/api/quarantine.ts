/** Records a connector could not map, with their reason. */
import { defineRoute } from '../route.js';
import { OffsetQuery, QuarantineList } from './schemas.js';

export const listQuarantine = defineRoute({
  method: 'get',
  path: '/quarantine',
  operationId: 'listQuarantine',
  summary: 'Quarantined records (newest first) and counts per CRM stream',
  tag: 'quarantine',
  query: OffsetQuery,
  response: { status: 200, description: 'Quarantined records', schema: QuarantineList },
  problems: [400],
  async handle({ ctx, query }) {
    const [items, counts, total] = await Promise.all([ctx.store.quarantine.list(query.offset, query.limit), ctx.store.quarantine.counts(), ctx.store.quarantine.total()]);
    return { items, counts, total };
  },
});
