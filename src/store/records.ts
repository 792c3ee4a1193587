/**
 * Normalized CRM records in Redis: one hash per record kind (id → compact record) plus secondary
 * indexes (account, owner, deal, manager) kept as sets. Writes are pipelined per page.
 *
 * Upserts are deduplicated by (id, updatedAt): a record whose modstamp is not newer than the stored
 * one is skipped, so re-reading a lookback overlap or replaying a page changes nothing, and the
 * caller learns exactly which records changed (the change feed that drives rescoring).
 */
import type { Redis } from 'ioredis';
import type { RecordKind, RecordOf } from '../domain/model.js';
import { decodeRecord, encodeRecord } from './codec.js';
import type { Keys } from './keys.js';

/** Fields indexed per kind: byIndex(kind, field, value) reads them. */
export const indexedFields: { [K in RecordKind]: string[] } = {
  account: ['ownerId', 'domain'],
  contact: ['accountId'],
  owner: ['managerId'],
  deal: ['accountId', 'ownerId'],
  dealHistory: ['dealId'],
  product: [],
  lineItem: ['dealId'],
  activity: ['accountId'],
  ticket: ['accountId'],
  quota: ['ownerId'],
};

export interface UpsertResult<K extends RecordKind> {
  /** records written (new or newer than what was stored) */
  changed: RecordOf<K>[];
  /** previous versions of the changed records that existed before (same order, undefined for new) */
  previous: (RecordOf<K> | undefined)[];
  /** records skipped because the stored version is as new or newer */
  unchanged: number;
}

export interface DeleteResult<K extends RecordKind> {
  /** the records that existed and were removed */
  removed: RecordOf<K>[];
}

function indexValue(record: Record<string, unknown>, field: string): string | null {
  const v = record[field];
  return typeof v === 'string' && v.length > 0 ? v : null;
}

export class RecordStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {}

  async upsert<K extends RecordKind>(kind: K, records: readonly RecordOf<K>[]): Promise<UpsertResult<K>> {
    // Last one wins inside a page when the same id appears twice.
    const byId = new Map<string, RecordOf<K>>();
    for (const r of records) {
      const prev = byId.get(r.id);
      if (!prev || prev.updatedAt <= r.updatedAt) byId.set(r.id, r);
    }
    const ids = [...byId.keys()];
    if (ids.length === 0) return { changed: [], previous: [], unchanged: 0 };
    const stored = await this.redis.hmget(this.keys.records(kind), ...ids);

    const changed: RecordOf<K>[] = [];
    const previous: (RecordOf<K> | undefined)[] = [];
    const pipe = this.redis.pipeline();
    let unchanged = 0;
    ids.forEach((id, i) => {
      const next = byId.get(id) as RecordOf<K>;
      const encodedNext = encodeRecord(kind, next);
      const raw = stored[i];
      const old = raw ? decodeRecord(kind, raw) : undefined;
      // Skip stale versions and exact replays; same modstamp with new content (our mapping changed) is written.
      if (raw && old && (old.updatedAt > next.updatedAt || raw === encodedNext)) {
        unchanged += 1;
        return;
      }
      pipe.hset(this.keys.records(kind), id, encodedNext);
      for (const field of indexedFields[kind]) {
        const before = old ? indexValue(old as Record<string, unknown>, field) : null;
        const after = indexValue(next as Record<string, unknown>, field);
        if (before === after) continue;
        if (before) pipe.srem(this.keys.index(kind, field, before), id);
        if (after) pipe.sadd(this.keys.index(kind, field, after), id);
      }
      changed.push(next);
      previous.push(old);
    });
    if (changed.length > 0) await pipe.exec();
    return { changed, previous, unchanged };
  }

  async delete<K extends RecordKind>(kind: K, ids: readonly string[]): Promise<DeleteResult<K>> {
    if (ids.length === 0) return { removed: [] };
    const stored = await this.redis.hmget(this.keys.records(kind), ...ids);
    const pipe = this.redis.pipeline();
    const removed: RecordOf<K>[] = [];
    ids.forEach((id, i) => {
      const raw = stored[i];
      if (!raw) return;
      const old = decodeRecord(kind, raw);
      pipe.hdel(this.keys.records(kind), id);
      for (const field of indexedFields[kind]) {
        const v = indexValue(old as Record<string, unknown>, field);
        if (v) pipe.srem(this.keys.index(kind, field, v), id);
      }
      removed.push(old);
    });
    if (removed.length > 0) await pipe.exec();
    return { removed };
  }

  async get<K extends RecordKind>(kind: K, id: string): Promise<RecordOf<K> | undefined> {
    const raw = await this.redis.hget(this.keys.records(kind), id);
    return raw ? decodeRecord(kind, raw) : undefined;
  }

  /** Records by id, in bulk (missing ids are left out). */
  async getMany<K extends RecordKind>(kind: K, ids: readonly string[]): Promise<RecordOf<K>[]> {
    const out: RecordOf<K>[] = [];
    for (let i = 0; i < ids.length; i += 1000) {
      const chunk = ids.slice(i, i + 1000);
      if (chunk.length === 0) continue;
      const raws = await this.redis.hmget(this.keys.records(kind), ...chunk);
      for (const raw of raws) if (raw) out.push(decodeRecord(kind, raw));
    }
    return out;
  }

  async idsBy(kind: RecordKind, field: string, value: string): Promise<string[]> {
    return this.redis.smembers(this.keys.index(kind, field, value));
  }

  async getBy<K extends RecordKind>(kind: K, field: string, value: string): Promise<RecordOf<K>[]> {
    return this.getMany(kind, await this.idsBy(kind, field, value));
  }

  /** Ids of `kind` indexed under each of many values, in one round trip. */
  async idsByMany(kind: RecordKind, field: string, values: readonly string[]): Promise<Map<string, string[]>> {
    const pipe = this.redis.pipeline();
    for (const v of values) pipe.smembers(this.keys.index(kind, field, v));
    const res = (await pipe.exec()) ?? [];
    const out = new Map<string, string[]>();
    values.forEach((v, i) => out.set(v, (res[i]?.[1] as string[] | undefined) ?? []));
    return out;
  }

  async count(kind: RecordKind): Promise<number> {
    return this.redis.hlen(this.keys.records(kind));
  }

  /** Streams every record of a kind in pages (HSCAN): memory bounded by the page, not the table. */
  async *scan<K extends RecordKind>(kind: K, pageSize = 1000): AsyncGenerator<RecordOf<K>[]> {
    let cursor = '0';
    do {
      const [next, flat] = await this.redis.hscan(this.keys.records(kind), cursor, 'COUNT', pageSize);
      cursor = next;
      const page: RecordOf<K>[] = [];
      for (let i = 1; i < flat.length; i += 2) page.push(decodeRecord(kind, flat[i] as string));
      if (page.length > 0) yield page;
    } while (cursor !== '0');
  }

  /** Every id of a kind (for reconciliation: which ids does the CRM no longer have?). */
  async allIds(kind: RecordKind): Promise<string[]> {
    const ids: string[] = [];
    let cursor = '0';
    do {
      const [next, flat] = await this.redis.hscan(this.keys.records(kind), cursor, 'COUNT', 2000);
      cursor = next;
      for (let i = 0; i < flat.length; i += 2) ids.push(flat[i] as string);
    } while (cursor !== '0');
    return ids;
  }
}
