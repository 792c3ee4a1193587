/**
 * `POST /composite`: up to 25 subrequests (at most 5 of them queries or sObject Collections)
 * run in order as one API call; `@{ref.path}` pulls values out of earlier responses; with
 * allOrNone one failure rolls everything back and the rest answer PROCESSING_HALTED.
 */
import { z } from 'zod';
import { SfApiError } from '../errors.js';
import type { SalesforceOrg } from '../org.js';
import { handle, json, type ApiRequest, type ApiResponse, type ApiRouter } from '../router.js';

const SubrequestSchema = z.object({
  method: z.enum(['GET', 'POST', 'PATCH', 'PUT', 'DELETE']),
  url: z.string().min(1),
  referenceId: z.string().regex(/^[A-Za-z0-9_]+$/, 'referenceId must be alphanumeric or _'),
  body: z.unknown().optional(),
  httpHeaders: z.record(z.string(), z.string()).optional(),
});

const CompositeSchema = z.object({
  allOrNone: z.boolean().optional().default(false),
  collateSubrequests: z.boolean().optional(),
  compositeRequest: z.array(SubrequestSchema).min(1),
});

const MAX_SUBREQUESTS = 25;
const MAX_QUERY_OR_COLLECTION = 5;

interface SubResponse {
  body: unknown;
  httpHeaders: Record<string, string>;
  httpStatusCode: number;
  referenceId: string;
}

const referencePattern = /@\{([A-Za-z0-9_]+)((?:\.[A-Za-z0-9_]+|\[\d+\])*)\}/g;

class UnresolvedReference extends Error {}

function resolveReference(results: Map<string, SubResponse>, refId: string, path: string): unknown {
  const result = results.get(refId);
  if (!result || result.httpStatusCode >= 400) throw new UnresolvedReference(`${refId}${path}`);
  let value: unknown = result.body;
  for (const step of path.match(/\.[A-Za-z0-9_]+|\[\d+\]/g) ?? []) {
    const key = step.startsWith('[') ? Number(step.slice(1, -1)) : step.slice(1);
    value = value !== null && typeof value === 'object' ? (value as Record<string | number, unknown>)[key] : undefined;
  }
  if (value === undefined) throw new UnresolvedReference(`${refId}${path}`);
  return value;
}

function substitute(text: string, results: Map<string, SubResponse>): string {
  return text.replace(referencePattern, (_m, ref: string, path: string) => String(resolveReference(results, ref, path)));
}

function substituteDeep(value: unknown, results: Map<string, SubResponse>): unknown {
  if (typeof value === 'string') {
    // a value that is exactly one reference keeps the referenced value's JSON type
    const whole = /^@\{([A-Za-z0-9_]+)((?:\.[A-Za-z0-9_]+|\[\d+\])*)\}$/.exec(value);
    if (whole) return resolveReference(results, whole[1]!, whole[2]!);
    return substitute(value, results);
  }
  if (Array.isArray(value)) return value.map((v) => substituteDeep(v, results));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteDeep(v, results)]));
  return value;
}

const halted = (message: string) => [{ errorCode: 'PROCESSING_HALTED', message }];

export function registerCompositeRoutes(router: ApiRouter, org: SalesforceOrg): void {
  router.add('POST', '/composite', async (req) => {
    const parsed = CompositeSchema.safeParse(req.body);
    if (!parsed.success) {
      throw new SfApiError(400, 'JSON_PARSER_ERROR', `Invalid composite request: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    }
    const { allOrNone, compositeRequest } = parsed.data;
    if (compositeRequest.length > MAX_SUBREQUESTS) {
      throw new SfApiError(400, 'INVALID_BATCH_REQUEST', `Composite requests can have at most ${MAX_SUBREQUESTS} subrequests; got ${compositeRequest.length}.`);
    }
    const heavy = compositeRequest.filter((s) => /\/(query|queryAll)(\/|\?|$)|\/composite\/sobjects/.test(s.url)).length;
    if (heavy > MAX_QUERY_OR_COLLECTION) {
      throw new SfApiError(400, 'INVALID_BATCH_REQUEST', `Composite requests can have at most ${MAX_QUERY_OR_COLLECTION} query or sObject Collection subrequests; got ${heavy}.`);
    }
    const ids = new Set<string>();
    for (const s of compositeRequest) {
      if (ids.has(s.referenceId)) throw new SfApiError(400, 'INVALID_BATCH_REQUEST', `Duplicate referenceId '${s.referenceId}'.`);
      ids.add(s.referenceId);
    }

    const tx = allOrNone ? org.store.begin() : null;
    const results = new Map<string, SubResponse>();
    const responses: SubResponse[] = [];
    let failedAt = -1;
    for (const [index, sub] of compositeRequest.entries()) {
      let response: ApiResponse;
      try {
        const url = substitute(sub.url, results);
        const body = sub.body === undefined ? undefined : substituteDeep(sub.body, results);
        response = await handle(router, subrequest(req, sub.method, url, body, sub.httpHeaders ?? {}));
      } catch (error) {
        if (!(error instanceof UnresolvedReference)) throw error;
        response = json(400, halted(`Invalid reference specified. No value for ${error.message} found. Provided referenceId must match a referenceId from a previous successful subrequest in the same composite request.`));
      }
      const entry: SubResponse = {
        body: response.json ?? response.text ?? null,
        httpHeaders: response.headers ?? {},
        httpStatusCode: response.status,
        referenceId: sub.referenceId,
      };
      results.set(sub.referenceId, entry);
      responses.push(entry);
      if (response.status >= 400 && allOrNone) {
        failedAt = index;
        break;
      }
    }
    if (tx && failedAt >= 0) {
      tx.rollback();
      const message = 'The transaction was rolled back since another operation in the same transaction failed.';
      const all = compositeRequest.map((sub, i) =>
        i === failedAt ? responses[i]! : { body: halted(message), httpHeaders: {}, httpStatusCode: 400, referenceId: sub.referenceId },
      );
      return json(200, { compositeResponse: all });
    }
    tx?.commit();
    return json(200, { compositeResponse: responses });
  });
}

function subrequest(parent: ApiRequest, method: string, url: string, body: unknown, headers: Record<string, string>): ApiRequest {
  const parsed = new URL(url, 'http://composite.local');
  const m = /^\/services\/data\/v(\d+\.\d)(\/.*)?$/.exec(parsed.pathname);
  if (!m) throw new SfApiError(400, 'INVALID_BATCH_REQUEST', `Subrequest url must start with /services/data/vXX.X/: ${url}`);
  return {
    method,
    path: (m[2] ?? '/').replace(/\/+$/, '') || '/',
    version: m[1]!,
    query: parsed.searchParams,
    headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])),
    body,
    rawBody: body === undefined ? '' : JSON.stringify(body),
    userId: parent.userId,
  };
}
