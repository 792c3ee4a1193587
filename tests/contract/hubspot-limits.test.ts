/**
 * HubSpot sandbox limits, auth, faults and accounting through the SDK: rate-limit headers, the
 * TEN_SECONDLY_ROLLING and DAILY 429s, 401s for unknown and expired tokens, the OAuth token
 * endpoint, each fault kind, and /__sandbox stats, reset and faults.
 */
import { Client } from '@hubspot/api-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smallSeedOrg } from '../../src/sandbox/hubspot/fixtures.js';
import { startHubSpotSandbox } from '../../src/sandbox/hubspot/server.js';
import { failure } from '../helpers/sdkFailure.js';

type Sandbox = Awaited<ReturnType<typeof startHubSpotSandbox>>;
interface LimitError { code: number | string; body: Record<string, unknown>; headers: Record<string, string>; message: string }

const sandboxes: Sandbox[] = [];
async function sandbox(options: Partial<Parameters<typeof startHubSpotSandbox>[0]> = {}): Promise<{ sb: Sandbox; client: Client }> {
  const sb = await startHubSpotSandbox({ seed: smallSeedOrg({ accounts: 5 }), ...options });
  sandboxes.push(sb);
  return { sb, client: new Client({ accessToken: sb.token, basePath: sb.url }) };
}
afterAll(async () => {
  await Promise.all(sandboxes.map((s) => s.close()));
});

describe('rate limits', () => {
  it('sends the rate-limit headers on ordinary calls, counting down', async () => {
    const { client } = await sandbox();
    const first = await client.crm.companies.basicApi.getPageWithHttpInfo(1);
    const second = await client.crm.companies.basicApi.getPageWithHttpInfo(1);
    expect(first.headers).toMatchObject({
      'content-type': 'application/json;charset=utf-8',
      'x-hubspot-ratelimit-daily': '1000000',
      'x-hubspot-ratelimit-daily-remaining': '999999',
      'x-hubspot-ratelimit-interval-milliseconds': '10000',
      'x-hubspot-ratelimit-max': '190',
      'x-hubspot-ratelimit-remaining': '189',
    });
    expect(second.headers['x-hubspot-ratelimit-remaining']).toBe('188');
    expect(second.headers['x-hubspot-ratelimit-daily-remaining']).toBe('999998');
  });

  it('answers 429 TEN_SECONDLY_ROLLING once the 10-second window is full; reset clears it', async () => {
    const { sb, client } = await sandbox({ ratePer10s: 3 });
    for (let i = 0; i < 3; i++) await client.crm.deals.basicApi.getPage(1);
    const err = await failure<LimitError>(client.crm.deals.basicApi.getPage(1));
    expect(err.code).toBe(429);
    expect(err.body).toMatchObject({
      status: 'error', message: 'You have reached your ten_secondly_rolling limit.', errorType: 'RATE_LIMIT', category: 'RATE_LIMITS', policyName: 'TEN_SECONDLY_ROLLING',
    });
    expect(err.headers['x-hubspot-ratelimit-remaining']).toBe('0');
    expect(sb.stats.snapshot()).toMatchObject({ calls: { total: 4 }, rateLimited: 1, errors: 0, records: { read: 3 } });
    await client.apiRequest({ method: 'POST', path: '/__sandbox/reset' });
    expect((await client.crm.deals.basicApi.getPage(1)).results).toHaveLength(1);
  });

  it('answers 429 DAILY once the daily allowance is used (search included), until the clock passes midnight', async () => {
    let now = Date.parse('2026-11-02T23:59:00Z');
    const { client } = await sandbox({ dailyLimit: 3, now: () => new Date(now) });
    await client.crm.deals.basicApi.getPage(1);
    await client.crm.deals.searchApi.doSearch({ filterGroups: [], sorts: [], properties: [], limit: 1, after: '0' });
    const third = await client.crm.deals.basicApi.getPageWithHttpInfo(1);
    expect(third.headers['x-hubspot-ratelimit-daily-remaining']).toBe('0');
    const err = await failure<LimitError>(client.crm.deals.basicApi.getPage(1));
    expect(err.code).toBe(429);
    expect(err.body).toMatchObject({ status: 'error', message: 'You have reached your daily limit.', errorType: 'RATE_LIMIT', category: 'RATE_LIMITS', policyName: 'DAILY' });
    now += 2 * 60_000;
    expect((await client.crm.deals.basicApi.getPage(1)).results).toHaveLength(1);
  });
});

