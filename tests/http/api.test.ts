import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { encodeCursor } from '../../src/http/api/accounts.js';
import { apiRoutes } from '../../src/http/api/index.js';
import { WorkerSet } from '../../src/jobs/workers.js';
import { Problem } from '../../src/http/problem.js';
import { startHttpServer, type RunningHttpServer } from '../../src/http/server.js';
import { API_TOKEN, createFixture, seed, type Fixture } from './fixture.js';

let fx: Fixture;
let server: RunningHttpServer;
const auth = { authorization: `Bearer ${API_TOKEN}` };

async function get(path: string, headers: Record<string, string> = auth) {
  const res = await fetch(`${server.url}${path}`, { headers });
  return { status: res.status, type: res.headers.get('content-type') ?? '', headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

async function post(path: string, body: unknown, headers: Record<string, string> = auth) {
  const res = await fetch(`${server.url}${path}`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: (await res.json()) as Record<string, unknown> };
}

function responseSchema(operationId: string): z.ZodType {
  const route = apiRoutes.find((r) => r.operationId === operationId);
  if (!route) throw new Error(`no route ${operationId}`);
  return route.response.schema;
}

beforeAll(async () => {
  fx = await createFixture();
  await seed(fx.ctx);
  server = await startHttpServer(fx.ctx, { port: 0, expectWorkers: false });
});

afterAll(async () => {
  await server?.close();
  await fx?.cleanup();
});

describe('authentication', () => {
  it('refuses a missing token with a 401 problem', async () => {
    const res = await get('/api/v1/accounts', {});
    expect(res.status).toBe(401);
    expect(res.type).toContain('application/problem+json');
    expect(Problem.parse(res.body)).toMatchObject({ status: 401, title: 'Unauthorized', instance: '/api/v1/accounts' });
  });

  it('refuses a wrong token, including one that shares the right prefix or length', async () => {
    for (const token of ['nope', `${API_TOKEN}x`, API_TOKEN.slice(0, -1), API_TOKEN.replace(/.$/, 'Z')]) {
      const res = await get('/api/v1/accounts', { authorization: `Bearer ${token}` });
      expect(res.status, token).toBe(401);
      expect(res.body.detail).toBe('the bearer token does not match API_TOKEN');
    }
  });

  it('accepts the right token', async () => {
    const res = await get('/api/v1/accounts');
    expect(res.status).toBe(200);
    expect((res.body.items as unknown[]).length).toBe(8);
  });

  it('answers 503 on every API route when API_TOKEN is not configured', async () => {
    const bare = await createFixture({ omitEnv: ['API_TOKEN'] });
    const bareServer = await startHttpServer(bare.ctx, { port: 0, expectWorkers: false });
    try {
      for (const route of apiRoutes) {
        const path = `/api/v1${route.path.replace(':id', 'x')}`;
        const res = await fetch(`${bareServer.url}${path}`, { method: route.method.toUpperCase(), headers: { authorization: 'Bearer anything' } });
        expect(res.status, path).toBe(503);
        expect(((await res.json()) as Problem).detail).toMatch(/^API_TOKEN is not set/);
      }
    } finally {
      await bareServer.close();
      await bare.cleanup();
    }
  });
});

describe('validation', () => {
  it('names the bad query field in a 400 problem', async () => {
    const res = await get('/api/v1/accounts?limit=0&band=purple');
    expect(res.status).toBe(400);
    const problem = Problem.parse(res.body);
    expect(problem.errors?.map((e) => e.field).sort()).toEqual(['query.band', 'query.limit']);
  });

  it('refuses a cursor it did not issue', async () => {
    const res = await get('/api/v1/accounts?cursor=not-a-cursor');
    expect(res.status).toBe(400);
    expect(Problem.parse(res.body).errors?.[0]?.field).toBe('query.cursor');
  });

  it('refuses a malformed period and a malformed usage body, naming the fields', async () => {
    const period = await get('/api/v1/attainment?period=2026Q4');
    expect(period.status).toBe(400);
    expect(Problem.parse(period.body).errors?.[0]?.field).toBe('query.period');
    const usage = await post('/api/v1/usage', { metrics: [{ accountId: 'salesforce:001A', metric: 'logins', date: '2026-13-01', value: 3 }] });
    expect(usage.status).toBe(400);
    expect(Problem.parse(usage.body).errors?.map((e) => e.field)).toEqual(['body.metrics.0.date']);
    const badJson = await post('/api/v1/usage', '{"metrics": [');
    expect(badJson.status).toBe(400);
    expect(badJson.type).toContain('application/problem+json');
  });

  it('refuses more than 10,000 usage metrics in one call', async () => {
    const metrics = Array.from({ length: 10_001 }, (_, i) => ({ accountId: 'salesforce:001A', metric: 'logins', date: '2026-11-01', value: i }));
    const res = await post('/api/v1/usage', { metrics });
    expect(res.status).toBe(400);
    expect(Problem.parse(res.body).errors?.[0]?.field).toBe('body.metrics');
  });
});

describe('accounts', () => {
  it('walks every account exactly once with the cursor, in id order', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await get(`/api/v1/accounts?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      const page = responseSchema('listAccounts').parse(res.body) as { items: { id: string }[]; nextCursor: string | null };
      seen.push(...page.items.map((a) => a.id));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual(['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'].map((c) => `salesforce:001${c}`));
  });

  it('filters by band, owner and team', async () => {
    const red = await get('/api/v1/accounts?band=red');
    expect((red.body.items as { id: string; churn: { topReasons: string[] } }[]).map((a) => a.id)).toEqual(['salesforce:001A', 'salesforce:001C']);
    expect((red.body.items as { churn: { topReasons: string[] } }[])[0]?.churn.topReasons).toEqual(['no activity for 63 days (last: call 00T1, 2026-09-13)', '2 urgent cases open (500X, 500Y)']);
    const byOwner = await get('/api/v1/accounts?owner=salesforce:005C');
    expect((byOwner.body.items as { id: string }[]).map((a) => a.id)).toEqual(['salesforce:001C', 'salesforce:001F']);
    const byTeam = await get('/api/v1/accounts?team=team-east&limit=4');
    expect((byTeam.body.items as { id: string }[]).map((a) => a.id)).toEqual(['salesforce:001A', 'salesforce:001B', 'salesforce:001D', 'salesforce:001E']);
    expect(byTeam.body.nextCursor).toBe(encodeCursor('salesforce:001E'));
    const amberEast = await get('/api/v1/accounts?team=team-east&band=amber');
    expect((amberEast.body.items as { id: string }[]).map((a) => a.id)).toEqual(['salesforce:001B']);
    expect(amberEast.body.nextCursor).toBeNull();
  });

  it('returns one account with drivers, history, cross-sell and a CRM link; 404 for an unknown id', async () => {
    const res = await get('/api/v1/accounts/salesforce:001A');
    expect(res.status).toBe(200);
    const detail = responseSchema('getAccount').parse(res.body) as { link: string; churn: { score: number; drivers: unknown[] }; history: unknown[]; crossSell: { product: string }[]; owner: { name: string } };
    expect(detail.link).toBe('https://acme.my.salesforce.com/001A');
    expect(detail.churn.score).toBe(82);
    expect(detail.churn.drivers).toHaveLength(2);
    expect(detail.history).toHaveLength(1);
    expect(detail.crossSell.map((o) => o.product)).toEqual(['Analytics Add-on']);
    expect(detail.owner.name).toBe('Ada Lovelace');
    const missing = await get('/api/v1/accounts/salesforce:nope');
    expect(missing.status).toBe(404);
    expect(Problem.parse(missing.body).status).toBe(404);
  });
});

describe('attainment, alerts, runs, quarantine', () => {
  it('defaults to the current fiscal quarter and filters by scope and owner', async () => {
    const res = await get('/api/v1/attainment');
    const report = responseSchema('getAttainment').parse(res.body) as { period: { id: string }; items: { scope: string; subjectId: string }[] };
    expect(report.period.id).toBe('FY2026-Q4');
    expect(report.items.map((r) => r.scope)).toEqual(['org', 'team', 'team', 'owner', 'owner', 'owner', 'owner']);
    // owners by attainment: Turing 105%, Lovelace 82%, Hopper 25%, then the manager without a quota (the API lists every row)
    expect(report.items.slice(3).map((r) => r.subjectId)).toEqual(['salesforce:005C', 'salesforce:005A', 'salesforce:005B', 'salesforce:005M']);
    const one = await get('/api/v1/attainment?period=FY2026-Q4&scope=owner&owner=salesforce:005B');
    expect((one.body.items as { closedWon: number }[]).map((r) => r.closedWon)).toEqual([30_000]);
    const other = await get('/api/v1/attainment?period=FY2026-Q3');
    expect(other.body.items).toEqual([]);
  });

  it('lists alerts by state', async () => {
    const open = await get('/api/v1/alerts?state=open');
    expect((responseSchema('listAlerts').parse(open.body) as { items: { title: string }[] }).items.map((a) => a.title)).toEqual(['Acme Corp turned red (risk 82)']);
    const resolved = await get('/api/v1/alerts?state=resolved');
    expect((resolved.body.items as { title: string }[]).map((a) => a.title)).toEqual(['Stark Industries was red']);
    const all = await get('/api/v1/alerts');
    expect(all.body.total).toBe(2);
  });

  it('lists runs and returns one with its events', async () => {
    const list = await get('/api/v1/runs');
    const runs = (responseSchema('listRuns').parse(list.body) as { items: { id: string; status: string }[] }).items;
    expect(runs.map((r) => r.status)).toEqual(['succeeded']);
    const one = await get(`/api/v1/runs/${runs[0]?.id}`);
    const detail = responseSchema('getRun').parse(one.body) as { events: { message: string }[] };
    expect(detail.events.map((e) => e.message)).toEqual(['8 accounts read']);
    expect((await get('/api/v1/runs/nope')).status).toBe(404);
  });

  it('lists quarantined records with counts', async () => {
    const res = await get('/api/v1/quarantine');
    const body = responseSchema('listQuarantine').parse(res.body) as { items: { externalId: string }[]; counts: Record<string, number>; total: number };
    expect(body.items.map((q) => q.externalId)).toEqual(['999']);
    expect(body.counts).toEqual({ 'hubspot:companies': 1 });
    expect(body.total).toBe(1);
  });
});

describe('usage and admin', () => {
  it('stores usage metrics and answers 202 with the count', async () => {
    const res = await post('/api/v1/usage', { metrics: [{ accountId: 'salesforce:001A', metric: 'logins', date: '2026-11-01', value: 42 }, { accountId: 'salesforce:001A', metric: 'logins', date: '2026-11-02', value: 40 }] });
    expect(res.status).toBe(202);
    expect(responseSchema('ingestUsage').parse(res.body)).toEqual({ accepted: 2 });
    const stored = await fx.ctx.store.usage.forAccounts(['salesforce:001A']);
    expect(stored.get('salesforce:001A')).toEqual([
      { accountId: 'salesforce:001A', metric: 'logins', date: '2026-11-01', value: 42, source: 'api' },
      { accountId: 'salesforce:001A', metric: 'logins', date: '2026-11-02', value: 40, source: 'api' },
    ]);
  });

  it('records cross-sell feedback for the next scoring; refuses an unknown outcome', async () => {
    const res = await post('/api/v1/cross-sell/feedback', { feedback: [{ accountId: 'salesforce:001A', item: 'Analytics', outcome: 'rejected', via: 'task_dismissed', recordId: '00T1' }] });
    expect(res.status).toBe(202);
    expect(responseSchema('recordCrossSellFeedback').parse(res.body)).toEqual({ accepted: 1 });
    const stored = await fx.ctx.store.insights.feedback();
    expect(stored.map(({ at: _at, ...rest }) => rest)).toEqual([{ accountId: 'salesforce:001A', item: 'Analytics', outcome: 'rejected', via: 'task_dismissed', recordId: '00T1' }]);
    const bad = await post('/api/v1/cross-sell/feedback', { feedback: [{ accountId: 'salesforce:001A', item: 'Analytics', outcome: 'maybe' }] });
    expect(bad.status).toBe(400);
    expect(Problem.parse(bad.body).errors?.map((e) => e.field)).toEqual(['body.feedback.0.outcome']);
  });

  it('enqueues a sync cycle: one sync job per stream of the chosen CRM', async () => {
    const res = await post('/api/v1/admin/sync', { sources: ['hubspot'], full: true });
    expect(res.status).toBe(202);
    const { cycleId } = responseSchema('triggerSync').parse(res.body) as { cycleId: string };
    const jobs = await fx.ctx.queues.queues.sync.getJobs(['waiting', 'prioritized', 'delayed']);
    const mine = jobs.filter((j) => j.data.cycleId === cycleId);
    expect(mine.map((j) => j.data.stream).sort()).toEqual(['calls', 'companies', 'contacts', 'deals', 'owners']);
    expect(mine.every((j) => j.data.source === 'hubspot' && j.data.full === true)).toBe(true);
  });

  it('refuses a sync of an unknown or disabled CRM with a problem naming sources', async () => {
    const res = await post('/api/v1/admin/sync', { sources: ['pipedrive'] });
    expect(res.status).toBe(400);
    expect(Problem.parse(res.body).errors?.[0]?.field).toBe('body.sources.0');
  });

  it('retries failed jobs and reports counts per queue', async () => {
    const res = await post('/api/v1/admin/retry-failed', {});
    expect(res.status).toBe(200);
    expect(responseSchema('retryFailed').parse(res.body)).toEqual({ retried: { sync: 0, score: 0, evaluate: 0, writeback: 0, deliver: 0 } });
  });

  it('dry-run: POST enqueues it (202), a worker computes it, GET answers its state and then the report', async () => {
    const res = await post('/api/v1/admin/dry-run', { sources: ['hubspot'] });
    expect(res.status).toBe(202);
    const queued = responseSchema('dryRun').parse(res.body) as { id: string; status: string; href: string };
    expect(queued.id).toMatch(/^dry-/);
    expect(queued.href).toBe(`/api/v1/admin/dry-run/${queued.id}`);
    const before = await get(queued.href);
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({ id: queued.id, status: 'queued', request: { full: false, sources: ['hubspot'] }, report: null, error: null });

    const workers = new WorkerSet(fx.ctx, { queues: ['evaluate'] });
    try {
      let state = before.body as { status: string; report: { cycleId: string; syncs: { source: string; stream: string }[]; writes: unknown[] } | null };
      for (let i = 0; i < 300 && (state.status === 'queued' || state.status === 'running'); i += 1) {
        await new Promise((r) => setTimeout(r, 100));
        state = (await get(queued.href)).body as typeof state;
      }
      expect(responseSchema('getDryRun').parse(state)).toBeTruthy();
      expect(state.status).toBe('succeeded');
      expect(state.report?.cycleId).toBe(queued.id);
      expect(state.report?.syncs.map((s) => `${s.source}:${s.stream}`)).toEqual(['hubspot:owners', 'hubspot:companies', 'hubspot:contacts', 'hubspot:deals', 'hubspot:calls']);
    } finally {
      await workers.close(5_000);
    }
    const missing = await get('/api/v1/admin/dry-run/dry-nope');
    expect(missing.status).toBe(404);
    expect(String(missing.body.detail ?? missing.body.title)).toContain('no dry run dry-nope');
  });
});
