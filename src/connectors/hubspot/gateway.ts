/**
 * Every HubSpot call goes through `HubSpotGateway.call`: it takes a slot from the portal's shared
 * budget (default lane: 10-second burst window; search lane: 1-second window), feeds the
 * X-HubSpot-RateLimit-* headers back into the budget, and retries in one place:
 *  - 429 TEN_SECONDLY_ROLLING: the whole portal pauses ~ one interval (every process), then retry;
 *  - 429 "secondly" (search): wait 1 s, retry;
 *  - 429 DAILY: stop the run like the reserve guard does (BudgetReserveReached);
 *  - 5xx and dropped connections: capped exponential backoff, only for idempotent calls;
 *  - 401: refresh the OAuth token once when a refresh token is configured, else a clear error.
 * The SDK's own retries and limiter stay off (they are process-global and re-send POSTs).
 */
import { Client } from '@hubspot/api-client';
import type { Logger } from 'pino';
import { ApiBudget, BudgetReserveReached } from '../budget.js';
import { withRetries } from '../retry.js';
import { ServerClock } from '../serverClock.js';
import { describeHubSpotError, errorKind, errorParts } from './errors.js';

const MAX_REFRESHES_PER_CALL = 2;

export type Lane = 'default' | 'search';

export interface CallOptions {
  lane?: Lane;
  /** "companies list": names the object and action in errors */
  operation: string;
  /** scope the call needs, named in a 403 message when HubSpot does not say */
  scope?: string | null;
  /** safe to send again after a 5xx or a dropped connection (reads, batch update/upsert) */
  idempotent: boolean;
  /** incremented on every attempt sent (a stream counts its own calls) */
  counter?: { calls: number };
}

export interface OAuthRefresh {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
}

export interface HubSpotGatewayOptions {
  basePath: string;
  accessToken: string | undefined;
  oauth: OAuthRefresh | null;
  budget: ApiBudget;
  logger: Logger;
  maxAttempts?: number;
  baseDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** HubSpot's time, learned from each answer's Date header (incremental windows end there) */
  clock?: ServerClock;
}

/** Thrown when a call is not made because the run was aborted. */
export class SyncAborted extends Error {
  constructor() {
    super('sync aborted');
    this.name = 'SyncAborted';
  }
}

