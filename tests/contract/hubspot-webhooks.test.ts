/**
 * HubSpot sandbox outbound webhooks: events after writes, v3 signatures the SDK's Signature.isValid
 * accepts, batches of at most 100 events, retries with backoff after a non-2xx answer.
 */
import { Client, Signature } from '@hubspot/api-client';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smallSeedOrg } from '../../src/sandbox/hubspot/fixtures.js';
import { startHubSpotSandbox } from '../../src/sandbox/hubspot/server.js';
import type { WebhookEvent } from '../../src/sandbox/hubspot/webhooks.js';

type Sandbox = Awaited<ReturnType<typeof startHubSpotSandbox>>;
interface Delivery { method: string; headers: Record<string, string | string[] | undefined>; body: string; events: WebhookEvent[] }

const CLIENT_SECRET = 'webhook-test-secret';

/** A local receiver that records deliveries and answers the scripted statuses (then 204). */
class Receiver {
  readonly deliveries: Delivery[] = [];
  statuses: number[] = [];
  private server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString();
        this.deliveries.push({ method: req.method ?? '', headers: req.headers, body, events: JSON.parse(body) as WebhookEvent[] });
        res.statusCode = this.statuses.shift() ?? 204;
        res.end();
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks/hubspot`;
  }

  events(): WebhookEvent[] {
    return this.deliveries.flatMap((d) => d.events);
  }

  /** Waits (bounded) until `n` events have arrived. */
  async waitForEvents(n: number): Promise<void> {
    for (let i = 0; i < 500 && this.events().length < n; i++) await new Promise((r) => setTimeout(r, 20));
  }

  reset(): void {
    this.deliveries.length = 0;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const receiver = new Receiver();
let sb: Sandbox;
let client: Client;

beforeAll(async () => {
  await receiver.start();
  sb = await startHubSpotSandbox({ seed: smallSeedOrg({ accounts: 5 }), webhook: { url: receiver.url, clientSecret: CLIENT_SECRET, retryBaseMs: 20 } });
  client = new Client({ accessToken: sb.token, basePath: sb.url });
});
afterAll(async () => {
  await sb.close();
  await receiver.close();
});

function isValidV3(d: Delivery): boolean {
  return Signature.isValid({
    signatureVersion: 'v3',
    signature: String(d.headers['x-hubspot-signature-v3']),
    clientSecret: CLIENT_SECRET,
    requestBody: d.body,
    method: d.method,
    url: receiver.url,
    timestamp: Number(d.headers['x-hubspot-request-timestamp']),
  });
}

describe('webhook delivery', () => {
  it('posts creation, propertyChange and deletion events with a valid v3 signature', async () => {
    receiver.reset();
    const created = await client.crm.deals.basicApi.create({ properties: { dealname: 'Hooked', amount: '10' }, associations: [] });
    await receiver.waitForEvents(1);
    await client.crm.deals.basicApi.update(created.id, { properties: { dealstage: 'closedwon', amount: '10' } });
    await receiver.waitForEvents(2);
    await client.crm.deals.basicApi.archive(created.id);
    await receiver.waitForEvents(3);

    expect(receiver.events().map((e) => [e.subscriptionType, e.objectTypeId, String(e.objectId), e.propertyName ?? null, e.propertyValue ?? null])).toEqual([
      ['object.creation', '0-3', created.id, null, null],
      ['object.propertyChange', '0-3', created.id, 'dealstage', 'closedwon'],
      ['object.deletion', '0-3', created.id, null, null],
    ]);
    const ids = receiver.events().map((e) => e.eventId);
    expect(new Set(ids).size).toBe(3);
    for (const d of receiver.deliveries) {
      expect(d.method).toBe('POST');
      expect(isValidV3(d)).toBe(true);
      expect(d.headers['x-hubspot-signature-version']).toBe('v1');
    }
    const tampered = { ...receiver.deliveries[0]!, body: receiver.deliveries[0]!.body.replace('0-3', '0-2') };
    expect(isValidV3(tampered)).toBe(false);
    expect(sb.stats.snapshot().calls.byRoute).not.toHaveProperty('POST /hooks/hubspot');
  });

  it('batches at most 100 events per request', async () => {
    receiver.reset();
    const companies = await client.crm.companies.batchApi.create({ inputs: Array.from({ length: 75 }, (_, i) => ({ properties: { name: `W ${i}` }, associations: [] })) });
    await receiver.waitForEvents(75);
    receiver.reset();
    await client.crm.companies.batchApi.update({ inputs: companies.results.map((c) => ({ id: c.id, properties: { name: `${c.properties.name} renamed`, domain: `${c.id}.example` } })) });
    // one call changing 2 properties on 75 records = 150 events, queued before the first flush
    await receiver.waitForEvents(150);
    expect(receiver.deliveries.map((d) => d.events.length)).toEqual([100, 50]);
    expect(receiver.events().every((e) => e.subscriptionType === 'object.propertyChange' && e.objectTypeId === '0-2')).toBe(true);
    expect(receiver.deliveries.every(isValidV3)).toBe(true);
  });

  it('retries a batch answered with a non-2xx status, with attemptNumber counting up', async () => {
    receiver.reset();
    receiver.statuses = [500, 503];
    const c = await client.crm.companies.basicApi.create({ properties: { name: 'Retry Co' }, associations: [] });
    await receiver.waitForEvents(3);
    expect(receiver.deliveries.map((d) => [d.events.length, d.events[0]!.attemptNumber, String(d.events[0]!.objectId)])).toEqual([
      [1, 0, c.id],
      [1, 1, c.id],
      [1, 2, c.id],
    ]);
    expect(receiver.deliveries.every(isValidV3)).toBe(true);
    expect(sb.hubspot.webhooks!.delivered).toBeGreaterThan(0);
  });
});