describe('authentication', () => {
  it('rejects a missing or unknown token with 401 INVALID_AUTHENTICATION', async () => {
    const { sb } = await sandbox();
    const stranger = new Client({ accessToken: 'pat-na1-not-this-one', basePath: sb.url });
    const err = await failure<LimitError>(stranger.crm.companies.basicApi.getPage(1));
    expect(err.code).toBe(401);
    expect(err.body).toMatchObject({ status: 'error', category: 'INVALID_AUTHENTICATION' });
    expect(err.headers['content-type']).toBe('application/json;charset=utf-8');
    const res = await fetch(`${sb.url}/crm/v3/objects/companies`);
    expect(res.status).toBe(401);
  });

  it('issues OAuth tokens that work, expire after 30 minutes (401) and refresh', async () => {
    let now = Date.parse('2026-11-02T10:00:00Z');
    const { sb, client } = await sandbox({ now: () => new Date(now) });
    const tokens = await client.oauth.tokensApi.create('authorization_code', 'the-code', 'http://localhost/callback', 'client-id', 'client-secret');
    expect(tokens).toMatchObject({ expiresIn: 1800, tokenType: 'bearer' });
    const oauthClient = new Client({ accessToken: tokens.accessToken, basePath: sb.url });
    expect((await oauthClient.crm.companies.basicApi.getPage(1)).results).toHaveLength(1);
    now += 31 * 60_000;
    const expired = await failure<LimitError>(oauthClient.crm.companies.basicApi.getPage(1));
    expect(expired.code).toBe(401);
    expect(expired.body).toMatchObject({ status: 'error', category: 'EXPIRED_AUTHENTICATION' });
    const refreshed = await client.oauth.tokensApi.create('refresh_token', undefined, undefined, 'client-id', 'client-secret', tokens.refreshToken);
    oauthClient.setAccessToken(refreshed.accessToken);
    expect((await oauthClient.crm.companies.basicApi.getPage(1)).results).toHaveLength(1);
    const bad = await failure<LimitError>(client.oauth.tokensApi.create('refresh_token', undefined, undefined, 'client-id', 'client-secret', 'unknown'));
    expect(bad.code).toBe(400);
    expect(sb.stats.snapshot().calls.byRoute).not.toHaveProperty('POST /oauth/v1/token');
  });
});

