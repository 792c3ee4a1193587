/**
 * The CRM's clock, as seen from here: the local clock corrected by the offset learned from the
 * `Date` header every answer carries (both CRMs send it). Incremental windows end at the CRM's
 * time, so a local clock that runs ahead of the CRM's cannot open a gap between two passes.
 *
 * `Date` has a one-second resolution and is stamped when the answer is sent, so `date - receivedAt`
 * is never later than the true offset; one second more is taken off for proxies that round
 * instead of truncating. Every estimate errs early: a window ends a little sooner, never later.
 */
export interface ServerClockOptions {
  now?: () => number;
}

export class ServerClock {
  private readonly now: () => number;
  /** CRM time minus local time (ms), from the latest answer; null before the first */
  private offsetMs: number | null = null;

  constructor(options: ServerClockOptions = {}) {
    this.now = options.now ?? Date.now;
  }

  /** Local time now (to stamp a request before it is sent). */
  localNow(): number {
    return this.now();
  }

  /** Learns the offset from an answer's `Date` header, received at `receivedAt` (local ms). */
  observe(dateHeader: string | undefined | null, receivedAt: number = this.now()): void {
    if (!dateHeader) return;
    const serverMs = Date.parse(dateHeader);
    if (Number.isNaN(serverMs)) return;
    this.offsetMs = serverMs - receivedAt;
  }

  /** True once an answer has told us the CRM's time. */
  get known(): boolean {
    return this.offsetMs !== null;
  }

  /**
   * The CRM's time at local instant `localMs` (default: now), at most this late: the learned
   * offset minus one second. Without an answer yet, the local clock minus one second.
   */
  serverTime(localMs: number = this.now()): number {
    return localMs + (this.offsetMs ?? 0) - 1_000;
  }
}
