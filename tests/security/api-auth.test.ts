/**
 * Every operation /openapi.json declares as authenticated (bearer token) refuses a request without
 * a token and one with a wrong token: 401 problem+json, and the handler never runs (nothing is
 * enqueued).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpServer, type RunningHttpServer } from '../../src/http/server.js';
import { API_TOKEN, createFixture, seed, type Fixture } from '../http/fixture.js';

let fx: Fixture;
let server: RunningHttpServer;

interface Operation {
  method: string;
  path: string;
  security?: Record<string, string[]>[];
}

let operations: Operation[] = [];

beforeAll(async () => {
  fx = await createFixture();
  await seed(fx.ctx);
  server = await startHttpServer(fx.ctx, { port: 0, expectWorkers: false });
  const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, Operation>> };
  operations = Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ method, path: path.replace(/\{\w+\}/g, 'salesforce%3A001A'), security: op.security })));
});

afterAll(async () => {
  await server?.close();
  await fx?.cleanup();
});

describe('every authenticated route in /openapi.json', () => {
  it('the document lists the API and admin routes as authenticated', () => {
    const secured = operations.filter((o) => (o.security ?? []).some((s) => 'bearerAuth' in s)).map((o) => `${o.method.toUpperCase()} ${o.path}`);
    expect(secured).toEqual(expect.arrayContaining(['GET /api/v1/accounts', 'POST /api/v1/admin/sync', 'POST /api/v1/admin/dry-run', 'POST /api/v1/admin/retry-failed', 'GET /admin/queues']));
    expect(secured.length).toBeGreaterThanOrEqual(11);
  });

  const tokens: [string, Record<string, string>][] = [
    ['no token', {}],
    ['an empty bearer', { authorization: 'Bearer ' }],
    ['a wrong token', { authorization: 'Bearer not-the-token' }],
    ['the token with one character more', { authorization: `Bearer ${API_TOKEN}0` }],
    ['the token as Basic credentials', { authorization: `Basic ${Buffer.from(`user:${API_TOKEN}`).toString('base64')}` }],
    ['the token in the query string', {}],
  ];

  it.each(tokens)('refuses %s with a 401 problem+json and runs nothing', async (label, headers) => {
    const secured = operations.filter((o) => (o.security ?? []).some((s) => 'bearerAuth' in s));
    const before = await fx.ctx.queues.pending();
    for (const op of secured) {
      const query = label === 'the token in the query string' ? `?token=${API_TOKEN}&access_token=${API_TOKEN}` : '';
      const res = await fetch(`${server.url}${op.path}${query}`, { method: op.method.toUpperCase(), headers: { ...headers, 'content-type': 'application/json' }, ...(op.method === 'get' ? {} : { body: '{"full":true}' }) });
      const where = `${op.method.toUpperCase()} ${op.path} with ${label}`;
      expect(res.status, where).toBe(401);
      expect(res.headers.get('content-type'), where).toContain('application/problem+json');
      const body = (await res.json()) as { status: number; title: string };
      expect(body, where).toMatchObject({ status: 401, title: 'Unauthorized' });
    }
    expect(await fx.ctx.queues.pending()).toBe(before);
  });

  it('accepts the right token on the read routes (the refusals above are about the token, not the route)', async () => {
    const reads = operations.filter((o) => o.method === 'get' && o.path.startsWith('/api/v1/') && !o.path.includes('%3A'));
    expect(reads.length).toBeGreaterThanOrEqual(5);
    for (const op of reads) {
      const res = await fetch(`${server.url}${op.path}`, { headers: { authorization: `Bearer ${API_TOKEN}` } });
      expect(res.status, op.path).toBe(200);
    }
  });
});
