/**
 * Arbitrary requests to the HTTP app (a real server on an ephemeral port, called through fetch):
 * known and unknown paths, encoded junk in paths and query strings, JSON and non-JSON bodies,
 * with and without the token. Every answer is a 2xx/3xx/4xx, never a 5xx; every API error is
 * problem+json; the server keeps answering; no unhandled rejection.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpServer, type RunningHttpServer } from '../../src/http/server.js';
import { API_TOKEN, createFixture, seed, type Fixture } from '../http/fixture.js';

let fx: Fixture;
let server: RunningHttpServer;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  fx = await createFixture({ env: { ACCOUNTPULSE__HTTP__RATELIMITPERMINUTE: '1000000' } });
  await seed(fx.ctx);
  server = await startHttpServer(fx.ctx, { port: 0, expectWorkers: false });
});

afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  await server?.close();
  await fx?.cleanup();
});

const knownPaths = [
  '/api/v1/accounts', '/api/v1/accounts/salesforce:001A', '/api/v1/accounts/', '/api/v1/alerts', '/api/v1/attainment', '/api/v1/quarantine', '/api/v1/runs', '/api/v1/runs/x',
  '/api/v1/usage', '/api/v1/admin/sync', '/api/v1/admin/dry-run', '/api/v1/admin/retry-failed', '/webhooks/hubspot', '/webhooks/salesforce', '/openapi.json', '/healthz', '/readyz', '/metrics', '/login', '/logout', '/', '/nope',
];
const queryKeys = ['limit', 'cursor', 'band', 'owner', 'team', 'period', 'q', 'sort', 'status', 'kind', 'offset', 'source', 'state', 'token', 'x'];
const segment = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('..', '%', '%00', '%ZZ', '\u0000', '😀', 'salesforce:001A', 'hubspot:1'));
const path = fc.oneof(
  { arbitrary: fc.constantFrom(...knownPaths), weight: 4 },
  { arbitrary: fc.tuple(fc.constantFrom(...knownPaths), segment).map(([p, s]) => `${p}/${encodeURIComponent(s)}`), weight: 2 },
  { arbitrary: fc.constantFrom('/%2e%2e/%2e%2e/etc/passwd', '/api/v1/%61ccounts', '/api/v1/accounts/%2F', '/%', '/webhooks/%ZZ'), weight: 1 },
);
const queryValue = fc.oneof(fc.string({ maxLength: 20 }), fc.integer().map(String), fc.constantFrom('-1', '0', '1e309', 'NaN', 'red', 'amber', 'FY2026-Q4', '%', '%ZZ', ''));
const query = fc.array(fc.tuple(fc.constantFrom(...queryKeys), queryValue, fc.boolean()), { maxLength: 4 }).map((pairs) =>
  pairs.length ? `?${pairs.map(([k, v, raw]) => `${k}=${raw ? v.replace(/[#\s]/g, '') : encodeURIComponent(v)}`).join('&')}` : '',
);
const body = fc.oneof(
  fc.constant(undefined),
  fc.jsonValue().map((v) => JSON.stringify(v) ?? 'null'),
  fc.record({ full: fc.jsonValue(), sources: fc.oneof(fc.jsonValue(), fc.array(fc.constantFrom('hubspot', 'salesforce', 'pipedrive', ''))) }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 50 }),
);

interface Answer {
  status: number;
  type: string;
  text: string;
}

async function request(method: string, p: string, headers: Record<string, string>, b?: string): Promise<Answer> {
  const res = await fetch(`${server.url}${p}`, { method, headers, redirect: 'manual', ...(b !== undefined && method !== 'GET' && method !== 'HEAD' ? { body: b } : {}) });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}

describe('arbitrary requests to the HTTP app', () => {
  it('malformed percent-escapes in path parameters are a 400 problem', async () => {
    for (const p of ['/api/v1/accounts/%', '/api/v1/accounts/%E0%A4%A', '/api/v1/runs/%ZZ']) {
      const answer = await request('GET', p, { authorization: `Bearer ${API_TOKEN}` });
      expect(answer.status, p).toBe(400);
      expect(answer.type, p).toContain('application/problem+json');
    }
  });

  it('never answer 5xx; API errors are problem+json; the server stays up', async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'), path, query, body, fc.boolean(), fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1'), async (method, p, q, b, authed, contentType) => {
        const headers: Record<string, string> = { 'content-type': contentType };
        if (authed) headers.authorization = `Bearer ${API_TOKEN}`;
        const res = await request(method, `${p}${q}`, headers, b);
        const text = res.text;
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        const what = `${method} ${p}${q} (${authed ? 'token' : 'no token'}) → ${res.status}: ${text.slice(0, 200)}`;
        expect(res.status, what).toBeLessThan(500);
        const api = p.startsWith('/api/') || p.startsWith('/webhooks/');
        if (api && res.status >= 400 && method !== 'HEAD') {
          expect(res.type, what).toContain('application/problem+json');
          const problem = JSON.parse(text) as { status: number; title: string };
          expect(problem.status, what).toBe(res.status);
          expect(typeof problem.title, what).toBe('string');
        }
      }),
      { numRuns: 250 },
    );
    // the run exercised successes and refusals alike
    expect([...statuses.keys()].some((s) => s >= 200 && s < 300)).toBe(true);
    expect([...statuses.keys()].filter((s) => s >= 400).length).toBeGreaterThanOrEqual(3);
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(unhandled).toEqual([]);
  }, 120_000);
});
