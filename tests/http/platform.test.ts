import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signV3 } from '../../src/connectors/hubspot/webhooks.js';
import { signChangeNotice } from '../../src/connectors/salesforce/changeNotices.js';
import { API_PREFIX, apiRoutes } from '../../src/http/api/index.js';
import { dashboardCookieValue } from '../../src/http/auth.js';
import { openApiPath } from '../../src/http/openapi.js';
import { Problem } from '../../src/http/problem.js';
import { startHttpServer, type RunningHttpServer } from '../../src/http/server.js';
import { API_TOKEN, createFixture, HUBSPOT_SECRET, SALESFORCE_SECRET, seed, type Fixture } from './fixture.js';

let fx: Fixture;
let server: RunningHttpServer;
const auth = { authorization: `Bearer ${API_TOKEN}` };

beforeAll(async () => {
  fx = await createFixture({ env: { ACCOUNTPULSE__HTTP__BODYLIMIT: '2kb' } });
  await seed(fx.ctx);
  server = await startHttpServer(fx.ctx, { port: 0, expectWorkers: false });
});

afterAll(async () => {
  await server?.close();
  await fx?.cleanup();
});

async function syncJobsOf(cycleId: string) {
  const jobs = await fx.ctx.queues.queues.sync.getJobs(['waiting', 'prioritized', 'delayed']);
  return jobs.filter((j) => j.data.cycleId === cycleId).map((j) => ({ source: j.data.source, stream: j.data.stream, externalIds: j.data.externalIds }));
}

