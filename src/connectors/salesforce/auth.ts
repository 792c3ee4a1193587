/**
 * How AccountPulse gets a Salesforce session: the OAuth 2.0 client-credentials flow, the JWT
 * bearer flow (the RS256 assertion is signed here with node:crypto; jsforce does not build it),
 * or an access token given as is. The first two re-run their grant whenever Salesforce answers
 * 401 INVALID_SESSION_ID (jsforce's `refreshFn`, then it replays the call once); a given token
 * cannot be renewed, so its expiry ends in a clear error.
 */
import { createSign } from 'node:crypto';
import type { Connection } from 'jsforce';
import type { Env } from '../../config/env.js';
import { SalesforceAuthError } from './errors.js';

export type SalesforceAuth =
  | { mode: 'token'; accessToken: string }
  | { mode: 'client_credentials'; clientId: string; clientSecret: string; loginUrl: string }
  | { mode: 'jwt'; clientId: string; username: string; privateKey: string; loginUrl: string; audience: string };

/** Picks the flow from the environment: JWT when a private key is set, then client credentials, then a token. */
export function authFromEnv(env: Env, fallbackToken?: string): SalesforceAuth {
  const loginUrl = env.SALESFORCE_LOGIN_URL ?? env.SALESFORCE_INSTANCE_URL;
  if (env.SALESFORCE_PRIVATE_KEY) {
    if (!env.SALESFORCE_CLIENT_ID || !env.SALESFORCE_USERNAME) {
      throw new SalesforceAuthError('Salesforce JWT bearer flow: SALESFORCE_PRIVATE_KEY is set but SALESFORCE_CLIENT_ID (consumer key) or SALESFORCE_USERNAME is missing; set both');
    }
    return { mode: 'jwt', clientId: env.SALESFORCE_CLIENT_ID, username: env.SALESFORCE_USERNAME, privateKey: env.SALESFORCE_PRIVATE_KEY, loginUrl, audience: jwtAudience(loginUrl) };
  }
  if (env.SALESFORCE_CLIENT_ID && env.SALESFORCE_CLIENT_SECRET) {
    return { mode: 'client_credentials', clientId: env.SALESFORCE_CLIENT_ID, clientSecret: env.SALESFORCE_CLIENT_SECRET, loginUrl };
  }
  const token = env.SALESFORCE_ACCESS_TOKEN ?? fallbackToken;
  if (!token) {
    throw new SalesforceAuthError('Salesforce: no credentials; set SALESFORCE_CLIENT_ID and SALESFORCE_CLIENT_SECRET (client credentials), SALESFORCE_CLIENT_ID, SALESFORCE_USERNAME and SALESFORCE_PRIVATE_KEY (JWT bearer), or SALESFORCE_ACCESS_TOKEN');
  }
  return { mode: 'token', accessToken: token };
}

/** Salesforce wants the login host as audience: production and My Domain → login, sandboxes → test. */
function jwtAudience(loginUrl: string): string {
  return /test\.salesforce\.com|\.sandbox\.my\.salesforce\.com/.test(loginUrl) ? 'https://test.salesforce.com' : /salesforce\.com/.test(loginUrl) ? 'https://login.salesforce.com' : loginUrl;
}

const base64url = (input: Buffer | string) => Buffer.from(input).toString('base64url');

/** The RS256-signed assertion of the JWT bearer flow (iss = consumer key, sub = username, 3-minute expiry). */
export function signJwtAssertion(options: { clientId: string; username: string; audience: string; privateKey: string; nowSeconds?: number }): string {
  const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
  const header = base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }));
  const claims = base64url(JSON.stringify({ iss: options.clientId, sub: options.username, aud: options.audience, exp: now + 180 }));
  const signer = createSign('RSA-SHA256');
  signer.update(`${header}.${claims}`);
  let signature: string;
  try {
    signature = signer.sign(options.privateKey, 'base64url');
  } catch (err) {
    throw new SalesforceAuthError(`Salesforce JWT bearer flow: could not sign the assertion with SALESFORCE_PRIVATE_KEY (${(err as Error).message}); it must be the connected app certificate's RSA private key in PEM`);
  }
  return `${header}.${claims}.${signature}`;
}

/** The grant parameters of a flow that can be re-run (null for a given token). */
function grantParams(auth: SalesforceAuth): { grant_type: string; [name: string]: string } | null {
  if (auth.mode === 'client_credentials') return { grant_type: 'client_credentials' };
  if (auth.mode === 'jwt') {
    return { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: signJwtAssertion({ clientId: auth.clientId, username: auth.username, audience: auth.audience, privateKey: auth.privateKey }) };
  }
  return null;
}

function describeGrantError(auth: SalesforceAuth, err: unknown): SalesforceAuthError {
  const e = err as { name?: string; message?: string };
  const flow = auth.mode === 'jwt' ? 'JWT bearer' : 'client credentials';
  const fix =
    auth.mode === 'jwt'
      ? 'check that the connected app holds the certificate of SALESFORCE_PRIVATE_KEY, is pre-authorised for SALESFORCE_USERNAME, and that SALESFORCE_LOGIN_URL is right'
      : 'check SALESFORCE_CLIENT_ID/SALESFORCE_CLIENT_SECRET, that the connected app enables the client credentials flow with a run-as user, and that SALESFORCE_LOGIN_URL is the org\'s My Domain';
  return new SalesforceAuthError(`Salesforce ${flow} login failed (${e?.name ?? 'error'}: ${e?.message ?? String(err)}); ${fix}`);
}

/**
 * Runs the grant and installs the session on the connection. jsforce's `authorize` also sets
 * `instanceUrl` from the token response.
 */
export async function authorize(conn: Connection, auth: SalesforceAuth): Promise<void> {
  const params = grantParams(auth);
  if (!params) return;
  try {
    await conn.authorize(params);
  } catch (err) {
    throw describeGrantError(auth, err);
  }
}

/**
 * jsforce's session refresh hook: re-runs the grant. `guard` stops a loop when Salesforce keeps
 * refusing fresh sessions (jsforce would otherwise refresh and replay forever).
 */
export function refreshFnFor(auth: SalesforceAuth, guard: { refreshesWithoutSuccess: number }) {
  return (conn: Connection, callback: (err: Error | null, accessToken?: string) => void): void => {
    const params = grantParams(auth);
    if (!params) {
      callback(new SalesforceAuthError('Salesforce: the access token expired or was revoked (401 INVALID_SESSION_ID) and a given token cannot be renewed; set a fresh SALESFORCE_ACCESS_TOKEN, or configure client credentials / JWT bearer so AccountPulse renews sessions itself'));
      return;
    }
    guard.refreshesWithoutSuccess += 1;
    if (guard.refreshesWithoutSuccess > 2) {
      callback(new SalesforceAuthError('Salesforce: new sessions are refused too (401 right after a successful login); check the connected app\'s IP relaxation and session policies and the run-as user\'s API access'));
      return;
    }
    conn.oauth2
      .requestToken(params)
      .then((res) => {
        if (res.instance_url) conn.instanceUrl = res.instance_url;
        callback(null, res.access_token);
      })
      .catch((err: unknown) => callback(describeGrantError(auth, err)));
  };
}
