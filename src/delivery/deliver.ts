/**
 * Delivers one alert state to one route: builds the payload for the route's type, signs it, POSTs
 * it with a timeout, and records the outcome in the delivery log. Each (route, alert key, version,
 * state) has a stable delivery id; a delivery already marked delivered is skipped, so the caller
 * (a BullMQ job with retries and backoff) can replay it safely. A receiver that answers 2xx gets
 * each alert state once; one that fails gets it again on the job's next attempt, never lost.
 */
import { createHash } from 'node:crypto';
import type { Alert } from '../domain/insights.js';
import type { DeliveryLog, DeliveryRecord } from '../store/deliveries.js';
import { eventOf, genericPayload, links, slackPayload, teamsPayload, type AlertEnvelope, type RecordLinker } from './formats.js';
import { DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, signBody } from './signing.js';
import { checkAlertUrl, UrlNotAllowed } from './urlPolicy.js';

export interface RouteTarget {
  name: string;
  type: 'webhook' | 'slack' | 'teams';
  url: string;
}

export interface DeliverOptions {
  log: DeliveryLog;
  signingSecret: string | null;
  timeoutMs: number;
  allowPrivateUrls: boolean;
  link: RecordLinker;
  fetch?: typeof fetch;
  now?: () => Date;
}

export function deliveryId(route: string, alert: Pick<Alert, 'key' | 'version' | 'state'>): string {
  return createHash('sha256').update(`${route}\n${alert.key}\n${alert.version}\n${alert.state}`).digest('hex').slice(0, 32);
}

/** Thrown for failures worth retrying (timeouts, 5xx, 429, network); others are permanent. */
export class DeliveryFailed extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'DeliveryFailed';
  }
}

export type DeliveryOutcome = { status: 'delivered' | 'already-delivered'; record: DeliveryRecord };

export async function deliverAlert(alert: Alert, route: RouteTarget, options: DeliverOptions): Promise<DeliveryOutcome> {
  const now = options.now ?? (() => new Date());
  const id = deliveryId(route.name, alert);
  const record = await options.log.ensure({
    id, route: route.name, alertKey: alert.key, version: alert.version, state: alert.state, status: 'pending', attempts: 0,
    lastStatus: null, lastError: null, createdAt: now().toISOString(), deliveredAt: null,
  });
  if (record.status === 'delivered') return { status: 'already-delivered', record };

  const envelope: AlertEnvelope = { deliveryId: id, event: eventOf(alert), alert, links: links(alert, options.link), sentAt: now().toISOString() };
  const payload = route.type === 'slack' ? slackPayload(envelope) : route.type === 'teams' ? teamsPayload(envelope) : genericPayload(envelope);
  const body = JSON.stringify(payload);
  const ts = Math.floor(now().getTime() / 1000);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'AccountPulse-Alerts/1',
    [DELIVERY_HEADER]: id,
    'Idempotency-Key': id,
    [TIMESTAMP_HEADER]: String(ts),
  };
  if (options.signingSecret) headers[SIGNATURE_HEADER] = signBody(options.signingSecret, ts, body);

  record.attempts += 1;
  try {
    const url = await checkAlertUrl(route.url, { allowPrivate: options.allowPrivateUrls });
    const res = await (options.fetch ?? fetch)(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(options.timeoutMs), redirect: 'error' });
    record.lastStatus = res.status;
    await res.arrayBuffer().catch(() => undefined);
    if (res.ok) {
      record.status = 'delivered';
      record.deliveredAt = now().toISOString();
      record.lastError = null;
      await options.log.put(record);
      return { status: 'delivered', record };
    }
    const retryable = res.status >= 500 || res.status === 429 || res.status === 408;
    throw new DeliveryFailed(`route ${route.name}: receiver answered HTTP ${res.status}`, retryable);
  } catch (err) {
    const e =
      err instanceof DeliveryFailed
        ? err
        : err instanceof UrlNotAllowed
          ? new DeliveryFailed(`route ${route.name}: ${err.message}`, false)
          : new DeliveryFailed(`route ${route.name}: ${(err as Error).name === 'TimeoutError' ? `no answer within ${options.timeoutMs} ms` : (err as Error).message}`, true);
    record.status = 'failed';
    record.lastError = e.message;
    await options.log.put(record);
    throw e;
  }
}
