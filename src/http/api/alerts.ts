/** Alerts, open or resolved, newest change first. */
import { z } from 'zod';
import { defineRoute } from '../route.js';
import { AlertList } from './schemas.js';

export const listAlerts = defineRoute({
  method: 'get',
  path: '/alerts',
  operationId: 'listAlerts',
  summary: 'Alerts (open or resolved), most recently changed first',
  tag: 'alerts',
  query: z.object({
    state: z.enum(['open', 'resolved']).optional().describe('default: both'),
    limit: z.coerce.number().int().min(1).max(1000).default(200),
  }),
  response: { status: 200, description: 'Alerts', schema: AlertList },
  problems: [400],
  async handle({ ctx, query }) {
    const alerts = query.state === 'open' ? await ctx.store.alerts.open() : (await ctx.store.alerts.all()).filter((a) => !query.state || a.state === query.state);
    return { items: alerts.slice(0, query.limit), total: alerts.length };
  },
});
