/**
 * Inbound CRM webhooks at the HTTP level: a correctly signed, fresh request is accepted once;
 * forged signatures (wrong secret, tampered body, tampered URL, missing headers), replays of an
 * accepted request and stale or future timestamps are refused with a 401/409 problem+json, and
 * none of them enqueues a sync.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signV3 } from '../../src/connectors/hubspot/webhooks.js';
import { signChangeNotice } from '../../src/connectors/salesforce/changeNotices.js';
import { startHttpServer, type RunningHttpServer } from '../../src/http/server.js';
import { createFixture, HUBSPOT_SECRET, SALESFORCE_SECRET, type Fixture } from '../http/fixture.js';

let fx: Fixture;
let server: RunningHttpServer;

beforeAll(async () => {
  fx = await createFixture();
  server = await startHttpServer(fx.ctx, { port: 0, expectWorkers: false });
});

afterAll(async () => {
  await server?.close();
  await fx?.cleanup();
});

async function pendingSyncs(): Promise<number> {
  return fx.ctx.queues.pending();
}

interface Answer {
  status: number;
  type: string;
  body: Record<string, unknown>;
}

async function send(path: string, body: string, headers: Record<string, string>): Promise<Answer> {
  const res = await fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: (await res.json()) as Record<string, unknown> };
}

function expectRefused(answer: Answer, status: number, detail: RegExp): void {
  expect(answer.status).toBe(status);
  expect(answer.type).toContain('application/problem+json');
  expect(answer.body.status).toBe(status);
  expect(String(answer.body.detail)).toMatch(detail);
}

describe('HubSpot webhooks (v3 signature)', () => {
  let n = 0;
  // a distinct body per test, so one test's accepted signature never makes another's a replay
  const body = () => JSON.stringify([{ eventId: ++n, subscriptionType: 'company.propertyChange', objectTypeId: '0-2', objectId: 9000 + n, propertyName: 'name' }]);
  const url = () => `${server.url}/webhooks/hubspot`;
  const signed = (raw: string, options: { secret?: string; timestamp?: number; url?: string } = {}) => {
    const timestamp = String(options.timestamp ?? Date.now());
    return { 'x-hubspot-signature-v3': signV3(options.secret ?? HUBSPOT_SECRET, 'POST', options.url ?? url(), raw, timestamp), 'x-hubspot-request-timestamp': timestamp };
  };

  it('accepts a correctly signed fresh request once and refuses its replay with 409', async () => {
    const raw = body();
    const headers = signed(raw);
    const before = await pendingSyncs();
    const first = await send('/webhooks/hubspot', raw, headers);
    expect(first.status).toBe(202);
    expect(first.body.enqueued).toMatchObject([{ stream: 'companies', ids: 1 }]);
    const after = await pendingSyncs();
    expect(after).toBeGreaterThan(before);
    const replay = await send('/webhooks/hubspot', raw, headers);
    expectRefused(replay, 409, /already accepted \(replayed request\)/);
    expect(await pendingSyncs()).toBe(after);
  });

  it('refuses forged signatures: wrong secret, tampered body, another URL, garbage, missing headers', async () => {
    const before = await pendingSyncs();
    const raw = body();
    expectRefused(await send('/webhooks/hubspot', raw, signed(raw, { secret: `${HUBSPOT_SECRET}x` })), 401, /signature does not match/);
    expectRefused(await send('/webhooks/hubspot', raw.replace('9', '8'), signed(raw)), 401, /signature does not match/);
    expectRefused(await send('/webhooks/hubspot', raw, signed(raw, { url: 'https://evil.example.com/webhooks/hubspot' })), 401, /signature does not match/);
    expectRefused(await send('/webhooks/hubspot', raw, { ...signed(raw), 'x-hubspot-signature-v3': 'A'.repeat(44) }), 401, /signature does not match/);
    expectRefused(await send('/webhooks/hubspot', raw, { 'x-hubspot-request-timestamp': String(Date.now()) }), 401, /missing X-HubSpot-Signature-v3/);
    expectRefused(await send('/webhooks/hubspot', raw, { 'x-hubspot-signature-v3': signed(raw)['x-hubspot-signature-v3'] }), 401, /malformed X-HubSpot-Request-Timestamp/);
    expect(await pendingSyncs()).toBe(before);
  });

  it('refuses stale (over 5 minutes) and future timestamps even when correctly signed', async () => {
    const before = await pendingSyncs();
    const raw = body();
    expectRefused(await send('/webhooks/hubspot', raw, signed(raw, { timestamp: Date.now() - 6 * 60_000 })), 401, /s old \(limit 300 s\)/);
    expectRefused(await send('/webhooks/hubspot', raw, signed(raw, { timestamp: Date.now() + 6 * 60_000 })), 401, /in the future/);
    expect(await pendingSyncs()).toBe(before);
  });
});

describe('Salesforce change notices (HMAC of timestamp.body)', () => {
  let n = 0;
  const body = () => JSON.stringify({ objectType: 'Account', ids: [`001000000000${String(++n).padStart(3, '0')}AAA`] });
  const now = () => Math.floor(Date.now() / 1000);
  const signed = (raw: string, options: { secret?: string; timestamp?: number } = {}) => {
    const timestamp = options.timestamp ?? now();
    return { 'x-accountpulse-timestamp': String(timestamp), 'x-accountpulse-signature': signChangeNotice(options.secret ?? SALESFORCE_SECRET, timestamp, raw) };
  };

  it('accepts a correctly signed fresh notice once and refuses its replay with 409', async () => {
    const raw = body();
    const headers = signed(raw);
    const before = await pendingSyncs();
    const first = await send('/webhooks/salesforce', raw, headers);
    expect(first.status).toBe(202);
    expect(first.body.enqueued).toMatchObject([{ stream: 'accounts', ids: 1 }]);
    const after = await pendingSyncs();
    expect(after).toBeGreaterThan(before);
    expectRefused(await send('/webhooks/salesforce', raw, headers), 409, /already accepted \(replayed request\)/);
    expect(await pendingSyncs()).toBe(after);
  });

  it('refuses forged signatures: wrong secret, tampered body, a signature of another timestamp, missing headers', async () => {
    const before = await pendingSyncs();
    const raw = body();
    expectRefused(await send('/webhooks/salesforce', raw, signed(raw, { secret: 'not-the-secret' })), 401, /signature does not match/);
    expectRefused(await send('/webhooks/salesforce', raw.replace('AAA', 'AAB'), signed(raw)), 401, /signature does not match/);
    const other = signed(raw, { timestamp: now() - 10 });
    expectRefused(await send('/webhooks/salesforce', raw, { ...other, 'x-accountpulse-timestamp': String(now()) }), 401, /signature does not match/);
    expectRefused(await send('/webhooks/salesforce', raw, { 'x-accountpulse-timestamp': String(now()) }), 401, /without x-accountpulse-timestamp \/ x-accountpulse-signature/);
    expectRefused(await send('/webhooks/salesforce', raw, { 'x-accountpulse-signature': signed(raw)['x-accountpulse-signature'] }), 401, /without/);
    expect(await pendingSyncs()).toBe(before);
  });

  it('refuses stale and future timestamps even when correctly signed', async () => {
    const before = await pendingSyncs();
    const raw = body();
    expectRefused(await send('/webhooks/salesforce', raw, signed(raw, { timestamp: now() - 301 - 5 })), 401, /rejected as a replay/);
    expectRefused(await send('/webhooks/salesforce', raw, signed(raw, { timestamp: now() + 400 })), 401, /rejected as a replay/);
    expect(await pendingSyncs()).toBe(before);
  });
});