describe('OpenAPI document', () => {
  it('lists every route with its parameters, responses (incl. problem+json) and the bearer scheme', async () => {
    const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, Record<string, { parameters?: { name: string; in: string; required: boolean }[]; responses: Record<string, { content?: Record<string, unknown> }>; security?: unknown; requestBody?: unknown }>>;
      components: { securitySchemes: Record<string, { type: string; scheme?: string }> };
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.components.securitySchemes.bearerAuth).toEqual({ type: 'http', scheme: 'bearer', description: 'API_TOKEN' });
    const expected = [
      ...apiRoutes.map((r) => `${r.method} ${openApiPath(r)}`),
      'get /healthz', 'get /readyz', 'get /metrics', 'get /openapi.json', 'post /webhooks/hubspot', 'post /webhooks/salesforce', 'get /', 'get /admin/queues',
    ].sort();
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`)).sort();
    expect(documented).toEqual(expected);
    expect(apiRoutes).toHaveLength(13);
    for (const route of apiRoutes) {
      const op = doc.paths[openApiPath(route)]?.[route.method];
      expect(op?.security, route.operationId).toEqual([{ bearerAuth: [] }]);
      expect(Object.keys(op?.responses[String(route.response.status)]?.content ?? {})).toEqual(['application/json']);
      expect(Object.keys(op?.responses['401']?.content ?? {})).toEqual(['application/problem+json']);
      expect(op?.requestBody !== undefined).toBe(route.body !== undefined);
    }
    const list = doc.paths[`${API_PREFIX}/accounts`]?.get;
    expect(list?.parameters?.map((p) => `${p.in}:${p.name}:${p.required}`)).toEqual(['query:band:false', 'query:owner:false', 'query:team:false', 'query:limit:false', 'query:cursor:false']);
    expect(doc.paths[`${API_PREFIX}/accounts/{id}`]?.get?.parameters?.map((p) => `${p.in}:${p.name}:${p.required}`)).toEqual(['path:id:true']);
  });
});

describe('HubSpot webhooks', () => {
  const url = () => `${server.url}/webhooks/hubspot`;
  const events = JSON.stringify([
    { eventId: 1, subscriptionType: 'company.propertyChange', objectId: 111, propertyName: 'name' },
    { eventId: 2, subscriptionType: 'deal.creation', objectId: 222 },
    { eventId: 3, subscriptionType: 'company.deletion', objectId: 112 },
  ]);
  const send = (body: string, timestamp: string, signature: string) =>
    fetch(url(), { method: 'POST', headers: { 'content-type': 'application/json', 'x-hubspot-request-timestamp': timestamp, 'x-hubspot-signature-v3': signature }, body });

  it('accepts a valid signature and enqueues one targeted sync per object type', async () => {
    const ts = String(Date.now());
    const res = await send(events, ts, signV3(HUBSPOT_SECRET, 'POST', url(), events, ts));
    expect(res.status).toBe(202);
    const body = (await res.json()) as { enqueued: { stream: string; ids: number; cycleId: string }[] };
    expect(body.enqueued.map((e) => `${e.stream}:${e.ids}`).sort()).toEqual(['companies:2', 'deals:1']);
    const companies = body.enqueued.find((e) => e.stream === 'companies');
    expect(await syncJobsOf(companies?.cycleId ?? '')).toEqual([{ source: 'hubspot', stream: 'companies', externalIds: ['111', '112'] }]);
  });

  it('refuses a forged signature, a stale timestamp and a replay', async () => {
    const ts = String(Date.now());
    const forged = await send(events, ts, signV3('wrong-secret', 'POST', url(), events, ts));
    expect(forged.status).toBe(401);
    expect(Problem.parse(await forged.json()).detail).toMatch(/signature does not match/);

    const staleTs = String(Date.now() - 6 * 60_000);
    const stale = await send(events, staleTs, signV3(HUBSPOT_SECRET, 'POST', url(), events, staleTs));
    expect(stale.status).toBe(401);
    expect(Problem.parse(await stale.json()).detail).toMatch(/old/);

    const body = JSON.stringify([{ eventId: 9, subscriptionType: 'contact.propertyChange', objectId: 5 }]);
    const sig = signV3(HUBSPOT_SECRET, 'POST', url(), body, ts);
    expect((await send(body, ts, sig)).status).toBe(202);
    const replay = await send(body, ts, sig);
    expect(replay.status).toBe(409);
    expect(replay.headers.get('content-type')).toContain('application/problem+json');
  });

  it('refuses a body altered after signing', async () => {
    const ts = String(Date.now());
    const sig = signV3(HUBSPOT_SECRET, 'POST', url(), events, ts);
    const res = await send(events.replace('111', '666'), ts, sig);
    expect(res.status).toBe(401);
  });
});

describe('Salesforce change notices', () => {
  const url = () => `${server.url}/webhooks/salesforce`;
  const send = (body: string, ts: number, signature: string) =>
    fetch(url(), { method: 'POST', headers: { 'content-type': 'application/json', 'x-accountpulse-timestamp': String(ts), 'x-accountpulse-signature': signature }, body });

  it('accepts a signed notice and enqueues a targeted sync of the stream', async () => {
    const body = JSON.stringify({ objectType: 'Opportunity', ids: ['006000000000001AAA', '006000000000002AAA'] });
    const ts = Math.floor(Date.now() / 1000);
    const res = await send(body, ts, signChangeNotice(SALESFORCE_SECRET, ts, body));
    expect(res.status).toBe(202);
    const result = (await res.json()) as { enqueued: { stream: string; cycleId: string }[] };
    expect(result.enqueued.map((e) => e.stream)).toEqual(['deals']);
    expect(await syncJobsOf(result.enqueued[0]?.cycleId ?? '')).toEqual([{ source: 'salesforce', stream: 'deals', externalIds: ['006000000000001AAA', '006000000000002AAA'] }]);
  });

  it('refuses forged, stale and replayed notices', async () => {
    const body = JSON.stringify({ objectType: 'Account', ids: ['001000000000001AAA'] });
    const ts = Math.floor(Date.now() / 1000);
    expect((await send(body, ts, signChangeNotice('not-the-secret', ts, body))).status).toBe(401);
    const old = ts - 600;
    expect((await send(body, old, signChangeNotice(SALESFORCE_SECRET, old, body))).status).toBe(401);
    const sig = signChangeNotice(SALESFORCE_SECRET, ts, body);
    expect((await send(body, ts, sig)).status).toBe(202);
    const replay = await send(body, ts, sig);
    expect(replay.status).toBe(409);
    expect(Problem.parse(await replay.json()).detail).toMatch(/already accepted/);
  });
});

describe('bad input and limits', () => {
  it('answers 413 problem for a body over config http.bodyLimit', async () => {
    const metrics = Array.from({ length: 100 }, (_, i) => ({ accountId: 'salesforce:001A', metric: 'logins', date: '2026-11-01', value: i }));
    const res = await fetch(`${server.url}/api/v1/usage`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ metrics }) });
    expect(res.status).toBe(413);
    expect(Problem.parse(await res.json())).toMatchObject({ status: 413, title: 'Request body too large' });
    const hook = await fetch(`${server.url}/webhooks/hubspot`, { method: 'POST', body: 'x'.repeat(4096) });
    expect(hook.status).toBe(413);
  });

  it('answers 404 problem for unknown routes, inside and outside the API', async () => {
    for (const [path, headers] of [['/nope', {}], ['/api/v1/nope', auth]] as const) {
      const res = await fetch(`${server.url}${path}`, { headers });
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(Problem.parse(await res.json()).instance).toBe(path);
    }
  });

  it('sets security headers and no X-Powered-By', async () => {
    const res = await fetch(`${server.url}/healthz`);
    expect(res.headers.get('x-powered-by')).toBeNull();
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
  });
});

describe('rate limiting', () => {
  it('answers 429 with Retry-After once a token spends its per-minute allowance', async () => {
    const limited = await createFixture({ env: { ACCOUNTPULSE__HTTP__RATELIMITPERMINUTE: '5' } });
    // a fixed clock: the seven requests fall in one window whatever the wall time
    const limitedServer = await startHttpServer(limited.ctx, { port: 0, expectWorkers: false, now: () => Date.UTC(2026, 10, 15, 12, 0, 30) });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 7; i += 1) statuses.push((await fetch(`${limitedServer.url}/api/v1/alerts`, { headers: auth })).status);
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
      const res = await fetch(`${limitedServer.url}/api/v1/alerts`, { headers: auth });
      const retryAfter = Number(res.headers.get('retry-after'));
      expect(retryAfter).toBe(30);
      expect(Problem.parse(await res.json()).status).toBe(429);
      // probes are never limited
      expect((await fetch(`${limitedServer.url}/healthz`)).status).toBe(200);
    } finally {
      await limitedServer.close();
      await limited.cleanup();
    }
  });
});

describe('rate limiting of CRM webhooks', () => {
  it('counts webhooks in their own per-IP allowance: a spent API allowance does not refuse them, and theirs does not refuse the API', async () => {
    const limited = await createFixture({ env: { ACCOUNTPULSE__HTTP__RATELIMITPERMINUTE: '3', ACCOUNTPULSE__HTTP__WEBHOOKRATELIMITPERMINUTE: '4' } });
    const limitedServer = await startHttpServer(limited.ctx, { port: 0, expectWorkers: false, now: () => Date.UTC(2026, 10, 15, 12, 0, 30) });
    try {
      const api = async () => (await fetch(`${limitedServer.url}/api/v1/alerts`, { headers: auth })).status;
      // unsigned: refused by the signature check (401) until the webhook allowance is spent (429)
      const hook = async () => (await fetch(`${limitedServer.url}/webhooks/hubspot`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[]' })).status;
      expect([await hook(), await hook(), await hook(), await hook(), await hook()]).toEqual([401, 401, 401, 401, 429]);
      // the webhooks spent only their own allowance: the API still has all of its own
      expect([await api(), await api(), await api(), await api()]).toEqual([200, 200, 200, 429]);
      // and the spent API allowance does not give the webhooks more
      expect(await hook()).toBe(429);
    } finally {
      await limitedServer.close();
      await limited.cleanup();
    }
  });
});

describe('metrics and probes', () => {
  it('exposes registry series plus queue depths and CRM budgets refreshed at scrape time', async () => {
    fx.ctx.metrics.recordsSynced.inc({ source: 'hubspot', stream: 'companies', outcome: 'changed' }, 7);
    const res = await fetch(`${server.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toContain('accountpulse_records_synced_total{source="hubspot",stream="companies",outcome="changed"} 7');
    expect(text).toContain('accountpulse_crm_daily_budget_remaining{source="hubspot"} 249100');
    expect(text).toContain('accountpulse_crm_daily_budget_limit{source="salesforce"} 250000');
    expect(text).toContain('accountpulse_crm_budget_rate_limited{source="hubspot"} 3');
    expect(text).toMatch(/accountpulse_queue_jobs\{queue="sync",state="waiting"\} \d+/);
    expect(text).toContain('accountpulse_queue_jobs{queue="deliver",state="failed"} 0');
  });

  it('healthz answers without I/O; readyz reports each check and caches CRM auth for 60 s', async () => {
    expect(await (await fetch(`${server.url}/healthz`)).json()).toEqual({ status: 'ok' });
    const before = fx.hubspot.authChecks;
    const first = await fetch(`${server.url}/readyz`);
    expect(first.status).toBe(200);
    const report = (await first.json()) as { status: string; failed: string[]; checks: Record<string, { ok: boolean }> };
    expect(report.status).toBe('ready');
    expect(Object.keys(report.checks).sort()).toEqual(['crm.hubspot', 'crm.salesforce', 'redis', 'workers']);
    await fetch(`${server.url}/readyz`);
    await fetch(`${server.url}/readyz`);
    expect(fx.hubspot.authChecks - before).toBeLessThanOrEqual(1);
  });

  it('readyz is 503 naming the failed checks: a CRM whose auth fails, workers expected but absent', async () => {
    const other = await createFixture();
    other.hubspot.auth = { ok: false, message: 'INVALID_AUTHENTICATION: token expired; reconnect the HubSpot app' };
    const otherServer = await startHttpServer(other.ctx, { port: 0 });
    try {
      const res = await fetch(`${otherServer.url}/readyz`);
      expect(res.status).toBe(503);
      const body = (await res.json()) as { failed: string[]; checks: Record<string, { message: string }> };
      expect(body.failed).toEqual(['crm.hubspot', 'workers']);
      expect(body.checks['crm.hubspot']?.message).toBe('INVALID_AUTHENTICATION: token expired; reconnect the HubSpot app');
    } finally {
      await otherServer.close();
      await other.cleanup();
    }
  });

  it('readyz is 503 with redis failed when the context is on a closed connection', async () => {
    const down = await createFixture();
    const downServer = await startHttpServer(down.ctx, { port: 0, expectWorkers: false });
    try {
      down.redis.disconnect();
      const res = await fetch(`${downServer.url}/readyz`);
      expect(res.status).toBe(503);
      const body = (await res.json()) as { failed: string[] };
      expect(body.failed).toEqual(['redis']);
      // the process still answers
      expect((await fetch(`${downServer.url}/healthz`)).status).toBe(200);
    } finally {
      await downServer.close();
      await down.ctx.queues.close();
    }
  });
});

