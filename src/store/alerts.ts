/** Alert state by dedupe key: open alerts are updated in place and resolve when their condition clears. */
import type { Redis } from 'ioredis';
import { Alert } from '../domain/insights.js';
import type { Keys } from './keys.js';

export const VERSION_TTL_SECONDS = 30 * 86_400;

export class AlertStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {}

  async get(keys: readonly string[]): Promise<Map<string, Alert>> {
    const out = new Map<string, Alert>();
    if (keys.length === 0) return out;
    const raws = await this.redis.hmget(this.keys.alerts(), ...keys);
    keys.forEach((k, i) => {
      const raw = raws[i];
      if (raw) out.set(k, JSON.parse(raw) as Alert);
    });
    return out;
  }

  async put(alerts: readonly Alert[]): Promise<void> {
    if (alerts.length === 0) return;
    const pipe = this.redis.pipeline();
    for (const a of alerts) {
      const valid = Alert.parse(a);
      pipe.hset(this.keys.alerts(), valid.key, JSON.stringify(valid));
      // Each version is kept for a while so a delayed delivery sends exactly the state it was for.
      pipe.set(this.versionKey(valid.key, valid.version), JSON.stringify(valid), 'EX', VERSION_TTL_SECONDS);
      if (valid.state === 'open') pipe.sadd(this.keys.openAlerts(), valid.key);
      else pipe.srem(this.keys.openAlerts(), valid.key);
    }
    await pipe.exec();
  }

  private versionKey(key: string, version: number): string {
    return `${this.keys.alerts()}:v:${key}:${version}`;
  }

  /** An alert as it was at a version (kept 30 days). */
  async version(key: string, version: number): Promise<Alert | null> {
    const raw = await this.redis.get(this.versionKey(key, version));
    return raw ? (JSON.parse(raw) as Alert) : null;
  }

  async open(): Promise<Alert[]> {
    const keys = await this.redis.smembers(this.keys.openAlerts());
    return [...(await this.get(keys)).values()].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt) || a.key.localeCompare(b.key));
  }

  async all(): Promise<Alert[]> {
    const raw = await this.redis.hgetall(this.keys.alerts());
    return Object.values(raw)
      .map((v) => JSON.parse(v) as Alert)
      .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt) || a.key.localeCompare(b.key));
  }
}
