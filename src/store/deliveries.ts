/**
 * The delivery log of outbound alerts: one entry per (route, alert key, version, state), with its
 * status, attempts and last error. A delivery already marked delivered is never sent again, so a
 * replayed job cannot send an alert state twice.
 */
import type { Redis } from 'ioredis';
import type { Keys } from './keys.js';

export interface DeliveryRecord {
  id: string;
  route: string;
  alertKey: string;
  version: number;
  state: 'open' | 'resolved';
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
}

export class DeliveryLog {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {}

  async get(id: string): Promise<DeliveryRecord | null> {
    const raw = await this.redis.hget(this.keys.deliveries(), id);
    return raw ? (JSON.parse(raw) as DeliveryRecord) : null;
  }

  async put(record: DeliveryRecord): Promise<void> {
    await this.redis.hset(this.keys.deliveries(), record.id, JSON.stringify(record));
  }

  /** Creates the entry unless it exists; returns the stored one. */
  async ensure(record: DeliveryRecord): Promise<DeliveryRecord> {
    const created = await this.redis.hsetnx(this.keys.deliveries(), record.id, JSON.stringify(record));
    return created ? record : ((await this.get(record.id)) as DeliveryRecord);
  }

  async all(): Promise<DeliveryRecord[]> {
    const raw = await this.redis.hgetall(this.keys.deliveries());
    return Object.values(raw)
      .map((v) => JSON.parse(v) as DeliveryRecord)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }
}
