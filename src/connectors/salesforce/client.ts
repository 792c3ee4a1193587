/**
 * Every Salesforce call goes through `SalesforceClient.call`: it takes a slot from the org's
 * shared API budget, sends the request with jsforce's generic `request` (its own retries off),
 * feeds `Sforce-Limit-Info` back into the budget, retries transient failures in one place
 * (`withRetries`: 5xx, dropped connections; POST/PATCH only when the caller says the operation is
 * idempotent) and turns failures into errors that name the object and what to do.
 *
 * jsforce returns only the parsed body; a per-call transport wrapper captures the status and
 * headers (Bulk 2.0 pages need `Sforce-Locator`).
 */
import type { Connection } from 'jsforce';
import type { Logger } from 'pino';
import type { ApiBudget } from '../budget.js';
import { isNetworkError, withRetries } from '../retry.js';
import { ServerClock } from '../serverClock.js';
import { DailyLimitReached, SalesforceApiError, toSalesforceError } from './errors.js';

type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface SalesforceRequest {
  method: HttpMethod;
  /** relative to the versioned REST base (`/query?q=…`) or absolute path `/services/…` */
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface CallOptions {
  /** what the call is about, for messages: "Salesforce Account query" */
  what: string;
  /** safe to send again after a 5xx or a dropped connection (GETs, updates by id, queries) */
  idempotent: boolean;
  /** return the body as text (CSV pages) instead of parsing it */
  raw?: boolean;
}

export interface CallResult<T> {
  body: T;
  status: number;
  headers: Record<string, string>;
}

export interface SalesforceClientOptions {
  conn: Connection;
  budget: ApiBudget;
  logger: Logger;
  /** retry tuning (tests make it fast) */
  retry?: { maxAttempts?: number; baseMs?: number; maxMs?: number; sleep?: (ms: number) => Promise<void> };
  /** shared with the auth refresh guard: reset after every answered call */
  authGuard?: { refreshesWithoutSuccess: number };
  /** the org's time, learned from each answer's Date header (incremental windows end there) */
  clock?: ServerClock;
}

interface HttpResponseLike {
  statusCode: number;
  headers: Record<string, string>;
}

export class SalesforceClient {
  /** HTTP requests sent (including session-refresh replays) */
  calls = 0;
  readonly clock: ServerClock;

  constructor(private readonly options: SalesforceClientOptions) {
    this.clock = options.clock ?? new ServerClock();
  }

  get conn(): Connection {
    return this.options.conn;
  }

  get apiVersion(): string {
    return this.options.conn.version;
  }

  async call<T>(request: SalesforceRequest, options: CallOptions): Promise<CallResult<T>> {
    const { budget, logger } = this.options;
    return withRetries(
      async () => {
        await budget.acquire('default');
        return this.send<T>(request, options);
      },
      {
        maxAttempts: this.options.retry?.maxAttempts ?? 5,
        baseMs: this.options.retry?.baseMs ?? 500,
        maxMs: this.options.retry?.maxMs ?? 30_000,
        ...(this.options.retry?.sleep ? { sleep: this.options.retry.sleep } : {}),
        classify: async (err, attempt) => {
          if (err instanceof DailyLimitReached) return { retry: false };
          // Salesforce has no per-second limit, but a 420/429 (or a proxy's) slows every process down.
          if (err instanceof SalesforceApiError && (err.status === 429 || err.status === 420)) await budget.penalize(Math.min(30_000, 1000 * 2 ** (attempt - 1)));
          if (!options.idempotent) return { retry: false };
          if (err instanceof SalesforceApiError) return { retry: err.transient, reason: `${err.status ?? ''} ${err.code}`.trim() };
          if (isNetworkError(err)) return { retry: true, reason: String((err as { code?: string }).code ?? 'network error') };
          return { retry: false };
        },
        onRetry: ({ attempt, delayMs, reason }) => logger.warn({ what: options.what, attempt, delayMs, reason }, 'Salesforce call failed, retrying'),
      },
    );
  }

  private async send<T>(request: SalesforceRequest, options: CallOptions): Promise<CallResult<T>> {
    const conn = this.options.conn;
    let last: HttpResponseLike | null = null;
    // Wraps jsforce's transport for this one call: counts requests and keeps the last response.
    const transport = {
      httpRequest: (req: unknown, opts: unknown) => {
        this.calls += 1;
        last = null; // a replay after a session refresh: only its own answer counts
        const p = conn._transport.httpRequest(req as never, opts as never);
        p.then(
          (res) => {
            last = res;
            this.clock.observe(res.headers?.date);
            if (res.statusCode !== 401 && this.options.authGuard) this.options.authGuard.refreshesWithoutSuccess = 0;
          },
          () => {},
        );
        return p;
      },
    };
    const headers: Record<string, string> = { ...(request.headers ?? {}) };
    let body: string | undefined;
    if (request.body !== undefined) {
      body = typeof request.body === 'string' ? request.body : JSON.stringify(request.body);
      headers['content-type'] ??= 'application/json';
    }
    try {
      const result = await conn.request<T>(
        { method: request.method, url: request.url, headers, ...(body !== undefined ? { body } : {}) },
        { retry: { maxRetries: 0 }, transport, ...(options.raw ? { responseType: 'text/plain' } : {}) },
      );
      const res = last as HttpResponseLike | null;
      await this.observeLimits(res);
      return { body: result as T, status: res?.statusCode ?? 200, headers: res?.headers ?? {} };
    } catch (err) {
      const res = last as HttpResponseLike | null;
      await this.observeLimits(res);
      const mapped = toSalesforceError(err, res?.statusCode ?? null, options.what);
      // Every process stops, not just this one: the allowance is the org's.
      if (mapped instanceof DailyLimitReached) await this.options.budget.observe({ dailyRemaining: 0 });
      throw mapped;
    }
  }

  /** Feeds `Sforce-Limit-Info: api-usage=used/limit` into the shared budget (free: every response has it). */
  private async observeLimits(res: HttpResponseLike | null): Promise<void> {
    const header = res?.headers?.['sforce-limit-info'];
    if (!header) return;
    const m = /api-usage=(\d+)\/(\d+)/.exec(header);
    if (!m) return;
    const used = Number(m[1]);
    const limit = Number(m[2]);
    await this.options.budget.observe({ dailyLimit: limit, dailyRemaining: Math.max(0, limit - used) });
  }
}