describe('faults', () => {
  let sb: Sandbox;
  let client: Client;
  beforeAll(async () => {
    ({ sb, client } = await sandbox());
  });
  const setSpec = async (spec: string) => {
    const res = await client.apiRequest({ method: 'POST', path: '/__sandbox/faults', body: { spec } });
    expect(res.status).toBe(200);
  };

  it('429: a TEN_SECONDLY body on the matching call, then normal service', async () => {
    await setSpec('429@GET /crm/v3/objects/companies#times=1');
    const err = await failure<LimitError>(client.crm.companies.basicApi.getPage(1));
    expect(err.code).toBe(429);
    expect(err.body.policyName).toBe('TEN_SECONDLY_ROLLING');
    expect((await client.crm.companies.basicApi.getPage(1)).results).toHaveLength(1);
  });

  it('5xx: the rule\'s status', async () => {
    await setSpec('5xx@POST /crm/v3/objects/*#times=1#status=502');
    const err = await failure<LimitError>(client.crm.companies.batchApi.read({ inputs: [], properties: [], propertiesWithHistory: [] }));
    expect(err.code).toBe(502);
    expect(err.body.status).toBe('error');
  });

  it('latency: delays and then serves', async () => {
    await setSpec('latency#latency=150#times=1');
    const started = Date.now();
    const page = await client.crm.companies.basicApi.getPage(1);
    expect(page.results).toHaveLength(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('expire: 401 as for an expired token', async () => {
    await setSpec('expire#times=1');
    const err = await failure<LimitError>(client.crm.companies.basicApi.getPage(1));
    expect(err.code).toBe(401);
    expect(err.body.category).toBe('EXPIRED_AUTHENTICATION');
  });

  it('drop: the socket closes without an answer', async () => {
    await setSpec('drop@GET /crm/v3/objects/deals*#times=1');
    const err = await failure<LimitError>(client.crm.deals.basicApi.getPage(1));
    expect(typeof err.code).not.toBe('number');
    expect(err.message).toMatch(/socket hang up|ECONNRESET|other side closed/);
    expect((await client.crm.deals.basicApi.getPage(1)).results).toHaveLength(1);
  });

  it('lists rules with their fired counts, accepts JSON rules, clears them, rejects bad specs', async () => {
    await client.apiRequest({ method: 'POST', path: '/__sandbox/faults', body: { rules: [{ kind: '5xx', method: 'GET', path: '/crm/v3/owners*', times: 2 }] } });
    await failure<LimitError>(client.crm.owners.ownersApi.getPage());
    const listed = (await (await client.apiRequest({ method: 'GET', path: '/__sandbox/faults' })).json()) as { rules: { kind: string; fired: number; status: number }[] };
    expect(listed.rules).toMatchObject([{ kind: '5xx', fired: 1, status: 503 }]);
    const cleared = await client.apiRequest({ method: 'DELETE', path: '/__sandbox/faults' });
    expect(cleared.status).toBe(204);
    expect((await client.crm.owners.ownersApi.getPage()).results).toHaveLength(2);
    const bad = await client.apiRequest({ method: 'POST', path: '/__sandbox/faults', body: { spec: 'explode' } });
    expect(bad.status).toBe(400);
  });
});

describe('accounting', () => {
  it('counts calls by route key, records read and written, errors and 429s; reset clears; sandbox and OAuth routes are free', async () => {
    const { sb, client } = await sandbox();
    const deal = sb.externalId('deal-0000')!;
    await client.crm.deals.basicApi.getPage(3);
    await client.crm.deals.basicApi.getById(deal);
    await client.crm.deals.basicApi.update(deal, { properties: { amount: '1' } });
    await client.crm.deals.batchApi.read({ inputs: [{ id: deal }], properties: [], propertiesWithHistory: [] });
    await client.crm.objects.basicApi.getPage('0-3', 2);
    await failure<LimitError>(client.crm.deals.basicApi.getById('999999'));
    await fetch(`${sb.url}/crm/v3/owners/`, { headers: { Authorization: `Bearer ${sb.token}` } });
    await fetch(`${sb.url}/crm/v3/owners`, { headers: { Authorization: `Bearer ${sb.token}` } });
    await client.apiRequest({ method: 'GET', path: '/__sandbox/stats' });
    const stats = (await (await client.apiRequest({ method: 'GET', path: '/__sandbox/stats' })).json()) as ReturnType<Sandbox['stats']['snapshot']>;
    expect(stats).toEqual({
      calls: {
        total: 8,
        byRoute: {
          'GET /crm/v3/objects/deals': 2,
          'GET /crm/v3/objects/deals/{id}': 2,
          'GET /crm/v3/owners': 2,
          'PATCH /crm/v3/objects/deals/{id}': 1,
          'POST /crm/v3/objects/deals/batch/read': 1,
        },
      },
      rateLimited: 0,
      errors: 1,
      records: { read: 3 + 1 + 1 + 2, written: 1 },
    });
    const reset = await client.apiRequest({ method: 'POST', path: '/__sandbox/reset' });
    expect(reset.headers.get('content-type')).toBe('application/json;charset=utf-8');
    expect(sb.stats.snapshot()).toEqual({ calls: { total: 0, byRoute: {} }, rateLimited: 0, errors: 0, records: { read: 0, written: 0 } });
  });
});
