/**
 * HubSpot's error envelope and the helpers that send it. The SDK throws on every status it does not
 * expect and keeps the raw JSON on `err.body`, so bodies mirror the real ones.
 */
import { randomUUID } from 'node:crypto';
import type { Response } from 'express';

export const JSON_CONTENT_TYPE = 'application/json;charset=utf-8';

export interface HubSpotErrorBody {
  status: 'error';
  message: string;
  correlationId: string;
  category: string;
  subCategory?: string;
  errors?: unknown[];
  context?: Record<string, unknown>;
  links?: Record<string, string>;
  [extra: string]: unknown;
}

/** Thrown by handlers; the error middleware turns it into the response. */
export class HubSpotError extends Error {
  constructor(
    readonly status: number,
    readonly category: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }

  body(): HubSpotErrorBody {
    return { status: 'error', message: this.message, correlationId: randomUUID(), category: this.category, ...this.extra };
  }
}

/** Sends JSON with HubSpot's exact Content-Type (express would add a space before charset). */
export function sendJson(res: Response, status: number, body: unknown): void {
  res.status(status);
  res.setHeader('Content-Type', JSON_CONTENT_TYPE);
  res.end(JSON.stringify(body));
}

export function validationError(message: string, extra: Record<string, unknown> = {}): HubSpotError {
  return new HubSpotError(400, 'VALIDATION_ERROR', message, extra);
}

export function unknownObjectType(segment: string): HubSpotError {
  return validationError(`Unable to infer object type from: ${segment}`);
}

export function objectNotFound(typeName: string, id: string): HubSpotError {
  return new HubSpotError(404, 'OBJECT_NOT_FOUND', `Object not found.  objectId are usually numeric.`, {
    context: { id: [id], objectType: [typeName] },
  });
}

/** 401 for a missing or unknown token. */
export function invalidAuthentication(): HubSpotError {
  return new HubSpotError(
    401,
    'INVALID_AUTHENTICATION',
    'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview',
  );
}

/** 401 for a token past its lifetime (also the `expire` fault). */
export function expiredAuthentication(expiredAt: Date): HubSpotError {
  return new HubSpotError(401, 'EXPIRED_AUTHENTICATION', 'The OAuth token used to make this call expired 0 hour(s) ago.', {
    context: { 'expire time': [expiredAt.toUTCString()] },
  });
}

/** A property-values error in HubSpot's format: the message embeds a JSON array of per-property errors. */
export interface PropertyValueProblem {
  name: string;
  error: string;
  message: string;
}

export function invalidPropertyValues(problems: PropertyValueProblem[], portalId: number): HubSpotError {
  const detail = problems.map((p) => ({
    isValid: false,
    message: p.message,
    error: p.error,
    name: p.name,
    localizedErrorMessage: p.message,
    portalId,
  }));
  return validationError(`Property values were not valid: ${JSON.stringify(detail)}`);
}
