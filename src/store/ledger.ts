/**
 * The write-back ledger: the last value AccountPulse wrote per (CRM record, field), so a write-back
 * plan is a diff, a value a person changed since our last write can be recognised, and any field we
 * wrote can be traced to the run that wrote it. Failed writes are kept with their reason and
 * attempt count, retried on later runs, then dead-lettered. Tasks created are remembered by their
 * dedupe key so a retried job never creates one twice.
 */
import type { Redis } from 'ioredis';
import type { Keys } from './keys.js';

const LEDGER_FIELDS_PER_COMMAND = 1000;

export type LedgerValue = string | number | boolean | null;

export interface LedgerEntry {
  value: LedgerValue;
  writtenAt: string;
  runId: string;
}

export interface FailedWrite {
  value: LedgerValue;
  attempts: number;
  lastError: string;
  lastAttemptAt: string;
  runId: string;
}

const field = (externalId: string, name: string) => `${externalId}|${name}`;

export class WriteLedger {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {}

  /** Entries for (externalId, field) pairs, in one round trip per 1,000. */
  async get(source: string, pairs: readonly { externalId: string; field: string }[]): Promise<Map<string, LedgerEntry>> {
    const out = new Map<string, LedgerEntry>();
    for (let i = 0; i < pairs.length; i += 1000) {
      const chunk = pairs.slice(i, i + 1000);
      if (!chunk.length) continue;
      const names = chunk.map((p) => field(p.externalId, p.field));
      const raws = await this.redis.hmget(this.keys.ledger(source), ...names);
      names.forEach((n, j) => {
        const raw = raws[j];
        if (raw) out.set(n, JSON.parse(raw) as LedgerEntry);
      });
    }
    return out;
  }

  static key(externalId: string, fieldName: string): string {
    return field(externalId, fieldName);
  }

  /** Records successful writes and clears their failure state. */
  async recordWritten(source: string, writes: readonly { externalId: string; field: string; value: LedgerValue }[], runId: string, at: string): Promise<void> {
    if (writes.length === 0) return;
    // Many fields per HSET / HDEL: a write-back of 10,000 accounts records ~70,000 fields, and one
    // command per field costs more in the client than in Redis.
    const pipe = this.redis.pipeline();
    for (let i = 0; i < writes.length; i += LEDGER_FIELDS_PER_COMMAND) {
      const chunk = writes.slice(i, i + LEDGER_FIELDS_PER_COMMAND);
      const entries: Record<string, string> = {};
      for (const w of chunk) entries[field(w.externalId, w.field)] = JSON.stringify({ value: w.value, writtenAt: at, runId } satisfies LedgerEntry);
      pipe.hset(this.keys.ledger(source), entries);
      pipe.hdel(this.keys.ledgerFailed(source), ...Object.keys(entries));
    }
    await pipe.exec();
  }

  /**
   * Records failed writes; a write that reached `maxAttempts` moves to the dead-letter hash.
   * Returns the keys that were dead-lettered by this call.
   */
  async recordFailed(
    source: string,
    failures: readonly { externalId: string; field: string; value: LedgerValue; error: string }[],
    runId: string,
    at: string,
    maxAttempts: number,
  ): Promise<string[]> {
    if (failures.length === 0) return [];
    const names = failures.map((f) => field(f.externalId, f.field));
    const raws = await this.redis.hmget(this.keys.ledgerFailed(source), ...names);
    const pipe = this.redis.pipeline();
    const dead: string[] = [];
    failures.forEach((f, i) => {
      const prev = raws[i] ? (JSON.parse(raws[i] as string) as FailedWrite) : null;
      const entry: FailedWrite = { value: f.value, attempts: (prev?.attempts ?? 0) + 1, lastError: f.error, lastAttemptAt: at, runId };
      const name = names[i] as string;
      if (entry.attempts >= maxAttempts) {
        pipe.hdel(this.keys.ledgerFailed(source), name);
        pipe.hset(this.keys.ledgerDead(source), name, JSON.stringify(entry));
        dead.push(name);
      } else pipe.hset(this.keys.ledgerFailed(source), name, JSON.stringify(entry));
    });
    await pipe.exec();
    return dead;
  }

  async failed(source: string): Promise<Map<string, FailedWrite>> {
    const raw = await this.redis.hgetall(this.keys.ledgerFailed(source));
    return new Map(Object.entries(raw).map(([k, v]) => [k, JSON.parse(v) as FailedWrite]));
  }

  async deadLetters(source: string): Promise<Map<string, FailedWrite>> {
    const raw = await this.redis.hgetall(this.keys.ledgerDead(source));
    return new Map(Object.entries(raw).map(([k, v]) => [k, JSON.parse(v) as FailedWrite]));
  }

  /** Moves dead letters back to the retry set with a fresh attempt count ("retry these"). */
  async requeueDeadLetters(source: string): Promise<number> {
    const dead = await this.deadLetters(source);
    if (dead.size === 0) return 0;
    const pipe = this.redis.pipeline();
    for (const [k, v] of dead) {
      pipe.hset(this.keys.ledgerFailed(source), k, JSON.stringify({ ...v, attempts: 0 }));
      pipe.hdel(this.keys.ledgerDead(source), k);
    }
    await pipe.exec();
    return dead.size;
  }

  async taskIds(source: string, dedupeKeys: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    if (dedupeKeys.length === 0) return out;
    const raws = await this.redis.hmget(this.keys.ledgerTasks(source), ...dedupeKeys);
    dedupeKeys.forEach((k, i) => {
      const v = raws[i];
      if (v) out.set(k, v);
    });
    return out;
  }

  async recordTasks(source: string, created: readonly { dedupeKey: string; taskId: string }[]): Promise<void> {
    if (created.length === 0) return;
    await this.redis.hset(this.keys.ledgerTasks(source), Object.fromEntries(created.map((c) => [c.dedupeKey, c.taskId])));
  }
}
