/**
 * Call accounting for the sandbox: what tests and benchmarks read from GET /__sandbox/stats.
 * Shape: { calls: { total, byRoute: { "GET /crm/v3/objects/companies": n } }, rateLimited, errors,
 *          records: { read, written } }
 * `records.read` counts records returned by reads; `records.written` counts records changed by writes.
 * `errors` counts responses with status >= 400 other than 429s (faults included).
 */
export interface StatsSnapshot {
  calls: { total: number; byRoute: Record<string, number> };
  rateLimited: number;
  errors: number;
  records: { read: number; written: number };
}

/** Optional observer of each call's start and end (benchmarks use it to measure time spent in API calls). */
export interface CallObserver {
  started(): void;
  ended(): void;
}

export class CallStats {
  /** set by benchmarks; unset in normal use */
  observer: CallObserver | undefined;
  private byRoute = new Map<string, number>();
  private total = 0;
  private rateLimited = 0;
  private errors = 0;
  private read = 0;
  private written = 0;

  /** Counts one API call under its route key ("METHOD /normalized/path"). */
  call(routeKey: string): void {
    this.total += 1;
    this.byRoute.set(routeKey, (this.byRoute.get(routeKey) ?? 0) + 1);
    this.observer?.started();
  }

  status(code: number): void {
    this.observer?.ended();
    if (code === 429) this.rateLimited += 1;
    else if (code >= 400) this.errors += 1;
  }

  recordsRead(n: number): void {
    this.read += n;
  }

  recordsWritten(n: number): void {
    this.written += n;
  }

  snapshot(): StatsSnapshot {
    return {
      calls: { total: this.total, byRoute: Object.fromEntries([...this.byRoute].sort(([a], [b]) => a.localeCompare(b))) },
      rateLimited: this.rateLimited,
      errors: this.errors,
      records: { read: this.read, written: this.written },
    };
  }

  reset(): void {
    this.byRoute.clear();
    this.total = this.rateLimited = this.errors = this.read = this.written = 0;
  }
}
