/**
 * Record storage for one object type: a Map by id plus the ids in creation order (ids are allocated
 * increasing, so that order is also numeric order and list paging is a binary search). Properties are
 * plain objects of strings; computed ones (hs_object_id, createdate, last-modified) are not stored.
 */
export interface HistoryEntry {
  value: string;
  /** epoch ms */
  timestamp: number;
  sourceType: string;
  sourceId?: string;
  updatedByUserId?: number;
}

/** Where history entries came from; seeded entries of one record share one. */
export interface HistorySource {
  sourceType: string;
  sourceId?: string;
  updatedByUserId?: number;
}

/**
 * A seeded history entry in 3 fields: the time in whole minutes (a small integer, stored unboxed,
 * where epoch ms would need a heap number per entry) and a source object shared by the record's
 * entries. At 100,000 accounts the seed loads ~1.3M of these.
 */
export class CompactHistoryEntry implements HistoryEntry {
  constructor(
    readonly value: string,
    private readonly minute: number,
    private readonly source: HistorySource,
  ) {}

  /** An entry for `timestamp` (epoch ms): compact when on a whole minute, a plain object otherwise. */
  static of(value: string, timestamp: number, source: HistorySource): HistoryEntry {
    return timestamp % 60_000 === 0 ? new CompactHistoryEntry(value, timestamp / 60_000, source) : { value, timestamp, ...source };
  }

  get timestamp(): number {
    return this.minute * 60_000;
  }

  get sourceType(): string {
    return this.source.sourceType;
  }

  get sourceId(): string | undefined {
    return this.source.sourceId;
  }

  get updatedByUserId(): number | undefined {
    return this.source.updatedByUserId;
  }
}

export class HsRecord {
  /** epoch ms; 0 while live */
  archivedAt = 0;
  /** per property, oldest first; absent for records never written through the API with history */
  history: Record<string, HistoryEntry[]> | undefined = undefined;
  /** associations by target type name: one id, or several (maintained by AssociationIndex) */
  links: Record<string, string | string[]> | undefined = undefined;

  constructor(
    readonly id: string,
    public props: Record<string, string>,
    public createdAt: number,
    public updatedAt: number,
  ) {}

  get archived(): boolean {
    return this.archivedAt !== 0;
  }

  /** A detached copy (used to keep what search still sees while a write is "being indexed"). */
  clone(): HsRecord {
    const r = new HsRecord(this.id, { ...this.props }, this.createdAt, this.updatedAt);
    r.archivedAt = this.archivedAt;
    r.history = this.history;
    r.links = this.links;
    return r;
  }
}

/**
 * Records of one type in two parallel arrays sorted by numeric id (no Map: a hash entry per record
 * costs more than the record's own fields at a million records). Ids are allocated increasing, so
 * inserts append; lookups are binary searches.
 */
export class RecordStore {
  /** numeric ids, ascending (small integers: stored unboxed) */
  private readonly ids: number[] = [];
  private readonly records: HsRecord[] = [];
  /** unique property → value → record id */
  private readonly unique = new Map<string, Map<string, string>>();

  get size(): number {
    return this.records.length;
  }

  get(id: string): HsRecord | undefined {
    const n = Number(id);
    if (!Number.isSafeInteger(n)) return undefined;
    const i = this.firstIndexAtOrAfter(n);
    return this.ids[i] === n ? this.records[i] : undefined;
  }

  insert(record: HsRecord): void {
    const n = Number(record.id);
    const last = this.ids[this.ids.length - 1];
    if (last === undefined || n > last) {
      this.ids.push(n);
      this.records.push(record);
      return;
    }
    const i = this.firstIndexAtOrAfter(n);
    if (this.ids[i] === n) {
      this.records[i] = record;
      return;
    }
    this.ids.splice(i, 0, n);
    this.records.splice(i, 0, record);
  }

  /** Index of the first id >= `n`. */
  private firstIndexAtOrAfter(n: number): number {
    let lo = 0;
    let hi = this.ids.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ids[mid]! < n) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Up to `limit` records with id >= `fromId` (all when absent) whose archived state matches,
   * plus the id the next page starts at (undefined on the last page).
   */
  page(fromId: string | undefined, limit: number, archived: boolean): { records: HsRecord[]; nextId: string | undefined } {
    const records: HsRecord[] = [];
    for (let i = fromId === undefined ? 0 : this.firstIndexAtOrAfter(Number(fromId)); i < this.records.length; i++) {
      const r = this.records[i]!;
      if (r.archived !== archived) continue;
      if (records.length === limit) return { records, nextId: r.id };
      records.push(r);
    }
    return { records, nextId: undefined };
  }

  /** Every record in id order (live and archived). */
  all(): readonly HsRecord[] {
    return this.records;
  }

  /** Record id holding `value` in unique property `name`, if any. */
  findUnique(name: string, value: string): string | undefined {
    return this.unique.get(name)?.get(value.toLowerCase());
  }

  /** Keeps the unique-value index in step with a record's value (call after every write of `name`). */
  indexUnique(name: string, id: string, oldValue: string | undefined, newValue: string | undefined): void {
    let m = this.unique.get(name);
    if (!m) this.unique.set(name, (m = new Map()));
    if (oldValue !== undefined && m.get(oldValue.toLowerCase()) === id) m.delete(oldValue.toLowerCase());
    if (newValue !== undefined && newValue !== '') m.set(newValue.toLowerCase(), id);
  }
}