function headerNumber(headers: Record<string, string>, name: string): number | undefined {
  const v = headers[name] ?? headers[name.toLowerCase()];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

export class HubSpotGateway {
  readonly client: Client;
  readonly clock: ServerClock;
  /** when HubSpot last answered a call with success (local ms); null after a 401 */
  acceptedAt: number | null = null;
  private accessToken: string | undefined;
  private refreshing: Promise<void> | null = null;

  constructor(private readonly options: HubSpotGatewayOptions) {
    this.accessToken = options.accessToken;
    this.clock = options.clock ?? new ServerClock();
    this.client = this.buildClient();
  }

  /**
   * Per-call SDK options that read the rate-limit headers of every answer (errors included).
   * Passed on each call: the generated APIs ignore `middleware` given to the Client (13.5 builds
   * each call's middleware list from the call's own options only).
   */
  readonly sdkOptions = {
    middleware: [
      {
        pre: async <T>(ctx: T) => ctx,
        post: async <T>(ctx: T) => {
          const { headers = {}, httpStatusCode } = ctx as { headers?: Record<string, string>; httpStatusCode?: number };
          this.clock.observe(headers.date ?? headers.Date);
          // a token HubSpot accepted just now needs no separate auth check (checkAuth reads this)
          if (httpStatusCode === 401) this.acceptedAt = null;
          else if (httpStatusCode !== undefined && httpStatusCode < 400) this.acceptedAt = Date.now();
          await this.observeHeaders(headers);
          return ctx;
        },
      },
    ],
    middlewareMergeStrategy: 'append',
  } as never;

  private buildClient(): Client {
    return new Client({ basePath: this.options.basePath.replace(/\/+$/, ''), accessToken: this.accessToken, numberOfApiCallRetries: 0 });
  }

  get budget(): ApiBudget {
    return this.options.budget;
  }

  async observeHeaders(headers: Record<string, string>): Promise<void> {
    const dailyLimit = headerNumber(headers, 'x-hubspot-ratelimit-daily');
    const dailyRemaining = headerNumber(headers, 'x-hubspot-ratelimit-daily-remaining');
    const windowMax = headerNumber(headers, 'x-hubspot-ratelimit-max');
    if (dailyLimit === undefined && dailyRemaining === undefined && windowMax === undefined) return;
    await this.options.budget.observe({ dailyLimit, dailyRemaining, windowMax });
  }

  async call<T>(options: CallOptions, operation: (client: Client, sdkOptions: never) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const lane = options.lane ?? 'default';
    let refreshes = 0;
    try {
      return await withRetries(
        async () => {
          if (signal?.aborted) throw new SyncAborted();
          await this.options.budget.acquire(lane);
          if (options.counter) options.counter.calls += 1;
          return operation(this.client, this.sdkOptions);
        },
        {
          maxAttempts: this.options.maxAttempts ?? 6,
          baseMs: this.options.baseDelayMs ?? 500,
          sleep: this.options.sleep,
          classify: async (err) => {
            if (err instanceof SyncAborted || err instanceof BudgetReserveReached) return { retry: false };
            const kind = errorKind(err);
            const { body, headers } = errorParts(err);
            if (kind === 'rate_limit') {
              if (body.policyName === 'TEN_SECONDLY_ROLLING' || lane === 'default') {
                const interval = headerNumber(headers, 'x-hubspot-ratelimit-interval-milliseconds') ?? 10_000;
                await this.options.budget.penalize(interval);
                return { retry: true, waitMs: interval, reason: `429 ${body.policyName ?? 'TEN_SECONDLY_ROLLING'}` };
              }
              return { retry: true, waitMs: 1_000, reason: '429 secondly (search)' };
            }
            if (kind === 'daily_limit') {
              await this.options.budget.observe({ dailyRemaining: 0 });
              return { retry: false };
            }
            // A refused fresh token is an auth problem, not an expiry: refresh at most twice per call
            // (a token can expire again while a long retry sequence waits), then give up.
            if (kind === 'auth' && refreshes < MAX_REFRESHES_PER_CALL && this.options.oauth) {
              refreshes += 1;
              if (options.counter) options.counter.calls += 1;
              await this.refreshToken();
              return { retry: true, waitMs: 0, reason: '401 token refreshed' };
            }
            if ((kind === 'server' || kind === 'network') && options.idempotent) return { retry: true, reason: kind };
            return { retry: false };
          },
          onRetry: ({ attempt, delayMs, reason }) => this.options.logger.warn({ operation: options.operation, attempt, delayMs, reason }, `HubSpot ${options.operation}: retrying after ${reason}`),
        },
      );
    } catch (err) {
      if (err instanceof SyncAborted || err instanceof BudgetReserveReached) throw err;
      if (errorKind(err) === 'daily_limit') {
        const s = await this.options.budget.status();
        throw new BudgetReserveReached(this.options.budget.crm, 0, s.dailyLimit ?? 0, 0);
      }
      throw describeHubSpotError(err, options.operation, options.scope ?? null);
    }
  }

  /** OAuth: exchange the refresh token for a new access token (one refresh at a time). */
  private async refreshToken(): Promise<void> {
    const oauth = this.options.oauth;
    if (!oauth) return;
    this.refreshing ??= (async () => {
      try {
        await this.options.budget.acquire('default');
        const tokens = await this.client.oauth.tokensApi.create('refresh_token', undefined, undefined, oauth.clientId, oauth.clientSecret, oauth.refreshToken);
        this.accessToken = tokens.accessToken;
        this.client.setAccessToken(tokens.accessToken);
        this.options.logger.info('HubSpot: access token refreshed');
      } catch (err) {
        throw describeHubSpotError(err, 'OAuth token refresh', null);
      } finally {
        this.refreshing = null;
      }
    })();
    await this.refreshing;
  }
}
