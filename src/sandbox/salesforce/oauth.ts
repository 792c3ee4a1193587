/**
 * `POST /services/oauth2/token` (form-encoded): client_credentials, JWT bearer and
 * refresh_token grants. Answers what jsforce's `authorize()` needs: `access_token`,
 * `instance_url` (this sandbox) and `id` ending in `/<orgId>/<userId>`. Failures are
 * 400 `{"error": "...", "error_description": "..."}` as on Salesforce.
 */
import { verify } from 'node:crypto';
import type { SalesforceOrg } from './org.js';

export interface TokenResult {
  status: number;
  body: Record<string, string>;
}

const fail = (error: string, description: string): TokenResult => ({ status: 400, body: { error, error_description: description } });

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

export function tokenGrant(org: SalesforceOrg, form: URLSearchParams): TokenResult {
  const grantType = form.get('grant_type');
  const { clientId, clientSecret } = org.options;
  switch (grantType) {
    case 'client_credentials': {
      if (clientId && (form.get('client_id') !== clientId || form.get('client_secret') !== clientSecret)) {
        return fail('invalid_client', 'invalid client credentials');
      }
      return issue(org, org.integrationUserId, false);
    }
    case 'refresh_token': {
      if (clientId && form.get('client_id') !== clientId) return fail('invalid_client', 'invalid client credentials');
      const userId = org.sessions.userForRefreshToken(form.get('refresh_token') ?? '');
      if (!userId) return fail('invalid_grant', 'expired access/refresh token');
      return issue(org, userId, false);
    }
    case JWT_BEARER:
      return jwtGrant(org, form.get('assertion') ?? '');
    case null:
      return fail('unsupported_grant_type', 'grant type not supported: grant_type is missing');
    default:
      return fail('unsupported_grant_type', `grant type not supported: ${grantType} (the sandbox accepts client_credentials, refresh_token and ${JWT_BEARER})`);
  }
}

function jwtGrant(org: SalesforceOrg, assertion: string): TokenResult {
  const parts = assertion.split('.');
  if (parts.length !== 3) return fail('invalid_grant', 'invalid assertion: not a JWT (header.payload.signature)');
  let header: { alg?: unknown };
  let claims: { iss?: unknown; sub?: unknown; aud?: unknown; exp?: unknown };
  try {
    header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8'));
    claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
  } catch {
    return fail('invalid_grant', 'invalid assertion: header or payload is not base64url JSON');
  }
  if (header.alg !== 'RS256') return fail('invalid_grant', 'invalid assertion: alg must be RS256');
  if (typeof claims.iss !== 'string' || typeof claims.sub !== 'string' || typeof claims.exp !== 'number') {
    return fail('invalid_grant', 'invalid assertion: iss, sub and exp are required');
  }
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audiences.some((a) => typeof a === 'string' && /^https?:\/\//.test(a))) return fail('invalid_grant', 'audience is invalid');
  if (org.options.clientId && claims.iss !== org.options.clientId) return fail('invalid_client_id', 'client identifier invalid');
  if (claims.exp * 1000 <= org.now()) return fail('invalid_grant', 'expired authorization code');
  if (org.options.jwtPublicKey) {
    const ok = verify('RSA-SHA256', Buffer.from(`${parts[0]}.${parts[1]}`), org.options.jwtPublicKey, Buffer.from(parts[2]!, 'base64url'));
    if (!ok) return fail('invalid_grant', 'invalid assertion: signature does not verify with the configured certificate');
  }
  const username = claims.sub.toLowerCase();
  const user = [...org.store.table('User').values()].find((u) => typeof u.Username === 'string' && u.Username.toLowerCase() === username && u.IsActive);
  if (!user) return fail('invalid_grant', "user hasn't approved this consumer");
  return issue(org, user.Id as string, false);
}

function issue(org: SalesforceOrg, userId: string, withRefreshToken: boolean): TokenResult {
  const session = org.sessions.issue(userId);
  return {
    status: 200,
    body: {
      access_token: session.token,
      ...(withRefreshToken ? { refresh_token: org.sessions.issueRefreshToken(userId) } : {}),
      signature: Buffer.from(session.token).toString('base64').slice(0, 43) + '=',
      scope: 'api',
      instance_url: org.baseUrl,
      id: `${org.baseUrl}/id/${org.orgId}/${userId}`,
      token_type: 'Bearer',
      issued_at: String(session.issuedAt),
    },
  };
}
