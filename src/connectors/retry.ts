/**
 * The one place connectors retry. The SDKs' own retries are off: HubSpot's are process-global and
 * re-send POSTs; jsforce retries no POST/PATCH and ignores Retry-After. Here a call is retried only
 * when the caller says the failure is transient and the operation safe to repeat, with capped
 * exponential backoff and full jitter, honouring a server-given wait when there is one.
 */
export interface RetryDecision {
  retry: boolean;
  /** wait at least this long before the next attempt (e.g. from Retry-After or a 429 policy) */
  waitMs?: number;
  /** a short reason for logs, e.g. "503", "ECONNRESET", "429 TEN_SECONDLY_ROLLING" */
  reason?: string;
}

export interface RetryOptions {
  maxAttempts?: number;
  baseMs?: number;
  maxMs?: number;
  classify: (error: unknown, attempt: number) => RetryDecision | Promise<RetryDecision>;
  onRetry?: (info: { attempt: number; delayMs: number; reason: string }) => void;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number): number {
  const cap = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
  return Math.round(cap / 2 + (random() * cap) / 2);
}

export async function withRetries<T>(operation: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const maxAttempts = options.maxAttempts ?? 6;
  const baseMs = options.baseMs ?? 500;
  const maxMs = options.maxMs ?? 30_000;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const random = options.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (err) {
      const decision = await options.classify(err, attempt);
      if (!decision.retry || attempt >= maxAttempts) throw err;
      const delayMs = Math.max(decision.waitMs ?? 0, backoffDelay(attempt, baseMs, maxMs, random));
      options.onRetry?.({ attempt, delayMs, reason: decision.reason ?? 'transient error' });
      await sleep(delayMs);
    }
  }
}

/** Network failures worth retrying (the connection dropped or never answered). */
export function isNetworkError(err: unknown): boolean {
  const code = (err as { code?: unknown; errno?: unknown; cause?: { code?: unknown } })?.code ?? (err as { cause?: { code?: unknown } })?.cause?.code;
  const text = String((err as Error)?.message ?? err);
  return (
    (typeof code === 'string' && ['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'UND_ERR_SOCKET', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN', 'EAI_AGAIN'].includes(code)) ||
    /socket hang up|ECONNRESET|network timeout|other side closed|ECONNREFUSED/i.test(text)
  );
}
