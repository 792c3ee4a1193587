/**
 * A small internal router for the versioned REST API. Handlers take a transport-neutral request
 * and return a response, so the same handlers serve Express and the subrequests of
 * `POST /composite`.
 */
import { SfApiError } from './errors.js';

export interface ApiRequest {
  method: string;
  /** path below /services/data/vXX.X, without a trailing slash (e.g. "/sobjects/Account") */
  path: string;
  /** "62.0" */
  version: string;
  query: URLSearchParams;
  headers: Record<string, string | undefined>;
  /** parsed JSON body (undefined when there is none or it is not JSON) */
  body: unknown;
  /** raw body text (CSV uploads) */
  rawBody: string;
  /** the acting user's id (from the session) */
  userId: string;
}

export interface ApiResponse {
  status: number;
  /** JSON body */
  json?: unknown;
  /** text body (CSV) */
  text?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

export type Handler = (req: ApiRequest, params: Record<string, string>) => ApiResponse | Promise<ApiResponse>;

interface Route {
  method: string;
  segments: string[];
  handler: Handler;
}

export class ApiRouter {
  private routes: Route[] = [];

  add(method: string, pattern: string, handler: Handler): this {
    this.routes.push({ method, segments: pattern.split('/').filter(Boolean), handler });
    return this;
  }

  /** Dispatches a request; unknown paths give 404 NOT_FOUND, known paths with another method 405. */
  async dispatch(req: ApiRequest): Promise<ApiResponse> {
    let parts: string[];
    try {
      parts = req.path.split('/').filter(Boolean).map((p) => decodeURIComponent(p));
    } catch {
      throw new SfApiError(400, 'INVALID_URL', `The URL path is not validly percent-encoded: ${req.path}`);
    }
    let pathMatched = false;
    for (const route of this.routes) {
      const params = match(route.segments, parts);
      if (!params) continue;
      pathMatched = true;
      if (route.method !== req.method) continue;
      return route.handler(req, params);
    }
    if (pathMatched) throw new SfApiError(405, 'METHOD_NOT_ALLOWED', `HTTP Method '${req.method}' not allowed. Allowed are ${this.allowed(parts).join(',')}`);
    throw new SfApiError(404, 'NOT_FOUND', 'The requested resource does not exist');
  }

  private allowed(parts: string[]): string[] {
    return [...new Set(this.routes.filter((r) => match(r.segments, parts)).map((r) => r.method))];
  }
}

function match(segments: string[], parts: string[]): Record<string, string> | null {
  if (segments.length !== parts.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i]!;
    const p = parts[i]!;
    if (s.startsWith(':')) params[s.slice(1)] = p;
    else if (s.toLowerCase() !== p.toLowerCase()) return null;
  }
  return params;
}

export function json(status: number, body: unknown, headers?: Record<string, string>): ApiResponse {
  return { status, json: body, ...(headers ? { headers } : {}) };
}

export function noContent(): ApiResponse {
  return { status: 204 };
}

/** The response for anything a handler throws: SfApiError as itself, the rest as a 500. */
export function errorResponse(error: unknown): ApiResponse {
  if (error instanceof SfApiError) return json(error.status, error.body());
  const message = error instanceof Error ? error.message : String(error);
  return json(500, [{ message: `An unexpected error occurred in the sandbox: ${message}`, errorCode: 'UNKNOWN_EXCEPTION' }]);
}

/** Dispatches and turns thrown errors into responses (never rejects). */
export async function handle(router: ApiRouter, req: ApiRequest): Promise<ApiResponse> {
  try {
    return await router.dispatch(req);
  } catch (error) {
    return errorResponse(error);
  }
}
