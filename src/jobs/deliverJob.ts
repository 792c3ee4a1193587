/**
 * Deliver stage: one job per (alert state, route). The delivery id is stable, the delivery log
 * says whether it already went out, and BullMQ retries failures with exponential backoff; a
 * permanent failure (a refused URL, a 4xx) fails the job at once with its reason.
 */
import { UnrecoverableError, type Job } from 'bullmq';
import { deliverAlert, DeliveryFailed } from '../delivery/deliver.js';
import { resolveRouteUrl } from '../delivery/routing.js';
import { durationMs } from '../config/schema.js';
import type { AppContext } from './context.js';
import { DeliverPayload, parsePayload } from './queues.js';

export async function processDeliver(ctx: AppContext, job: Job): Promise<{ status: string }> {
  const payload = parsePayload(DeliverPayload, job);
  const alert = await ctx.store.alerts.version(payload.alertKey, payload.version);
  if (!alert) throw new UnrecoverableError(`alert ${payload.alertKey} version ${payload.version} is no longer known (older than 30 days?); not delivered`);
  const cfg = ctx.loaded.config.alerts;
  const routeCfg = cfg.routes.find((r) => r.name === payload.route);
  if (!routeCfg) throw new UnrecoverableError(`alert route ${payload.route} is no longer configured; not delivered`);
  try {
    const out = await deliverAlert(alert, { name: routeCfg.name, type: routeCfg.type, url: resolveRouteUrl(routeCfg) }, {
      log: ctx.store.deliveries,
      signingSecret: ctx.loaded.env.ALERT_SIGNING_SECRET ?? null,
      timeoutMs: durationMs(cfg.deliveryTimeout),
      allowPrivateUrls: cfg.allowPrivateUrls,
      link: ctx.recordLink,
      now: ctx.now,
    });
    if (out.status === 'delivered') ctx.metrics.alertsDelivered.inc({ route: routeCfg.name, outcome: 'delivered' });
    return { status: out.status };
  } catch (err) {
    ctx.metrics.alertsDelivered.inc({ route: routeCfg.name, outcome: 'failed' });
    if (err instanceof DeliveryFailed && !err.retryable) throw new UnrecoverableError(err.message);
    throw err;
  }
}
