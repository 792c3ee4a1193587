/** Quota attainment, pacing and forecast per owner, team and the org for one fiscal period. */
import { z } from 'zod';
import type { Attainment } from '../../domain/insights.js';
import { periodById, periodOf, type FiscalCalendar } from '../../domain/periods.js';
import type { AppContext } from '../../jobs/context.js';
import { analyticsSettings } from '../../jobs/settings.js';
import { defineRoute } from '../route.js';
import { AttainmentReport } from './schemas.js';

export const AttainmentQuery = z.object({
  period: z
    .string()
    .regex(/^FY\d{4}(-(Q[1-4]|M(0[1-9]|1[0-2])))?$/, 'a period id like FY2026, FY2026-Q4 or FY2026-M08')
    .optional()
    .describe('default: the current fiscal quarter'),
  scope: z.enum(['owner', 'team', 'org']).optional(),
  owner: z.string().min(1).optional().describe('only this subject (owner id, or team id with scope=team)'),
});

export function fiscalCalendar(ctx: AppContext): FiscalCalendar {
  return { fiscalYearStartMonth: analyticsSettings(ctx.loaded.config).quota.fiscalYearStartMonth };
}

const scopeOrder = { org: 0, team: 1, owner: 2 } as const;

/** Org first, then teams, then owners; inside a scope, highest attainment first, no quota last. */
export function sortAttainment(rows: Attainment[]): Attainment[] {
  return rows.sort(
    (a, b) => scopeOrder[a.scope] - scopeOrder[b.scope] || (b.attainment ?? -1) - (a.attainment ?? -1) || a.subjectName.localeCompare(b.subjectName),
  );
}

export async function attainmentFor(ctx: AppContext, periodId: string | undefined) {
  const calendar = fiscalCalendar(ctx);
  const period = periodId ? periodById(periodId, calendar) : periodOf(ctx.now().toISOString(), 'quarter', calendar);
  return { period, rows: sortAttainment(await ctx.store.insights.attainment(period.id)) };
}

export const getAttainment = defineRoute({
  method: 'get',
  path: '/attainment',
  operationId: 'getAttainment',
  summary: 'Attainment, pacing and forecast (closed / commit / best case / pipeline) by owner, team and org',
  tag: 'attainment',
  query: AttainmentQuery,
  response: { status: 200, description: 'Attainment rows of the period', schema: AttainmentReport },
  problems: [400],
  async handle({ ctx, query }) {
    const { period, rows } = await attainmentFor(ctx, query.period);
    const items = rows.filter((r) => (!query.scope || r.scope === query.scope) && (!query.owner || r.subjectId === query.owner));
    return { period, items };
  },
});