describe('queue board and dashboard access', () => {
  it('puts bull-board behind the token (bearer or dashboard cookie)', async () => {
    expect((await fetch(`${server.url}/admin/queues`)).status).toBe(401);
    const withToken = await fetch(`${server.url}/admin/queues`, { headers: auth });
    expect(withToken.status).toBe(200);
    expect(await withToken.text()).toContain('AccountPulse queues');
    const withCookie = await fetch(`${server.url}/admin/queues`, { headers: { cookie: `ap_dashboard=${dashboardCookieValue(API_TOKEN)}` } });
    expect(withCookie.status).toBe(200);
  });

  it('logs in with ?token= by setting an HMAC cookie (never the token) and redirecting', async () => {
    const anonymous = await fetch(`${server.url}/`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.text()).toContain('<form class="login"');
    const wrong = await fetch(`${server.url}/?token=nope`, { redirect: 'manual' });
    expect(wrong.status).toBe(401);
    const login = await fetch(`${server.url}/?token=${API_TOKEN}`, { redirect: 'manual' });
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe('/');
    const cookie = login.headers.get('set-cookie') ?? '';
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    expect(cookie).not.toContain(API_TOKEN);
    const page = await fetch(`${server.url}/`, { headers: { cookie: cookie.split(';')[0] ?? '' } });
    expect(page.status).toBe(200);
    const text = await page.text();
    expect(text).toContain('Ada Lovelace');
    expect(text).not.toContain('<img src=x');
    expect(text).toContain('&#60;img src=x onerror=alert(1)&#62; Initech');
    expect(text).not.toContain('<script');
  });

  it('login form POST sets the cookie; a forged cookie is refused', async () => {
    const res = await fetch(`${server.url}/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `token=${encodeURIComponent(API_TOKEN)}`, redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(res.headers.get('set-cookie')).toContain(`ap_dashboard=${dashboardCookieValue(API_TOKEN)}`);
    expect((await fetch(`${server.url}/`, { headers: { cookie: 'ap_dashboard=forged' } })).status).toBe(401);
  });
});

describe('secrets', () => {
  it('never appear in responses or in the request log', async () => {
    const bodies: string[] = [];
    for (const path of ['/openapi.json', '/readyz', '/metrics', '/api/v1/accounts?band=red', `/?token=${API_TOKEN}`, '/api/v1/nope']) {
      const res = await fetch(`${server.url}${path}`, { headers: auth, redirect: 'manual' });
      bodies.push(await res.text(), JSON.stringify([...res.headers]));
    }
    await fetch(`${server.url}/api/v1/accounts`, { headers: { authorization: 'Bearer wrong-token-guess' } });
    const everything = bodies.join('\n');
    const log = fx.logLines.join('');
    expect(log).toContain('"path":"/api/v1/accounts"');
    for (const secret of [API_TOKEN, HUBSPOT_SECRET, SALESFORCE_SECRET]) {
      expect(everything).not.toContain(secret);
      expect(log).not.toContain(secret);
    }
    expect(log).not.toContain('wrong-token-guess');
  });
});
