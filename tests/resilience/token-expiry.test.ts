/**
 * Access tokens expiring mid-sync: both sandboxes answer 401 "expired" on 5% of calls (seeded). The
 * HubSpot connector (OAuth: client id/secret and a refresh token obtained from the sandbox's OAuth
 * endpoint, as an app install would) refreshes its token; the Salesforce connector (client
 * credentials against the sandbox's token endpoint) re-authorizes; the cycle completes with the
 * same end state as a clean one.
 */
import { OAuth2 } from 'jsforce';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { HubSpotGateway } from '../../src/connectors/hubspot/gateway.js';
import { parseFaultSpec } from '../../src/sandbox/common/faults.js';
import type { RunningSandboxPair } from '../../src/sandbox/index.js';
import { endState, runCycleInProcess, startSide, type Side } from '../helpers/cycleSide.js';

const SEED = 61;
const ACCOUNTS = 120;
const sides: Side[] = [];

afterAll(async () => {
  for (const s of sides) await s.close();
});

/** OAuth credentials for both sandboxes: a HubSpot app install (code grant) and a Salesforce connected app. */
async function oauthEnv(sandbox: RunningSandboxPair): Promise<Record<string, string>> {
  const grant = await fetch(`${sandbox.hubspot.url}/oauth/v1/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', client_id: 'ap-client', client_secret: 'ap-client-secret', redirect_uri: 'https://ap.example.com/oauth', code: 'install-code' }),
  });
  if (grant.status !== 200) throw new Error(`HubSpot sandbox code grant answered ${grant.status}`);
  const tokens = (await grant.json()) as { access_token: string; refresh_token: string };
  return {
    HUBSPOT_ACCESS_TOKEN: tokens.access_token,
    HUBSPOT_REFRESH_TOKEN: tokens.refresh_token,
    HUBSPOT_CLIENT_ID: 'ap-client',
    HUBSPOT_CLIENT_SECRET: 'ap-client-secret',
    SALESFORCE_CLIENT_ID: 'ap-connected-app',
    SALESFORCE_CLIENT_SECRET: 'ap-connected-app-secret',
    SALESFORCE_LOGIN_URL: sandbox.salesforce.url,
  };
}

describe('tokens expiring mid-sync', () => {
  it('are refreshed (HubSpot OAuth) and re-authorized (Salesforce client credentials); the cycle ends as a clean one', async () => {
    const clean = await startSide({ seed: SEED, accounts: ACCOUNTS });
    sides.push(clean);
    await runCycleInProcess(clean);
    const expected = await endState(clean);

    const expiring = await startSide({ seed: SEED, accounts: ACCOUNTS, env: oauthEnv });
    sides.push(expiring);
    // The sandbox's expire fault answers 401 without revoking the token, so a plain retry would pass too:
    // count the refreshes themselves (HubSpot's refresh-token grant, jsforce's token request).
    const hubspotRefreshes = vi.spyOn(HubSpotGateway.prototype as unknown as { refreshToken: () => Promise<void> }, 'refreshToken');
    const salesforceGrants = vi.spyOn(OAuth2.prototype, 'requestToken');
    expiring.sandbox.hubspot.faults.set(parseFaultSpec('expire:0.08'));
    expiring.sandbox.salesforce.faults.set(parseFaultSpec('expire:0.08'));
    await runCycleInProcess(expiring, { timeoutMs: 200_000 });
    const fired = { hubspot: expiring.sandbox.hubspot.faults.list()[0]?.fired ?? 0, salesforce: expiring.sandbox.salesforce.faults.list()[0]?.fired ?? 0 };
    expiring.sandbox.hubspot.faults.clear();
    expiring.sandbox.salesforce.faults.clear();
    console.log(`expired tokens injected: ${JSON.stringify(fired)}; HubSpot refreshes ${hubspotRefreshes.mock.calls.length}, Salesforce token requests ${salesforceGrants.mock.calls.length}`);
    expect(fired.hubspot).toBeGreaterThan(0);
    expect(fired.salesforce).toBeGreaterThan(0);
    expect(hubspotRefreshes.mock.calls.length).toBeGreaterThanOrEqual(fired.hubspot);
    expect(salesforceGrants.mock.calls.length).toBeGreaterThanOrEqual(fired.salesforce);
    hubspotRefreshes.mockRestore();
    salesforceGrants.mockRestore();
    const runs = await expiring.ctx.store.runs.list(0, 500);
    expect(runs.filter((r) => r.kind === 'sync' && r.status !== 'succeeded').map((r) => `${r.scope}: ${r.status} ${r.message}`)).toEqual([]);

    const actual = await endState(expiring);
    expect(actual.store).toEqual(expected.store);
    expect(actual.crm).toEqual(expected.crm);
    expect(actual.tasks).toEqual(expected.tasks);
    expect(actual.alerts).toEqual(expected.alerts);
    expect(actual.delivered).toEqual(expected.delivered);
  });
});
