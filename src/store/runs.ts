/**
 * The run audit: each run records what it read, changed, wrote, alerted and skipped, with reasons,
 * so any field AccountPulse wrote can be traced to the run and the records behind it.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Keys } from './keys.js';

export type RunKind = 'sync' | 'score' | 'writeback' | 'alert' | 'cycle';
export type RunStatus = 'running' | 'succeeded' | 'partial' | 'failed' | 'stopped';

export interface Run {
  id: string;
  kind: RunKind;
  /** e.g. "hubspot:companies" or "salesforce" */
  scope: string;
  status: RunStatus;
  startedAt: string;
  finishedAt: string | null;
  counts: Record<string, number>;
  /** why it stopped or failed, in words */
  message: string | null;
  parentId: string | null;
}

export interface RunEvent {
  at: string;
  /** read | changed | written | alerted | skipped | error | note */
  type: string;
  message: string;
  records?: string[];
  data?: Record<string, unknown>;
}

export const RUNS_KEPT = 5_000;
export const EVENTS_PER_RUN = 2_000;

export class RunLog {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {}

  async start(kind: RunKind, scope: string, parentId: string | null = null, now = new Date()): Promise<Run> {
    const run: Run = { id: `${now.toISOString().replace(/[-:.]/g, '').slice(0, 15)}-${randomUUID().slice(0, 8)}`, kind, scope, status: 'running', startedAt: now.toISOString(), finishedAt: null, counts: {}, message: null, parentId };
    await this.redis.multi().set(this.keys.run(run.id), JSON.stringify(run)).zadd(this.keys.runs(), now.getTime(), run.id).exec();
    await this.trim();
    return run;
  }

  async add(runId: string, events: readonly RunEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.redis
      .multi()
      .rpush(this.keys.runEvents(runId), ...events.map((e) => JSON.stringify(e)))
      .ltrim(this.keys.runEvents(runId), -EVENTS_PER_RUN, -1)
      .exec();
  }

  /** Adds to the run's counters (records read, changed, written…). */
  async count(runId: string, counts: Record<string, number>): Promise<void> {
    const run = await this.get(runId);
    if (!run) return;
    for (const [k, v] of Object.entries(counts)) run.counts[k] = (run.counts[k] ?? 0) + v;
    await this.redis.set(this.keys.run(runId), JSON.stringify(run));
  }

  async finish(runId: string, status: RunStatus, message: string | null = null, now = new Date()): Promise<Run | null> {
    const run = await this.get(runId);
    if (!run) return null;
    run.status = status;
    run.message = message;
    run.finishedAt = now.toISOString();
    await this.redis.set(this.keys.run(runId), JSON.stringify(run));
    return run;
  }

  async get(runId: string): Promise<Run | null> {
    const raw = await this.redis.get(this.keys.run(runId));
    return raw ? (JSON.parse(raw) as Run) : null;
  }

  async events(runId: string, offset = 0, limit = 500): Promise<RunEvent[]> {
    const raws = await this.redis.lrange(this.keys.runEvents(runId), offset, offset + limit - 1);
    return raws.map((r) => JSON.parse(r) as RunEvent);
  }

  /** Latest runs first. */
  async list(offset = 0, limit = 50): Promise<Run[]> {
    const ids = await this.redis.zrevrange(this.keys.runs(), offset, offset + limit - 1);
    if (ids.length === 0) return [];
    const raws = await this.redis.mget(...ids.map((id) => this.keys.run(id)));
    return raws.filter((r): r is string => !!r).map((r) => JSON.parse(r) as Run);
  }

  private async trim(): Promise<void> {
    const n = await this.redis.zcard(this.keys.runs());
    if (n <= RUNS_KEPT) return;
    const old = await this.redis.zrange(this.keys.runs(), 0, n - RUNS_KEPT - 1);
    const pipe = this.redis.pipeline();
    for (const id of old) pipe.del(this.keys.run(id), this.keys.runEvents(id));
    pipe.zrem(this.keys.runs(), ...old);
    await pipe.exec();
  }
}
