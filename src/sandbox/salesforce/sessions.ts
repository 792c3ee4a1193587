/**
 * Access tokens (session ids) and refresh tokens the sandbox has issued, with expiry:
 * an expired or unknown token gets 401 INVALID_SESSION_ID.
 */
import { randomBytes } from 'node:crypto';

export interface Session {
  token: string;
  userId: string;
  issuedAt: number;
}

export class SessionRegistry {
  private sessions = new Map<string, Session>();
  private refreshTokens = new Map<string, string>();

  constructor(private readonly options: { orgId: string; ttlMs: number | null; now: () => number }) {}

  /** Registers a known token (the configured default session). */
  add(token: string, userId: string): Session {
    const session = { token, userId, issuedAt: this.options.now() };
    this.sessions.set(token, session);
    return session;
  }

  issue(userId: string): Session {
    return this.add(`${this.options.orgId.slice(0, 15)}!AQ${randomBytes(24).toString('base64url')}`, userId);
  }

  addRefreshToken(refreshToken: string, userId: string): void {
    this.refreshTokens.set(refreshToken, userId);
  }

  issueRefreshToken(userId: string): string {
    const token = `5Aep${randomBytes(32).toString('base64url')}`;
    this.refreshTokens.set(token, userId);
    return token;
  }

  userForRefreshToken(token: string): string | undefined {
    return this.refreshTokens.get(token);
  }

  /** The live session for a token, or null when unknown or expired. */
  validate(token: string): Session | null {
    const session = this.sessions.get(token);
    if (!session) return null;
    if (this.options.ttlMs !== null && this.options.now() - session.issuedAt >= this.options.ttlMs) return null;
    return session;
  }
}
