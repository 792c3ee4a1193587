/**
 * What a failed HubSpot call means, in words an operator can act on. The SDK throws ApiException
 * with `code` (HTTP status), `body` (raw JSON error) and `headers`; network failures have no code.
 * `describeHubSpotError` turns both into one message naming the object and what to do;
 * `classifyHubSpotError` decides whether the call may be repeated.
 */
import { isNetworkError } from '../retry.js';

export interface HubSpotErrorBody {
  status?: string;
  message?: string;
  category?: string;
  subCategory?: string;
  policyName?: string;
  errorType?: string;
  correlationId?: string;
  errors?: { message?: string; code?: string; context?: Record<string, unknown> }[];
  context?: Record<string, unknown>;
}

/** The parts of an SDK ApiException we read. */
export function errorParts(err: unknown): { status: number | null; body: HubSpotErrorBody; headers: Record<string, string> } {
  const e = err as { code?: unknown; body?: unknown; headers?: unknown };
  const status = typeof e?.code === 'number' ? e.code : null;
  let body: HubSpotErrorBody = {};
  if (e?.body && typeof e.body === 'object') body = e.body as HubSpotErrorBody;
  else if (typeof e?.body === 'string') {
    try {
      body = JSON.parse(e.body) as HubSpotErrorBody;
    } catch {
      body = { message: e.body };
    }
  }
  const headers = e?.headers && typeof e.headers === 'object' ? (e.headers as Record<string, string>) : {};
  return { status, body, headers };
}

export type HubSpotErrorKind = 'auth' | 'scopes' | 'forbidden' | 'rate_limit' | 'daily_limit' | 'validation' | 'not_found' | 'conflict' | 'server' | 'network' | 'other';

/** An error from HubSpot after our own handling (retries, refresh) gave up. */
export class HubSpotApiError extends Error {
  constructor(
    message: string,
    readonly kind: HubSpotErrorKind,
    readonly status: number | null,
    readonly body: HubSpotErrorBody,
    /** the request's object/operation, e.g. "companies list" */
    readonly operation: string,
  ) {
    super(message);
    this.name = 'HubSpotApiError';
  }
}

/** Scopes HubSpot says it needs (from the 403 body), or a best guess from the operation. */
export function requiredScopes(body: HubSpotErrorBody, fallback: string | null): string[] {
  const found = new Set<string>();
  const collect = (ctx: Record<string, unknown> | undefined) => {
    for (const key of ['requiredGranularScopes', 'requiredScopes', 'requiredScope']) {
      const v = ctx?.[key];
      if (Array.isArray(v)) v.forEach((s) => typeof s === 'string' && found.add(s));
      else if (typeof v === 'string') found.add(v);
    }
  };
  collect(body.context);
  for (const e of body.errors ?? []) collect(e.context);
  if (found.size === 0 && fallback) found.add(fallback);
  return [...found];
}

export function errorKind(err: unknown): HubSpotErrorKind {
  if (err instanceof HubSpotApiError) return err.kind;
  const { status, body } = errorParts(err);
  if (status === null) return isNetworkError(err) ? 'network' : 'other';
  if (status === 401) return 'auth';
  if (status === 403) return body.category === 'MISSING_SCOPES' || /scope/i.test(body.message ?? '') ? 'scopes' : 'forbidden';
  if (status === 429) return body.policyName === 'DAILY' ? 'daily_limit' : 'rate_limit';
  if (status === 404) return 'not_found';
  if (status === 409) return 'conflict';
  if (status >= 500) return 'server';
  if (status === 400) return 'validation';
  return 'other';
}

/**
 * One sentence for a failed call: what happened, to which object, what to do.
 * `operation` names the object and action ("companies list"); `scopeHint` the scope it needs.
 */
export function describeHubSpotError(err: unknown, operation: string, scopeHint: string | null): HubSpotApiError {
  if (err instanceof HubSpotApiError) return err;
  const { status, body } = errorParts(err);
  const kind = errorKind(err);
  const detail = body.message ?? (err as Error)?.message ?? String(err);
  let message: string;
  switch (kind) {
    case 'auth':
      message = `HubSpot ${operation}: ${status} ${body.category ?? 'INVALID_AUTHENTICATION'}: the access token was revoked or has expired; create a new private-app token (or reconnect the OAuth app) and set HUBSPOT_ACCESS_TOKEN`;
      break;
    case 'scopes': {
      const scopes = requiredScopes(body, scopeHint);
      message = `HubSpot ${operation}: 403 MISSING_SCOPES (needs ${scopes.join(', ') || 'a scope HubSpot did not name'}); add the scope to the private app and reconnect`;
      break;
    }
    case 'forbidden':
      message = `HubSpot ${operation}: 403 ${body.category ?? 'FORBIDDEN'}: ${detail}; the private app (or the OAuth user) is not allowed this call: check its permissions in HubSpot`;
      break;
    case 'daily_limit':
      message = `HubSpot ${operation}: 429 DAILY: the portal's daily API allowance is spent; the run stops at its checkpoint and resumes after midnight in the portal's time zone`;
      break;
    case 'rate_limit':
      message = `HubSpot ${operation}: 429 ${body.policyName ?? body.errorType ?? 'RATE_LIMIT'}: rate limited after retries (${detail}); other integrations may share the allowance, lower sync.hubspotBurstPer10s`;
      break;
    case 'validation':
      message = `HubSpot ${operation}: 400 ${body.category ?? 'VALIDATION_ERROR'}${body.subCategory ? `/${body.subCategory}` : ''}: ${detail}`;
      if (/propert(y|ies).*(does not exist|doesn't exist|DOESNT_EXIST)|PROPERTY_DOESNT_EXIST/i.test(`${detail} ${body.subCategory ?? ''} ${JSON.stringify(body.errors ?? [])}`)) {
        message += '; a property was deleted or renamed in HubSpot: run `accountpulse provision` for AccountPulse properties, or fix the mapping in config (hubspot.accountFields, renewalDateField, churnLabelField, usageField)';
      }
      break;
    case 'not_found':
      message = `HubSpot ${operation}: 404 ${body.category ?? 'OBJECT_NOT_FOUND'}: ${detail}`;
      break;
    case 'server':
      message = `HubSpot ${operation}: ${status} server error after retries (${detail}); HubSpot may be degraded, the next run retries`;
      break;
    case 'network':
      message = `HubSpot ${operation}: connection failed after retries (${detail}); check HUBSPOT_BASE_URL and the network, the next run retries`;
      break;
    default:
      message = `HubSpot ${operation}: ${status ?? 'error'} ${body.category ?? ''} ${detail}`.replace(/\s+/g, ' ').trim();
  }
  return new HubSpotApiError(message, kind, status, body, operation);
}

/** Permanent per-record failures are not retried on later runs (validation, deleted record). */
export function isPermanentCategory(category: string | undefined, status: number | null): boolean {
  if (status !== null && status >= 500) return false;
  if (status === 429) return false;
  return ['VALIDATION_ERROR', 'OBJECT_NOT_FOUND', 'PROPERTY_DOESNT_EXIST', 'INVALID_OPTION', 'DUPLICATE_ID'].includes(category ?? '') || (status !== null && status >= 400 && status < 500);
}
