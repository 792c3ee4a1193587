/**
 * Bearer-token access to the JSON API, bull-board and the dashboard. Tokens are compared in
 * constant time (both sides hashed to the same length first, so neither content nor length leaks
 * through timing). The dashboard cookie holds an HMAC of the token, never the token itself.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { HttpProblem } from './problem.js';

export const DASHBOARD_COOKIE = 'ap_dashboard';
const COOKIE_PURPOSE = 'accountpulse-dashboard-session-v1';

/** Constant-time string equality (digests have equal length whatever the inputs). */
export function safeEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b) && given.length === expected.length;
}

/** The cookie value that proves the holder knew the token. */
export function dashboardCookieValue(apiToken: string): string {
  return createHmac('sha256', apiToken).update(COOKIE_PURPOSE).digest('base64url');
}

export function bearerToken(req: Request): string | null {
  const header = req.headers.authorization;
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? (match[1] ?? null) : null;
}

export function readCookie(req: Request, name: string): string | null {
  const header = req.headers.cookie;
  if (!header) return null;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    if (part.slice(0, i).trim() === name) {
      try {
        return decodeURIComponent(part.slice(i + 1).trim());
      } catch {
        return null;
      }
    }
  }
  return null;
}

export function hasDashboardCookie(req: Request, apiToken: string): boolean {
  const cookie = readCookie(req, DASHBOARD_COOKIE);
  return cookie !== null && safeEqual(cookie, dashboardCookieValue(apiToken));
}

export interface TokenAuthOptions {
  apiToken: string | undefined;
  /** also accept the dashboard cookie (bull-board is opened from the dashboard in a browser) */
  acceptCookie?: boolean;
}

/** Identifies the caller for rate limiting without keeping the token: a short hash of it. */
export function tokenIdentity(token: string): string {
  return createHash('sha256').update(token).digest('hex').slice(0, 16);
}

/** Middleware: 503 when no API_TOKEN is configured, 401 unless the bearer token (or cookie) matches. */
export function requireToken(options: TokenAuthOptions) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const expected = options.apiToken;
    if (!expected) throw new HttpProblem(503, 'API_TOKEN is not set: the API is disabled until the server is started with API_TOKEN in its environment');
    const given = bearerToken(req);
    if (given !== null) {
      if (!safeEqual(given, expected)) throw new HttpProblem(401, 'the bearer token does not match API_TOKEN', { headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' } });
      res.locals.caller = `token:${tokenIdentity(given)}`;
      return next();
    }
    if (options.acceptCookie && hasDashboardCookie(req, expected)) {
      res.locals.caller = `token:${tokenIdentity(expected)}`;
      return next();
    }
    throw new HttpProblem(401, 'missing credentials: send "Authorization: Bearer <API_TOKEN>"', { headers: { 'WWW-Authenticate': 'Bearer' } });
  };
}
