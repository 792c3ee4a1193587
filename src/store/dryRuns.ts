/**
 * Dry-run requests and their reports. A dry run reads the whole CRM, which can take longer than any
 * HTTP request may wait, so the API enqueues it and keeps its state and report here for a week.
 */
import type { Redis } from 'ioredis';
import type { Keys } from './keys.js';

export const DRY_RUN_TTL_S = 7 * 86_400;

export interface DryRunRecord {
  id: string;
  status: 'queued' | 'running' | 'succeeded' | 'failed';
  request: { full: boolean; sources: string[] | null };
  requestedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** the DryRunReport once it succeeded (src/jobs/dryRun.ts) */
  report: Record<string, unknown> | null;
  error: string | null;
}

export class DryRunStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {}

  async create(id: string, request: DryRunRecord['request'], at: Date): Promise<DryRunRecord> {
    const record: DryRunRecord = { id, status: 'queued', request, requestedAt: at.toISOString(), startedAt: null, finishedAt: null, report: null, error: null };
    await this.redis.set(this.keys.dryRun(id), JSON.stringify(record), 'EX', DRY_RUN_TTL_S);
    return record;
  }

  async get(id: string): Promise<DryRunRecord | null> {
    const raw = await this.redis.get(this.keys.dryRun(id));
    return raw ? (JSON.parse(raw) as DryRunRecord) : null;
  }

  /** Updates a known dry run; a record that expired (or never existed) is created from `fallback`. */
  async update(id: string, change: Partial<DryRunRecord>, fallback: DryRunRecord['request'], at: Date): Promise<void> {
    const current = (await this.get(id)) ?? { id, status: 'queued' as const, request: fallback, requestedAt: at.toISOString(), startedAt: null, finishedAt: null, report: null, error: null };
    await this.redis.set(this.keys.dryRun(id), JSON.stringify({ ...current, ...change }), 'EX', DRY_RUN_TTL_S);
  }
}
