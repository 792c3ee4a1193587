import { generateKeyPairSync, sign } from 'node:crypto';
import jsforce from 'jsforce';
import { afterEach, describe, expect, it } from 'vitest';
import { tinySeedOrg } from '../../src/sandbox/salesforce/fixtures.js';
import { INTEGRATION_USERNAME } from '../../src/sandbox/salesforce/seed.js';
import { DEFAULT_REFRESH_TOKEN, startSalesforceSandbox, type RunningSalesforceSandbox, type SalesforceSandboxOptions } from '../../src/sandbox/salesforce/server.js';

const running: RunningSalesforceSandbox[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

async function start(options: Partial<SalesforceSandboxOptions> = {}) {
  const sb = await startSalesforceSandbox({ seed: tinySeedOrg(), ...options });
  running.push(sb);
  return sb;
}

const connect = (sb: RunningSalesforceSandbox, token = sb.token) => new jsforce.Connection({ instanceUrl: sb.url, loginUrl: sb.url, accessToken: token, version: '62.0' });
const noRetry = { retry: { maxRetries: 0 } } as const;

function jwt(claims: Record<string, unknown>, privateKey: import('node:crypto').KeyObject): string {
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const body = `${enc({ alg: 'RS256', typ: 'JWT' })}.${enc(claims)}`;
  return `${body}.${sign('RSA-SHA256', Buffer.from(body), privateKey).toString('base64url')}`;
}

describe('OAuth token endpoint', () => {
  it('grants client_credentials with the fields jsforce.authorize needs', async () => {
    const sb = await start({ clientId: 'cid', clientSecret: 'secret' });
    const conn = new jsforce.Connection({ oauth2: { clientId: 'cid', clientSecret: 'secret', loginUrl: sb.url }, version: '62.0' });
    const info = await conn.authorize({ grant_type: 'client_credentials' });
    expect(conn.instanceUrl).toBe(sb.url);
    expect(conn.accessToken).toMatch(/^00D\w{12}!/);
    expect(info.organizationId).toMatch(/^00D\w{15}$/);
    expect(info.id).toMatch(/^005\w{15}$/);
    const me = await conn.query<{ Username: string }>(`SELECT Username FROM User WHERE Id = '${info.id}'`);
    expect(me.records[0]!.Username).toBe(INTEGRATION_USERNAME);

    const res = await fetch(`${sb.url}/services/oauth2/token`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials&client_id=cid&client_secret=wrong' });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'invalid_client', error_description: 'invalid client credentials' });
  });

  it('grants JWT bearer for a signed assertion and rejects a bad signature', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const sb = await start({ jwtPublicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString() });
    const claims = { iss: 'consumer-key', sub: 'rita.rep@example.com', aud: 'https://login.salesforce.com', exp: Math.floor(Date.now() / 1000) + 180 };
    const conn = new jsforce.Connection({ loginUrl: sb.url, version: '62.0' });
    const info = await conn.authorize({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: jwt(claims, privateKey) });
    expect(info.id).toBe(sb.externalId('owner-rep1'));
    expect((await conn.query('SELECT COUNT() FROM Account')).totalSize).toBe(4);

    const bad = new jsforce.Connection({ loginUrl: sb.url, version: '62.0' });
    await expect(bad.authorize({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: jwt(claims, other.privateKey) })).rejects.toMatchObject({ name: 'invalid_grant' });
    await expect(bad.authorize({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: jwt({ ...claims, sub: 'nobody@example.com' }, privateKey) })).rejects.toMatchObject({ name: 'invalid_grant' });
  });

  it('expires sessions (401 INVALID_SESSION_ID) and refreshes through the refresh_token grant', async () => {
    let now = new Date('2026-11-15T12:00:00Z');
    const sb = await start({ tokenTtlMs: 60_000, now: () => now, clientId: 'cid', clientSecret: 'secret' });
    const plain = connect(sb);
    expect((await plain.query('SELECT COUNT() FROM Account')).totalSize).toBe(4);
    now = new Date(now.getTime() + 61_000);
    await expect(plain.query('SELECT COUNT() FROM Account')).rejects.toMatchObject({ errorCode: 'INVALID_SESSION_ID', message: 'Session expired or invalid' });

    // jsforce refreshes on 401 when it holds a refresh token, then replays the call
    const refreshing = new jsforce.Connection({
      oauth2: { clientId: 'cid', clientSecret: 'secret', loginUrl: sb.url }, instanceUrl: sb.url, accessToken: sb.token, refreshToken: DEFAULT_REFRESH_TOKEN, version: '62.0',
    });
    let refreshed = '';
    refreshing.on('refresh', (token: string) => (refreshed = token));
    expect((await refreshing.query('SELECT COUNT() FROM Account')).totalSize).toBe(4);
    expect(refreshed).not.toBe('');
    expect(refreshing.accessToken).toBe(refreshed);

    // authorize again (client credentials) after expiry
    await plain.authorize({ grant_type: 'client_credentials', client_id: 'cid', client_secret: 'secret' });
    expect((await plain.query('SELECT COUNT() FROM Account')).totalSize).toBe(4);
  });
});

describe('API usage', () => {
  it('reports Sforce-Limit-Info into conn.limitInfo and /limits; the version list is not counted', async () => {
    const sb = await start({ dailyLimit: 500 });
    const conn = connect(sb);
    await conn.query('SELECT Id FROM Account');
    await conn.query('SELECT Id FROM Contact');
    expect(conn.limitInfo).toEqual({ apiUsage: { used: 2, limit: 500 } });
    const versions = await fetch(`${sb.url}/services/data/`);
    expect(versions.headers.get('sforce-limit-info')).toBeNull();
    expect(await versions.json()).toEqual(expect.arrayContaining([{ label: 'v62.0', url: '/services/data/v62.0', version: '62.0' }]));
    const limits = await conn.limits();
    expect(limits.DailyApiRequests).toEqual({ Max: 500, Remaining: 497 });
    expect(sb.stats.snapshot().calls.total).toBe(3);
  });

  it('answers 403 REQUEST_LIMIT_EXCEEDED once the daily allowance is used', async () => {
    const sb = await start({ dailyLimit: 3 });
    const conn = connect(sb);
    for (let i = 0; i < 3; i++) await conn.query('SELECT Id FROM Account LIMIT 1');
    expect(conn.limitInfo).toEqual({ apiUsage: { used: 3, limit: 3 } });
    await expect(conn.query('SELECT Id FROM Account LIMIT 1')).rejects.toMatchObject({ errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'TotalRequests Limit exceeded.' });
    const res = await fetch(`${sb.url}/services/data/v62.0/limits`, { headers: { Authorization: `Bearer ${sb.token}` } });
    expect(res.status).toBe(403);
  });
});

describe('faults', () => {
  it('injects 429 and 5xx (jsforce retries GETs and then succeeds)', async () => {
    const sb = await start();
    const conn = connect(sb);
    sb.faults.set([{ kind: '429', method: 'GET', path: '/services/data/*/query', times: 1 }]);
    await expect(conn.request('/query?q=SELECT+Id+FROM+Account', noRetry)).rejects.toMatchObject({ errorCode: 'REQUEST_LIMIT_EXCEEDED' });
    sb.faults.set([{ kind: '5xx', status: 502, path: '/services/data/*', times: 1 }]);
    const res = await fetch(`${sb.url}/services/data/v62.0/limits`, { headers: { Authorization: `Bearer ${sb.token}` } });
    expect([res.status, await res.json()]).toEqual([502, [{ message: 'The sandbox injected a 502 fault; retry the request.', errorCode: 'UNKNOWN_EXCEPTION' }]]);
    // one 503, then jsforce's own retry (GET, after 0.5 s) gets through
    sb.faults.set([{ kind: '5xx', path: '/services/data/*/query', times: 1 }]);
    expect((await conn.query('SELECT COUNT() FROM Account')).totalSize).toBe(4);
    expect(sb.stats.snapshot().calls.byRoute['GET /services/data/vXX/query']).toBe(3);
    expect(sb.stats.snapshot()).toMatchObject({ rateLimited: 1, errors: 2 });
  });

  it('injects expired sessions, dropped connections and latency', async () => {
    const sb = await start();
    const conn = connect(sb);
    sb.faults.set([{ kind: 'expire', times: 1 }]);
    await expect(conn.query('SELECT Id FROM Account')).rejects.toMatchObject({ errorCode: 'INVALID_SESSION_ID' });
    expect((await conn.query('SELECT COUNT() FROM Account')).totalSize).toBe(4);

    sb.faults.set([{ kind: 'drop', method: 'GET', times: 1 }]);
    await expect(fetch(`${sb.url}/services/data/v62.0/limits`, { headers: { Authorization: `Bearer ${sb.token}` } })).rejects.toThrow();
    expect((await conn.query('SELECT COUNT() FROM Account')).totalSize).toBe(4);

    // latency delays the answer but does not change it (speed is not asserted here)
    sb.faults.set([{ kind: 'latency', latencyMs: 50, times: 1 }]);
    expect((await conn.query('SELECT COUNT() FROM Account')).totalSize).toBe(4);
    expect(sb.faults.list()[0]).toMatchObject({ kind: 'latency', fired: 1 });
  });

  it('manages rules over /__sandbox/faults (spec or rules) and stats over /__sandbox/stats and /reset', async () => {
    const sb = await start();
    const conn = connect(sb);
    const post = await fetch(`${sb.url}/__sandbox/faults`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ spec: '429@GET /services/data/*#times=1' }) });
    expect(await post.json()).toMatchObject({ rules: [{ kind: '429', method: 'GET', path: '/services/data/*', times: 1, fired: 0 }] });
    await expect(conn.request('/limits', noRetry)).rejects.toMatchObject({ errorCode: 'REQUEST_LIMIT_EXCEEDED' });
    const listed = (await (await fetch(`${sb.url}/__sandbox/faults`)).json()) as { rules: Array<{ fired: number }> };
    expect(listed.rules[0]!.fired).toBe(1);
    const bad = await fetch(`${sb.url}/__sandbox/faults`, { method: 'POST', body: JSON.stringify({ spec: 'boom' }) });
    expect(bad.status).toBe(400);
    await fetch(`${sb.url}/__sandbox/faults`, { method: 'DELETE' });
    expect(((await (await fetch(`${sb.url}/__sandbox/faults`)).json()) as { rules: unknown[] }).rules).toEqual([]);

    const id = sb.externalId('acct-1')!;
    await conn.sobject('Account').retrieve(id);
    await conn.sobject('Account').update({ Id: id, Industry: 'Media' });
    await conn.request('/jobs/query/750000000000000AAA').catch(() => undefined);
    const stats = await (await fetch(`${sb.url}/__sandbox/stats`)).json();
    expect(stats).toEqual({
      calls: {
        total: 4,
        byRoute: {
          'GET /services/data/vXX/jobs/query/{id}': 1,
          'GET /services/data/vXX/limits': 1,
          'GET /services/data/vXX/sobjects/Account/{id}': 1,
          'PATCH /services/data/vXX/sobjects/Account/{id}': 1,
        },
      },
      rateLimited: 1,
      errors: 1,
      records: { read: 1, written: 1 },
    });
    const reset = await (await fetch(`${sb.url}/__sandbox/reset`, { method: 'POST' })).json();
    expect(reset).toEqual({ calls: { total: 0, byRoute: {} }, rateLimited: 0, errors: 0, records: { read: 0, written: 0 } });
  });
});

