/**
 * What became of each task create we sent, per CRM, so a retry knows which keys need a lookup in
 * the CRM and which do not:
 *   p:ledger:<source>:tasks:sent   hash  task dedupe key → "?" (create sent, outcome unknown)
 *                                                        or the created task's id
 * A key is marked "?" before its create call and gets the task id once the answer names it, so a
 * process killed between the call and the answer leaves "?" behind and the next attempt searches
 * the CRM for that key before creating. A key never sent has no entry: it is created without a
 * lookup. A create the CRM refused outright clears its entry.
 */
import type { Redis } from 'ioredis';
import type { Keys } from './keys.js';

export type SentTask = { state: 'unknown' } | { state: 'created'; taskId: string };

const UNKNOWN = '?';

export class PendingTasks {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly source: string,
  ) {}

  private get key(): string {
    return `${this.keys.ledger(this.source)}:tasks:sent`;
  }

  /** The recorded outcome of each key sent before; keys never sent are absent. */
  async outcomes(dedupeKeys: readonly string[]): Promise<Map<string, SentTask>> {
    const out = new Map<string, SentTask>();
    if (dedupeKeys.length === 0) return out;
    const values = await this.redis.hmget(this.key, ...dedupeKeys);
    dedupeKeys.forEach((k, i) => {
      const v = values[i];
      if (v === null || v === undefined) return;
      out.set(k, v === UNKNOWN ? { state: 'unknown' } : { state: 'created', taskId: v });
    });
    return out;
  }

  /** Before the create call: from here until the answer, the outcome is unknown. */
  async markSent(dedupeKeys: readonly string[]): Promise<void> {
    if (dedupeKeys.length === 0) return;
    await this.redis.hset(this.key, Object.fromEntries(dedupeKeys.map((k) => [k, UNKNOWN])));
  }

  async markCreated(created: readonly { dedupeKey: string; taskId: string }[]): Promise<void> {
    if (created.length === 0) return;
    await this.redis.hset(this.key, Object.fromEntries(created.map((c) => [c.dedupeKey, c.taskId])));
  }

  /** The CRM answered that these were not created: the next attempt creates them without a lookup. */
  async clear(dedupeKeys: readonly string[]): Promise<void> {
    if (dedupeKeys.length === 0) return;
    await this.redis.hdel(this.key, ...dedupeKeys);
  }
}
