/**
 * Outbound webhooks, as a HubSpot app subscription would deliver them: after writes, arrays of
 * generic events (object.creation / object.propertyChange / object.deletion / object.merge, with
 * objectTypeId; a merge adds primaryObjectId, mergedObjectIds, newObjectId = the primary),
 * at most 100 per request, signed v1 and v3, sent one request at a time, retried with exponential
 * backoff on non-2xx or network errors up to `maxAttempts`, then dropped (counted in `failed`).
 */
import { createHash, createHmac } from 'node:crypto';
import type { ChangeEvent } from './portal.js';

export interface WebhookOptions {
  url: string;
  clientSecret: string;
  /** events per request (HubSpot: up to 100) */
  maxBatch?: number;
  maxAttempts?: number;
  /** first retry delay; doubles per attempt */
  retryBaseMs?: number;
  /** how long events gather before a batch is sent */
  flushDelayMs?: number;
  appId?: number;
}

export interface WebhookEvent {
  eventId: number;
  subscriptionId: number;
  portalId: number;
  appId: number;
  occurredAt: number;
  subscriptionType: string;
  attemptNumber: number;
  objectId: number;
  objectTypeId: string;
  changeSource: string;
  changeFlag?: 'CREATED' | 'DELETED';
  propertyName?: string;
  propertyValue?: string;
  primaryObjectId?: number;
  mergedObjectIds?: number[];
  /** HubSpot names a record created by the merge here; the sandbox keeps the primary, so it is the primary */
  newObjectId?: number;
  numberOfPropertiesMoved?: number;
}

const subscriptionIds: Record<ChangeEvent['kind'], number> = { creation: 1001, propertyChange: 1002, deletion: 1003, merge: 1004 };

/** The v3 signature: base64 HMAC-SHA256 (key = client secret) of method + uri + body + timestamp. */
export function signV3(clientSecret: string, method: string, uri: string, body: string, timestamp: number): string {
  return createHmac('sha256', clientSecret).update(`${method}${uri}${body}${timestamp}`).digest('base64');
}

export class WebhookEmitter {
  private queue: WebhookEvent[] = [];
  private nextEventId = 1;
  private flushTimer: NodeJS.Timeout | undefined;
  /** pending backoff waits and how to end them early */
  private readonly retryTimers = new Map<NodeJS.Timeout, () => void>();
  private sending: Promise<void> = Promise.resolve();
  private readonly inFlight = new Set<AbortController>();
  private closed = false;
  /** batches delivered (2xx) / batches given up on after maxAttempts */
  delivered = 0;
  failed = 0;

  constructor(private readonly options: WebhookOptions, private readonly portalId: number) {}

  enqueue(change: ChangeEvent): void {
    if (this.closed) return;
    const event: WebhookEvent = {
      eventId: this.nextEventId++,
      subscriptionId: subscriptionIds[change.kind],
      portalId: this.portalId,
      appId: this.options.appId ?? 4242,
      occurredAt: change.occurredAt,
      subscriptionType: `object.${change.kind}`,
      attemptNumber: 0,
      objectId: Number(change.id),
      objectTypeId: change.type.typeId,
      changeSource: 'INTEGRATION',
    };
    if (change.kind === 'creation') event.changeFlag = 'CREATED';
    if (change.kind === 'deletion') event.changeFlag = 'DELETED';
    if (change.kind === 'propertyChange') {
      event.propertyName = change.propertyName;
      event.propertyValue = change.propertyValue;
    }
    if (change.kind === 'merge') {
      event.primaryObjectId = Number(change.id);
      event.mergedObjectIds = change.mergedIds.map(Number);
      event.newObjectId = Number(change.id);
      // the sandbox keeps the primary's values (see HubSpotPortal.mergeRecords)
      event.numberOfPropertiesMoved = 0;
    }
    this.queue.push(event);
    this.flushTimer ??= setTimeout(() => this.flush(), this.options.flushDelayMs ?? 10);
  }

  /** Sends everything queued, in batches, one request at a time (so batches arrive in order). */
  flush(): void {
    this.flushTimer = undefined;
    const maxBatch = this.options.maxBatch ?? 100;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, maxBatch);
      this.sending = this.sending.then(() => this.deliver(batch));
    }
  }

  /** Resolves once everything queued so far has been delivered or given up on. */
  async idle(): Promise<void> {
    if (this.flushTimer) {
      clearTimeout(this.flushTimer);
      this.flush();
    }
    await this.sending;
  }

  /** One batch: attempts with doubling backoff until a 2xx or `maxAttempts`. */
  private async deliver(events: WebhookEvent[]): Promise<void> {
    const maxAttempts = this.options.maxAttempts ?? 5;
    for (let attempt = 0; attempt < maxAttempts && !this.closed; attempt++) {
      if (attempt > 0) await this.sleep((this.options.retryBaseMs ?? 250) * 2 ** (attempt - 1));
      if (this.closed) return;
      if (await this.post(events.map((e) => ({ ...e, attemptNumber: attempt })))) {
        this.delivered += 1;
        return;
      }
    }
    if (!this.closed) this.failed += 1;
  }

  /** POSTs one signed batch; true on a 2xx answer. */
  private async post(batch: WebhookEvent[]): Promise<boolean> {
    const body = JSON.stringify(batch);
    const timestamp = Date.now();
    const { url, clientSecret } = this.options;
    const controller = new AbortController();
    this.inFlight.add(controller);
    try {
      const res = await fetch(url, {
        method: 'POST',
        body,
        signal: controller.signal,
        headers: {
          'Content-Type': 'application/json',
          'X-HubSpot-Signature': createHash('sha256').update(clientSecret + body).digest('hex'),
          'X-HubSpot-Signature-Version': 'v1',
          'X-HubSpot-Signature-v3': signV3(clientSecret, 'POST', url, body, timestamp),
          'X-HubSpot-Request-Timestamp': String(timestamp),
        },
      });
      await res.arrayBuffer().catch(() => undefined);
      return res.status >= 200 && res.status < 300;
    } catch {
      return false;
    } finally {
      this.inFlight.delete(controller);
    }
  }

  /** A backoff wait that close() cuts short. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.retryTimers.delete(timer);
        resolve();
      }, ms);
      this.retryTimers.set(timer, resolve);
    });
  }

  /** Stops delivering: pending retries are cancelled and requests in flight aborted. */
  close(): void {
    this.closed = true;
    if (this.flushTimer) clearTimeout(this.flushTimer);
    for (const [timer, resolve] of this.retryTimers) {
      clearTimeout(timer);
      resolve();
    }
    for (const c of this.inFlight) c.abort();
    this.retryTimers.clear();
  }
}
