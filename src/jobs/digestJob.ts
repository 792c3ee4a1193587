/**
 * The weekly digest (scheduler tick `digest`): one summary per ISO week, stored like an alert (so
 * it has identity and a delivery log) and delivered through every route that takes its type.
 */
import { buildDigest } from '../domain/digest.js';
import type { ChurnRisk } from '../domain/insights.js';
import { periodOf } from '../domain/periods.js';
import { deliveryId } from '../delivery/deliver.js';
import { routesFor } from '../delivery/routing.js';
import type { AppContext } from './context.js';
import { jobId } from './queues.js';
import { analyticsSettings } from './settings.js';

export async function sendWeeklyDigest(ctx: AppContext): Promise<{ key: string; deliveries: number; alreadySent: boolean }> {
  const now = ctx.now().toISOString();
  const top: ChurnRisk[] = [];
  for await (const page of ctx.store.insights.allChurn()) {
    top.push(...page);
    top.sort((a, b) => b.score - a.score || a.accountId.localeCompare(b.accountId));
    top.length = Math.min(top.length, 5);
  }
  const settings = analyticsSettings(ctx.loaded.config);
  const quarter = periodOf(now.slice(0, 10), 'quarter', { fiscalYearStartMonth: settings.quota.fiscalYearStartMonth });
  const org = (await ctx.store.insights.attainment(quarter.id)).find((r) => r.scope === 'org') ?? null;
  const xs = [...(await ctx.store.insights.crossSell(top.map((r) => r.accountId))).values()].flat().sort((a, b) => b.score - a.score).slice(0, 3);
  const names = new Map((await ctx.store.records.getMany('account', [...top.map((r) => r.accountId), ...xs.map((x) => x.accountId)])).map((a) => [a.id, a.name]));
  const digest = buildDigest({
    now,
    openAlerts: await ctx.store.alerts.open(),
    riskiest: top.map((r) => ({ ...r, name: names.get(r.accountId) ?? r.accountId })),
    crossSell: xs.map((x) => ({ ...x, name: names.get(x.accountId) ?? x.accountId })),
    org,
  });
  const existing = await ctx.store.alerts.get([digest.key]);
  if (existing.size > 0) return { key: digest.key, deliveries: 0, alreadySent: true };
  await ctx.store.alerts.put([digest]);
  const routes = routesFor(digest, ctx.loaded.config.alerts.routes);
  for (const route of routes) {
    await ctx.queues.queues.deliver.add('deliver', { alertKey: digest.key, version: digest.version, route: route.name }, { jobId: jobId('deliver', deliveryId(route.name, digest)), attempts: ctx.loaded.config.alerts.deliveryMaxAttempts, backoff: { type: 'exponential', delay: 2000 } });
  }
  return { key: digest.key, deliveries: routes.length, alreadySent: false };
}
