/**
 * Configured secrets never leave the process: with every secret set (API token, alert signing
 * secret, CRM tokens and client secrets, webhook secrets, a Redis password), a tour of the HTTP
 * surface — API reads, admin calls, bad requests, refused webhooks, the dashboard, probes,
 * metrics, the OpenAPI document — is made, and every response (status line, headers, body) and
 * every log line written (pino destination captured, no scrubbing by the test) is grepped for each
 * secret, raw, URL-encoded and base64-encoded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardCookieValue } from '../../src/http/auth.js';
import { startHttpServer, type RunningHttpServer } from '../../src/http/server.js';
import { API_TOKEN, createFixture, HUBSPOT_SECRET, SALESFORCE_SECRET, seed, type Fixture } from '../http/fixture.js';

const SECRETS = {
  API_TOKEN,
  HUBSPOT_CLIENT_SECRET: HUBSPOT_SECRET,
  SALESFORCE_WEBHOOK_SECRET: SALESFORCE_SECRET,
  ALERT_SIGNING_SECRET: 'alert-signing-secret-c0ffee42',
  HUBSPOT_ACCESS_TOKEN: 'pat-na1-secret-hubspot-token-5e6f',
  HUBSPOT_REFRESH_TOKEN: 'hubspot-refresh-token-a1b2c3d4',
  SALESFORCE_ACCESS_TOKEN: '00Dxx0000001gPL!AQ4AQsecretsession',
  SALESFORCE_CLIENT_SECRET: 'sf-client-secret-778899aabb',
  REDIS_PASSWORD: 'redis-pass-w0rd-31337',
};

let fx: Fixture;
let server: RunningHttpServer;
const responses: string[] = [];

function redisUrlWithPassword(): string {
  const url = new URL(process.env.REDIS_URL as string);
  // Redis 6+ accepts any password for the default user when none is set: the URL still works.
  url.username = 'default';
  url.password = SECRETS.REDIS_PASSWORD;
  return url.toString();
}

async function call(path: string, init: RequestInit = {}): Promise<void> {
  const res = await fetch(`${server.url}${path}`, { redirect: 'manual', ...init });
  const headers = [...res.headers.entries()].map(([k, v]) => `${k}: ${v}`).join('\n');
  responses.push(`${init.method ?? 'GET'} ${path.split('?')[0]} → ${res.status} ${res.statusText}\n${headers}\n\n${await res.text()}`);
}

function forms(secret: string): string[] {
  return [...new Set([secret, encodeURIComponent(secret), Buffer.from(secret).toString('base64'), JSON.stringify(secret).slice(1, -1)])];
}

beforeAll(async () => {
  fx = await createFixture({
    env: {
      ALERT_SIGNING_SECRET: SECRETS.ALERT_SIGNING_SECRET,
      HUBSPOT_ACCESS_TOKEN: SECRETS.HUBSPOT_ACCESS_TOKEN,
      HUBSPOT_REFRESH_TOKEN: SECRETS.HUBSPOT_REFRESH_TOKEN,
      HUBSPOT_CLIENT_ID: 'hubspot-client-id',
      SALESFORCE_ACCESS_TOKEN: SECRETS.SALESFORCE_ACCESS_TOKEN,
      SALESFORCE_CLIENT_ID: 'sf-client-id',
      SALESFORCE_CLIENT_SECRET: SECRETS.SALESFORCE_CLIENT_SECRET,
      REDIS_URL: redisUrlWithPassword(),
    },
  });
  await seed(fx.ctx);
  // a connector whose auth check fails with an error that echoes its token, as a careless SDK might
  fx.hubspot.auth = { ok: false, message: `401 from HubSpot for token ${SECRETS.HUBSPOT_ACCESS_TOKEN}` };
  server = await startHttpServer(fx.ctx, { port: 0, expectWorkers: false });

  const bearer = { authorization: `Bearer ${API_TOKEN}` };
  const json = { ...bearer, 'content-type': 'application/json' };
  const cookie = { cookie: `ap_dashboard=${dashboardCookieValue(API_TOKEN)}` };
  for (const path of ['/api/v1/accounts', '/api/v1/accounts/salesforce%3A001A', '/api/v1/alerts', '/api/v1/attainment', '/api/v1/quarantine', '/api/v1/runs', '/api/v1/usage']) await call(path, { headers: bearer });
  await call('/api/v1/accounts?limit=-1&band=purple', { headers: bearer });
  await call('/api/v1/accounts/salesforce%3Anope', { headers: bearer });
  await call('/api/v1/accounts', { headers: { authorization: `Bearer ${SECRETS.HUBSPOT_ACCESS_TOKEN}` } });
  await call(`/api/v1/accounts?token=${API_TOKEN}`);
  await call('/api/v1/admin/sync', { method: 'POST', headers: json, body: '{"sources":["hubspot"],"full":true}' });
  await call('/api/v1/admin/sync', { method: 'POST', headers: json, body: '{"sources":["pipedrive"]}' });
  await call('/api/v1/admin/sync', { method: 'POST', headers: json, body: '{not json' });
  await call('/api/v1/admin/retry-failed', { method: 'POST', headers: json, body: '{}' });
  await call('/api/v1/admin/dry-run', { method: 'POST', headers: json, body: '{"sources":["salesforce"]}' });
  await call('/api/v1/admin/dry-run/dry-unknown', { headers: bearer });
  await call('/webhooks/hubspot', { method: 'POST', headers: { 'content-type': 'application/json', 'x-hubspot-signature-v3': 'forged', 'x-hubspot-request-timestamp': String(Date.now()) }, body: '[]' });
  await call('/webhooks/salesforce', { method: 'POST', headers: { 'content-type': 'application/json', 'x-accountpulse-signature': 'v1=00', 'x-accountpulse-timestamp': String(Math.floor(Date.now() / 1000)) }, body: '{}' });
  await call('/', { headers: cookie });
  await call('/');
  await call(`/?token=${encodeURIComponent(API_TOKEN)}`);
  await call('/?token=wrong');
  await call('/login', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `token=${encodeURIComponent(API_TOKEN)}` });
  await call('/login', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'token=wrong' });
  await call('/admin/queues', { headers: bearer });
  await call('/admin/queues/api/queues', { headers: cookie });
  for (const path of ['/healthz', '/readyz', '/metrics', '/openapi.json', '/no/such/route']) await call(path);
  // let pino flush
  await new Promise((r) => setTimeout(r, 200));
});

afterAll(async () => {
  await server?.close();
  await fx?.cleanup();
});

describe('secrets', () => {
  it('the tour really covered the surface: successes, refusals, the dashboard and the probes', () => {
    const statuses = responses.map((r) => /→ (\d{3})/.exec(r)?.[1]);
    expect(statuses.filter((s) => s === '200').length).toBeGreaterThanOrEqual(10);
    expect(statuses.filter((s) => s === '401').length).toBeGreaterThanOrEqual(4);
    expect(statuses).toContain('400');
    expect(responses.find((r) => r.startsWith('GET / →') && r.includes('<html'))).toBeDefined();
    expect(fx.logLines.length).toBeGreaterThan(10);
  });

  it.each(Object.entries(SECRETS))('%s appears in no response (headers or body) and no log line', (_name, secret) => {
    for (const form of forms(secret)) {
      expect(responses.filter((r) => r.includes(form)).map((r) => r.split('\n')[0])).toEqual([]);
      expect(fx.logLines.filter((l) => l.includes(form))).toEqual([]);
    }
  });
});
