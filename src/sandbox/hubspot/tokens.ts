/**
 * Access tokens the portal accepts: the fixed private-app token, and OAuth access tokens issued by
 * `/oauth/v1/token` (valid 30 minutes on the portal clock) with their refresh tokens.
 */
import { randomBytes } from 'node:crypto';

export const DEFAULT_PRIVATE_APP_TOKEN = 'pat-sandbox-00000000-0000-4000-8000-000000000001';
const ACCESS_TOKEN_TTL_S = 1800;

export type TokenCheck = { ok: true } | { ok: false; expiredAt?: Date };

export class TokenRegistry {
  private readonly access = new Map<string, number>();
  private readonly refresh = new Set<string>();

  constructor(private readonly options: { privateAppToken: string; now: () => Date }) {}

  get privateAppToken(): string {
    return this.options.privateAppToken;
  }

  check(token: string | undefined): TokenCheck {
    if (!token) return { ok: false };
    if (token === this.options.privateAppToken) return { ok: true };
    const expiresAt = this.access.get(token);
    if (expiresAt === undefined) return { ok: false };
    if (this.options.now().getTime() >= expiresAt) return { ok: false, expiredAt: new Date(expiresAt) };
    return { ok: true };
  }

  /** Issues an access + refresh token pair (`refreshToken` keeps an existing one). */
  issue(refreshToken?: string): { access_token: string; refresh_token: string; expires_in: number; token_type: 'bearer' } {
    const accessToken = `CJ${randomBytes(48).toString('base64url')}`;
    this.access.set(accessToken, this.options.now().getTime() + ACCESS_TOKEN_TTL_S * 1000);
    const refresh = refreshToken ?? `na1-${randomBytes(16).toString('hex')}`;
    this.refresh.add(refresh);
    return { access_token: accessToken, refresh_token: refresh, expires_in: ACCESS_TOKEN_TTL_S, token_type: 'bearer' };
  }

  hasRefreshToken(token: string): boolean {
    return this.refresh.has(token);
  }
}
