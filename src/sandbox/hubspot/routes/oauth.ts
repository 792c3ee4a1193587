/**
 * POST /oauth/v1/token (form-encoded): authorization_code and refresh_token grants. Not an API call:
 * no accounting, no rate limit. Any client id/secret is accepted; codes must be non-empty.
 */
import express, { Router } from 'express';
import { randomUUID } from 'node:crypto';
import { sendJson } from '../errors.js';
import type { TokenRegistry } from '../tokens.js';

function oauthError(status: string, message: string) {
  return { status, message, correlationId: randomUUID() };
}

export function oauthRoutes(tokens: TokenRegistry): Router {
  const router = Router();
  router.post('/oauth/v1/token', express.urlencoded({ extended: false }), (req, res) => {
    const body = (req.body ?? {}) as Record<string, string | undefined>;
    if (!body.client_id) return sendJson(res, 400, oauthError('BAD_CLIENT_ID', 'missing or unknown client_id'));
    if (!body.client_secret) return sendJson(res, 400, oauthError('BAD_CLIENT_SECRET', 'missing client_secret'));
    if (body.grant_type === 'authorization_code') {
      if (!body.code) return sendJson(res, 400, oauthError('BAD_AUTH_CODE', 'missing or invalid auth code'));
      if (!body.redirect_uri) return sendJson(res, 400, oauthError('BAD_REDIRECT_URI', 'missing redirect_uri'));
      return sendJson(res, 200, tokens.issue());
    }
    if (body.grant_type === 'refresh_token') {
      if (!body.refresh_token || !tokens.hasRefreshToken(body.refresh_token)) {
        return sendJson(res, 400, oauthError('BAD_REFRESH_TOKEN', 'missing or unknown refresh token'));
      }
      return sendJson(res, 200, tokens.issue(body.refresh_token));
    }
    return sendJson(res, 400, oauthError('BAD_GRANT_TYPE', `unsupported grant_type "${body.grant_type ?? ''}": use authorization_code or refresh_token`));
  });
  return router;
}
