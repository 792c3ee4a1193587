/**
 * Sync checkpoints, one per (CRM, stream), saved after every page so a killed sync resumes where
 * it stopped. The shape of a checkpoint belongs to the stream that writes it; here it is JSON.
 */
import type { Redis } from 'ioredis';
import type { Keys } from './keys.js';

export class CheckpointStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {}

  private field(source: string, stream: string): string {
    return `${source}:${stream}`;
  }

  async get<T>(source: string, stream: string): Promise<T | null> {
    const raw = await this.redis.hget(this.keys.checkpoints(), this.field(source, stream));
    return raw ? (JSON.parse(raw) as T) : null;
  }

  async save(source: string, stream: string, checkpoint: unknown): Promise<void> {
    await this.redis.hset(this.keys.checkpoints(), this.field(source, stream), JSON.stringify(checkpoint));
  }

  async clear(source: string, stream?: string): Promise<void> {
    if (stream) {
      await this.redis.hdel(this.keys.checkpoints(), this.field(source, stream));
      return;
    }
    const all = await this.redis.hkeys(this.keys.checkpoints());
    const mine = all.filter((f) => f.startsWith(`${source}:`));
    if (mine.length) await this.redis.hdel(this.keys.checkpoints(), ...mine);
  }

  async all(): Promise<Record<string, unknown>> {
    const raw = await this.redis.hgetall(this.keys.checkpoints());
    return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, JSON.parse(v) as unknown]));
  }
}