describe('robustness', () => {
  it('answers bad requests with Salesforce error arrays and keeps serving', async () => {
    const sb = await start();
    const call = async (method: string, path: string, body?: string) => {
      const res = await fetch(`${sb.url}${path}`, { method, headers: { Authorization: `Bearer ${sb.token}`, 'Content-Type': 'application/json' }, ...(body ? { body } : {}) });
      return { status: res.status, body: await res.json() };
    };
    expect(await call('GET', '/services/data/v62.0/nowhere')).toMatchObject({ status: 404, body: [{ errorCode: 'NOT_FOUND' }] });
    expect(await call('PUT', '/services/data/v62.0/sobjects/Account')).toMatchObject({ status: 405, body: [{ errorCode: 'METHOD_NOT_ALLOWED' }] });
    expect(await call('POST', '/services/data/v62.0/composite/sobjects', '[1,2]')).toMatchObject({ status: 400, body: [{ errorCode: 'JSON_PARSER_ERROR' }] });
    expect(await call('POST', '/services/data/v62.0/composite', '{"compositeRequest": "x"}')).toMatchObject({ status: 400, body: [{ errorCode: 'JSON_PARSER_ERROR' }] });
    expect(await call('GET', '/services/data/v62.0/query')).toMatchObject({ status: 400, body: [{ errorCode: 'MALFORMED_QUERY' }] });
    expect(await call('GET', '/services/data/v62.0/sobjects/Account/updated?start=x&end=y')).toMatchObject({ status: 400, body: [{ errorCode: 'INVALID_DATE_FORMAT' }] });
    const unauthenticated = await fetch(`${sb.url}/services/data/v62.0/limits`);
    expect([unauthenticated.status, await unauthenticated.json()]).toEqual([401, [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]]);
    expect((await connect(sb).query('SELECT COUNT() FROM Account')).totalSize).toBe(4);
  });
});
