/**
 * Records a connector could not map, kept with their reason (never silently dropped): a capped
 * list of the latest ones for people to inspect, and exact counts per (CRM, stream).
 */
import type { Redis } from 'ioredis';
import { QuarantinedRecord } from '../domain/model.js';
import type { Keys } from './keys.js';

export const QUARANTINE_KEPT = 10_000;
const RAW_MAX_CHARS = 4_000;

export class QuarantineStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {}

  async add(records: readonly QuarantinedRecord[]): Promise<void> {
    if (records.length === 0) return;
    const pipe = this.redis.pipeline();
    for (const r of records) {
      const raw = JSON.stringify(r.raw ?? null);
      const entry = { ...r, raw: raw.length > RAW_MAX_CHARS ? `${raw.slice(0, RAW_MAX_CHARS)}…(truncated)` : r.raw };
      pipe.lpush(this.keys.quarantine(), JSON.stringify(entry));
      pipe.hincrby(this.keys.quarantineCount(), `${r.source}:${r.stream}`, 1);
    }
    pipe.ltrim(this.keys.quarantine(), 0, QUARANTINE_KEPT - 1);
    await pipe.exec();
  }

  async list(offset = 0, limit = 100): Promise<QuarantinedRecord[]> {
    const raws = await this.redis.lrange(this.keys.quarantine(), offset, offset + limit - 1);
    return raws.map((r) => QuarantinedRecord.parse(JSON.parse(r)));
  }

  async counts(): Promise<Record<string, number>> {
    const raw = await this.redis.hgetall(this.keys.quarantineCount());
    return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Number(v)]));
  }

  async total(): Promise<number> {
    return this.redis.llen(this.keys.quarantine());
  }
}
