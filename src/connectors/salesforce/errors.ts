/**
 * Salesforce failures turned into errors that say what happened, to which object, and what to do.
 * jsforce throws `HttpApiError { errorCode, message, data }`; we add the HTTP status (captured by
 * the client) and classify: transient (retry with backoff), the daily allowance spent (stop at
 * the checkpoint, resume later), or permanent (a person must fix permissions or configuration).
 */

/** Error codes of a single record that a later attempt may get past (locks, timeouts). */
const transientRecordCodes = new Set(['UNABLE_TO_LOCK_ROW', 'ALL_OR_NONE_OPERATION_ROLLED_BACK', 'SERVER_UNAVAILABLE', 'REQUEST_RUNNING_TOO_LONG', 'QUERY_TIMEOUT']);

export interface SalesforceErrorDetails {
  /** what we were doing, e.g. "Salesforce Account query" */
  what: string;
  status: number | null;
  code: string;
  /** Salesforce's own message */
  detail: string;
}

export class SalesforceApiError extends Error {
  readonly status: number | null;
  readonly code: string;
  readonly detail: string;
  readonly what: string;

  constructor(details: SalesforceErrorDetails, advice?: string) {
    super(`${details.what}: ${details.status ?? 'no response'} ${details.code} (${details.detail})${advice ? `; ${advice}` : ''}`);
    this.name = 'SalesforceApiError';
    this.status = details.status;
    this.code = details.code;
    this.detail = details.detail;
    this.what = details.what;
  }

  /** 5xx, Salesforce's "unavailable" codes and the concurrent-request limit: worth another try. */
  get transient(): boolean {
    if (this.status !== null && this.status >= 500) return true;
    if (this.status === 420 || this.status === 429) return true;
    if (this.code === 'REQUEST_LIMIT_EXCEEDED' && !isDailyLimitMessage(this.detail)) return true;
    return transientRecordCodes.has(this.code);
  }
}

/** 403 REQUEST_LIMIT_EXCEEDED "TotalRequests Limit exceeded": the org's 24-hour allowance is spent. */
export class DailyLimitReached extends SalesforceApiError {
  constructor(details: SalesforceErrorDetails) {
    super(details, 'the org\'s 24-hour API allowance is spent; the run stops at its checkpoint and resumes when Salesforce frees calls (or buy more API calls)');
    this.name = 'DailyLimitReached';
  }
}

/** The session is gone and could not be renewed. */
export class SalesforceAuthError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SalesforceAuthError';
  }
}

export function isDailyLimitMessage(message: string): boolean {
  return /TotalRequests Limit exceeded/i.test(message);
}

/** Advice per Salesforce error code: what the person running AccountPulse must change. */
export function adviceFor(code: string, what: string, detail: string): string | undefined {
  switch (code) {
    case 'INSUFFICIENT_ACCESS':
    case 'INSUFFICIENT_ACCESS_OR_READONLY':
    case 'INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY':
      return `the integration user lacks access for this (${what}); grant it in the user's profile or a permission set (object read/edit and "API Enabled")`;
    case 'INVALID_FIELD':
    case 'INVALID_FIELD_FOR_INSERT_UPDATE': {
      const field = missingFieldName(detail);
      return `${field ? `field ${field} is` : 'a field is'} missing or hidden from the integration user: grant field-level security access in a permission set, or fix the field mapping in the configuration`;
    }
    case 'INVALID_TYPE':
    case 'NOT_FOUND':
      return 'the object is not available to the integration user (feature off or no access); enable it or grant access';
    case 'API_DISABLED_FOR_ORG':
    case 'API_CURRENTLY_DISABLED':
      return 'the org or the user has no API access; enable "API Enabled" on the integration user\'s profile (Enterprise edition or higher)';
    case 'MALFORMED_QUERY':
      return 'AccountPulse built a query Salesforce rejects; report it with this message';
    case 'INVALID_SESSION_ID':
      return 'the session expired and could not be renewed; check SALESFORCE_CLIENT_ID/SALESFORCE_CLIENT_SECRET (or the JWT key), or set a fresh SALESFORCE_ACCESS_TOKEN';
    default:
      return undefined;
  }
}

/** The field named in an INVALID_FIELD message: "No such column 'X__c' on entity 'Account'". */
export function missingFieldName(message: string): string | null {
  const m = /No such column '([^']+)'/i.exec(message) ?? /field[s]?:? '?([A-Za-z0-9_.]+__c)'?/i.exec(message);
  return m?.[1] ?? null;
}

/** Turns whatever jsforce threw into our error, given the HTTP status we saw (null: no response). */
export function toSalesforceError(err: unknown, status: number | null, what: string): Error {
  if (err instanceof SalesforceApiError || err instanceof SalesforceAuthError) return err;
  const e = err as { errorCode?: unknown; name?: unknown; message?: unknown; data?: unknown };
  const rawCode = typeof e?.errorCode === 'string' ? e.errorCode : null;
  if (!rawCode && status === null) return err as Error; // network failure: keep the original for isNetworkError
  let code = rawCode ?? `ERROR_HTTP_${status}`;
  let detail = typeof e?.message === 'string' ? e.message : String(err);
  // Several errors in one body: take the first one's code, keep them all in the detail.
  if (code === 'MULTIPLE_API_ERRORS' && Array.isArray(e.data) && e.data.length > 0) {
    const first = e.data[0] as { errorCode?: string; message?: string };
    code = first.errorCode ?? code;
    detail = (e.data as { errorCode?: string; message?: string }[]).map((d) => `${d.errorCode}: ${d.message}`).join('; ');
  }
  detail = detail.length > 500 ? `${detail.slice(0, 500)}…` : detail;
  const details: SalesforceErrorDetails = { what, status, code, detail };
  if (code === 'REQUEST_LIMIT_EXCEEDED' && isDailyLimitMessage(detail)) return new DailyLimitReached(details);
  return new SalesforceApiError(details, adviceFor(code, what, detail));
}

/** A record-level error from a collections SaveResult, classified for the write-back ledger. */
export function classifyRecordError(statusCode: string, message: string, fields: readonly string[] = []): { error: string; permanent: boolean } {
  const where = fields.length ? ` [${fields.join(', ')}]` : '';
  let advice = '';
  if (statusCode === 'INVALID_FIELD' || statusCode === 'INVALID_FIELD_FOR_INSERT_UPDATE' || statusCode.startsWith('INSUFFICIENT_ACCESS')) {
    advice = ' (grant field access: give the integration user edit access to the AccountPulse fields in a permission set, or run `accountpulse provision`)';
  } else if (statusCode === 'ENTITY_IS_DELETED') {
    advice = ' (the account was deleted in Salesforce)';
  }
  return { error: `${statusCode}: ${message}${where}${advice}`, permanent: !transientRecordCodes.has(statusCode) };
}
