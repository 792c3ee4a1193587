/**
 * HubSpot's API limits, per token: a rolling 10-second window and a daily counter for ordinary
 * calls, and a separate per-second limit for search. The daily counter resets when the record clock
 * crosses midnight UTC; the windows run on the wall clock so tests can exceed them quickly.
 */
import { HubSpotError } from './errors.js';

export interface LimitOptions {
  ratePer10s: number;
  dailyLimit: number;
  searchPerSecond: number;
  /** the portal clock (for the daily reset) */
  now: () => Date;
}

class RollingWindow {
  private readonly hits = new Map<string, number[]>();

  constructor(private readonly windowMs: number) {}

  /** Calls in the window now, after dropping expired ones. */
  count(key: string, nowMs: number): number {
    const list = this.hits.get(key);
    if (!list) return 0;
    while (list.length > 0 && list[0]! <= nowMs - this.windowMs) list.shift();
    return list.length;
  }

  add(key: string, nowMs: number): void {
    const list = this.hits.get(key);
    if (list) list.push(nowMs);
    else this.hits.set(key, [nowMs]);
  }

  clear(): void {
    this.hits.clear();
  }
}

export interface LimitDecision {
  /** headers to send (absent for search) */
  headers: Record<string, string>;
}

export class HubSpotLimits {
  private readonly tenSecondly = new RollingWindow(10_000);
  private readonly secondly = new RollingWindow(1_000);
  private daily = new Map<string, number>();
  private day = '';

  constructor(private readonly options: LimitOptions) {}

  private dailyUsed(token: string): number {
    const today = this.options.now().toISOString().slice(0, 10);
    if (today !== this.day) {
      this.day = today;
      this.daily = new Map();
    }
    return this.daily.get(token) ?? 0;
  }

  /**
   * Admits one call or throws the 429 HubSpot would send. Search calls are limited per second and
   * carry no rate-limit headers; every call counts toward the daily limit.
   */
  admit(token: string, search: boolean): LimitDecision {
    const now = Date.now();
    const used = this.dailyUsed(token);
    const { ratePer10s, dailyLimit, searchPerSecond } = this.options;
    const headers = (inWindow: number, dailyUsed: number): Record<string, string> => ({
      'X-HubSpot-RateLimit-Daily': String(dailyLimit),
      'X-HubSpot-RateLimit-Daily-Remaining': String(Math.max(0, dailyLimit - dailyUsed)),
      'X-HubSpot-RateLimit-Interval-Milliseconds': '10000',
      'X-HubSpot-RateLimit-Max': String(ratePer10s),
      'X-HubSpot-RateLimit-Remaining': String(Math.max(0, ratePer10s - inWindow)),
    });
    if (used >= dailyLimit) throw rateLimited('DAILY', 'You have reached your daily limit.', search ? {} : headers(this.tenSecondly.count(token, now), used));
    if (search) {
      if (this.secondly.count(token, now) >= searchPerSecond) {
        throw new HubSpotError(429, 'RATE_LIMITS', 'You have reached your secondly limit.', { errorType: 'RATE_LIMIT', policyName: 'SECONDLY' });
      }
      this.secondly.add(token, now);
      this.daily.set(token, used + 1);
      return { headers: {} };
    }
    const inWindow = this.tenSecondly.count(token, now);
    if (inWindow >= ratePer10s) throw rateLimited('TEN_SECONDLY_ROLLING', 'You have reached your ten_secondly_rolling limit.', headers(inWindow, used));
    this.tenSecondly.add(token, now);
    this.daily.set(token, used + 1);
    return { headers: headers(inWindow + 1, used + 1) };
  }

  reset(): void {
    this.tenSecondly.clear();
    this.secondly.clear();
    this.daily.clear();
  }
}

/** A 429 with the body the SDK's retry logic reads (`policyName`), plus rate-limit headers to send. */
export class RateLimitError extends HubSpotError {
  constructor(policyName: string, message: string, readonly headers: Record<string, string>) {
    super(429, 'RATE_LIMITS', message, {
      errorType: 'RATE_LIMIT',
      policyName,
      ...(policyName === 'TEN_SECONDLY_ROLLING' ? { groupName: 'publicapi:private_app-api-calls-ten-secondly:sandbox' } : {}),
    });
  }
}

function rateLimited(policyName: string, message: string, headers: Record<string, string>): RateLimitError {
  return new RateLimitError(policyName, message, headers);
}

/** The TEN_SECONDLY 429 used by the `429` fault. */
export function tenSecondlyError(): RateLimitError {
  return new RateLimitError('TEN_SECONDLY_ROLLING', 'You have reached your ten_secondly_rolling limit.', {});
}
