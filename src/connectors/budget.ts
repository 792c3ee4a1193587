/**
 * One API budget per CRM portal/org, shared by every worker process through Redis and used by
 * reads and writes alike:
 *  - a sliding window per lane (HubSpot: 10-second burst window; search: 1-second window), so many
 *    processes together stay under the allowance without tripping 429s;
 *  - a pause that every process honours after a 429 (`penalize`), so one rate-limit answer slows
 *    all of them, not just the one that got it;
 *  - the daily allowance as the CRM reports it (HubSpot X-HubSpot-RateLimit-Daily-Remaining,
 *    Salesforce Sforce-Limit-Info), plus the calls made since that report, and a reserve: when what
 *    is left falls under `reserve` of the allowance, `acquire` throws BudgetReserveReached and the
 *    run stops cleanly at its checkpoint, to resume when the allowance allows.
 */
import type { Redis } from 'ioredis';

export class BudgetReserveReached extends Error {
  constructor(
    readonly crm: string,
    readonly remaining: number,
    readonly limit: number,
    readonly reserve: number,
  ) {
    super(
      `${crm}: daily API allowance nearly spent (${remaining} of ${limit} calls left, reserve ${Math.round(reserve * 100)}%); stopping at the checkpoint, the run resumes when the allowance resets`,
    );
    this.name = 'BudgetReserveReached';
  }
}

export interface Lane {
  /** window length in ms */
  windowMs: number;
  /** calls allowed per window (all processes together) */
  max: number;
}

export interface ApiBudgetOptions {
  redis: Redis;
  /** Redis key of this portal/org's budget (Keys.budget) */
  key: string;
  /** name used in messages, e.g. "HubSpot portal 1234" */
  crm: string;
  lanes: Record<string, Lane>;
  /** share of the daily allowance to keep for the customer's other integrations (0..1) */
  reserve: number;
  /** daily allowance assumed until the CRM reports one (null = unknown, no guard until reported) */
  dailyLimit?: number | null;
  /** clock and sleep, injectable for tests */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** safety margin kept below the window maximum (share), default 0.05 */
  headroom?: number;
}

export interface BudgetStatus {
  crm: string;
  dailyLimit: number | null;
  dailyRemaining: number | null;
  reserveReached: boolean;
  pausedUntil: number | null;
  calls: number;
  rateLimited: number;
}

// Sliding-window log: drop entries older than the window, admit when under the maximum and no
// shared pause is in force; otherwise return how long to wait.
const ACQUIRE_LUA = `
local zkey = KEYS[1]
local hkey = KEYS[2]
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local max = tonumber(ARGV[3])
local member = ARGV[4]
local paused = tonumber(redis.call('HGET', hkey, 'pausedUntil') or '0')
if paused > now then return paused - now end
redis.call('ZREMRANGEBYSCORE', zkey, '-inf', now - window)
local n = redis.call('ZCARD', zkey)
if n < max then
  redis.call('ZADD', zkey, now, member)
  redis.call('PEXPIRE', zkey, window * 2)
  redis.call('HINCRBY', hkey, 'calls', 1)
  redis.call('HINCRBY', hkey, 'sinceReport', 1)
  return 0
end
local oldest = redis.call('ZRANGE', zkey, 0, 0, 'WITHSCORES')
local wait = tonumber(oldest[2]) + window - now
if wait < 1 then wait = 1 end
return wait
`;

let memberSeq = 0;

export class ApiBudget {
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly headroom: number;

  constructor(private readonly options: ApiBudgetOptions) {
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.headroom = options.headroom ?? 0.05;
  }

  get crm(): string {
    return this.options.crm;
  }

  private laneKey(lane: string): string {
    return `${this.options.key}:lane:${lane}`;
  }

  /** Waits for a slot in the lane; throws BudgetReserveReached when the daily reserve is reached. */
  async acquire(lane = 'default'): Promise<void> {
    const spec = this.options.lanes[lane];
    if (!spec) throw new Error(`${this.options.crm}: no budget lane "${lane}" (lanes: ${Object.keys(this.options.lanes).join(', ')})`);
    await this.guardDaily();
    const max = Math.max(1, Math.floor(spec.max * (1 - this.headroom)));
    for (;;) {
      const member = `${process.pid}-${++memberSeq}-${this.now()}`;
      const wait = Number(await this.options.redis.eval(ACQUIRE_LUA, 2, this.laneKey(lane), this.options.key, this.now(), spec.windowMs, max, member));
      if (wait <= 0) return;
      await this.sleep(Math.min(wait, spec.windowMs));
    }
  }

  /** Throws when what is left of the daily allowance is under the reserve. */
  async guardDaily(): Promise<void> {
    const s = await this.status();
    if (s.reserveReached) throw new BudgetReserveReached(this.options.crm, s.dailyRemaining ?? 0, s.dailyLimit ?? 0, this.options.reserve);
  }

  /**
   * Feeds what the CRM said about the allowance. `windowMax` adjusts the burst lane to the portal's
   * real allowance (HubSpot reports it in X-HubSpot-RateLimit-Max).
   */
  async observe(report: { dailyLimit?: number; dailyRemaining?: number; windowMax?: number; lane?: string }): Promise<void> {
    const fields: Record<string, string> = {};
    if (report.dailyLimit !== undefined && Number.isFinite(report.dailyLimit)) fields.dailyLimit = String(report.dailyLimit);
    if (report.dailyRemaining !== undefined && Number.isFinite(report.dailyRemaining)) {
      fields.dailyRemaining = String(report.dailyRemaining);
      fields.sinceReport = '0';
    }
    if (report.windowMax !== undefined && Number.isFinite(report.windowMax) && report.windowMax > 0) {
      const lane = this.options.lanes[report.lane ?? 'default'];
      if (lane) lane.max = report.windowMax;
    }
    if (Object.keys(fields).length) await this.options.redis.hset(this.options.key, fields);
  }

  /** After a 429 (or a 503 with Retry-After): every process waits until the pause is over. */
  async penalize(ms: number): Promise<void> {
    const until = this.now() + Math.max(0, ms);
    await this.options.redis
      .multi()
      .hset(this.options.key, 'pausedUntil', String(until))
      .hincrby(this.options.key, 'rateLimited', 1)
      .exec();
  }

  async status(): Promise<BudgetStatus> {
    const h = await this.options.redis.hgetall(this.options.key);
    const limit = h.dailyLimit !== undefined ? Number(h.dailyLimit) : (this.options.dailyLimit ?? null);
    const reported = h.dailyRemaining !== undefined ? Number(h.dailyRemaining) : limit;
    const remaining = reported === null ? null : Math.max(0, reported - Number(h.sinceReport ?? 0));
    const pausedUntil = h.pausedUntil ? Number(h.pausedUntil) : null;
    return {
      crm: this.options.crm,
      dailyLimit: limit,
      dailyRemaining: remaining,
      reserveReached: limit !== null && limit > 0 && remaining !== null && remaining < limit * this.options.reserve,
      pausedUntil: pausedUntil && pausedUntil > this.now() ? pausedUntil : null,
      calls: Number(h.calls ?? 0),
      rateLimited: Number(h.rateLimited ?? 0),
    };
  }

  /** Forgets what was reported (a new day, or tests). */
  async reset(): Promise<void> {
    const lanes = Object.keys(this.options.lanes).map((l) => this.laneKey(l));
    await this.options.redis.del(this.options.key, ...lanes);
  }
}
