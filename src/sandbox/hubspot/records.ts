/**
 * Record storage for one object type, columnar: a `RecordTable` holds every record's data by row
 * (id, timestamps, property cells by column, history log, association links by target type) and an `HsRecord` is
 * a small handle on one row. `RecordStore` keeps the handles sorted by numeric id (ids are allocated
 * increasing, so inserts append and list paging is a binary search) plus the unique-value index;
 * a merged-away record is removed from the store (its row stays behind, unreachable).
 * Computed properties (hs_object_id, createdate, last-modified) are not stored.
 */
import type { Targets } from './associations.js';
import { PropertyColumns, type PropertyColumn } from './propertyColumns.js';

export interface HistoryEntry {
  value: string;
  /** epoch ms */
  timestamp: number;
  sourceType: string;
  sourceId?: string;
  updatedByUserId?: number;
}

/** Where history entries came from; share one object between the entries of one source. */
export interface HistorySource {
  sourceType: string;
  sourceId?: string;
  updatedByUserId?: number;
}


/**
 * One record's property history, flat: [column, cell, time, source] per entry, oldest first, the cell
 * encoded by the property's column. `time` is epoch minutes when on a whole minute (unboxed), else
 * epoch ms + 0.5. Four slots per entry instead of an entry object, an array per property and a map.
 */
type HistoryLog = (PropertyColumn | HistorySource | string | number | undefined)[];
const HISTORY_STRIDE = 4;

const MINUTE_MS = 60_000;

function encodeTime(ms: number): number {
  return ms % MINUTE_MS === 0 ? ms / MINUTE_MS : ms + 0.5;
}

function decodeTime(t: number): number {
  return Number.isInteger(t) ? t * MINUTE_MS : t - 0.5;
}

/** The rows of one object type. Rows are appended and never move; `HsRecord`s point at them. */
export class RecordTable {
  readonly columns = new PropertyColumns();
  ids: number[] = [];
  createdAt: number[] = [];
  updatedAt: number[] = [];
  /** epoch ms; 0 while live */
  archivedAt: number[] = [];
  history: (HistoryLog | undefined)[] = [];
  /** per target type name, each row's targets (AssociationIndex keeps both sides in step): a column, not an object per record */
  links = new Map<string, (Targets | undefined)[]>();

  get rowCount(): number {
    return this.ids.length;
  }

  addRow(id: number, props: Readonly<Record<string, string>>, createdAt: number, updatedAt: number): number {
    const row = this.ids.length;
    this.ids.push(id);
    this.createdAt.push(createdAt);
    this.updatedAt.push(updatedAt);
    this.archivedAt.push(0);
    this.history.push(undefined);
    for (const name in props) {
      const v = props[name]!;
      if (v !== '') this.columns.column(name).set(row, v);
    }
    return row;
  }

  /** Drops the spare capacity every array keeps after growing by push (megabytes at a million rows). */
  trim(): void {
    this.ids = this.ids.slice();
    this.createdAt = this.createdAt.slice();
    this.updatedAt = this.updatedAt.slice();
    this.archivedAt = this.archivedAt.slice();
    this.history = this.history.slice();
    for (const c of this.columns.list) c.trim();
    for (const [to, rows] of this.links) {
      for (let i = 0; i < rows.length; i++) {
        const targets = rows[i];
        if (typeof targets === 'object') rows[i] = targets.slice();
      }
      this.links.set(to, rows.slice());
    }
  }
}

export class HsRecord {
  private table: RecordTable;
  private row: number;

  /**
   * A record of its own (tests and fixtures; `portal.insert` moves it into the type's table), or,
   * given a table and row, the handle on a stored row.
   */
  constructor(id: string, props: Record<string, string>, createdAt: number, updatedAt: number);
  constructor(table: RecordTable, row: number);
  constructor(idOrTable: string | RecordTable, propsOrRow: Record<string, string> | number, createdAt = 0, updatedAt = createdAt) {
    if (typeof idOrTable === 'string') {
      const n = Number(idOrTable);
      if (!Number.isSafeInteger(n) || String(n) !== idOrTable) throw new Error(`HsRecord: id "${idOrTable}" is not a canonical integer; HubSpot ids are numeric`);
      this.table = new RecordTable();
      this.row = this.table.addRow(n, propsOrRow as Record<string, string>, createdAt, updatedAt);
    } else {
      this.table = idOrTable;
      this.row = propsOrRow as number;
    }
  }

  /** numeric id (what the store sorts by) */
  get numericId(): number {
    return this.table.ids[this.row]!;
  }

  get id(): string {
    return String(this.table.ids[this.row]);
  }

  get createdAt(): number {
    return this.table.createdAt[this.row]!;
  }

  set createdAt(ms: number) {
    this.table.createdAt[this.row] = ms;
  }

  get updatedAt(): number {
    return this.table.updatedAt[this.row]!;
  }

  set updatedAt(ms: number) {
    this.table.updatedAt[this.row] = ms;
  }

  /** epoch ms; 0 while live */
  get archivedAt(): number {
    return this.table.archivedAt[this.row]!;
  }

  set archivedAt(ms: number) {
    this.table.archivedAt[this.row] = ms;
  }

  get archived(): boolean {
    return this.archivedAt !== 0;
  }

  /** A stored property value (undefined when unset). */
  get(name: string): string | undefined {
    return this.table.columns.find(name)?.get(this.row);
  }

  /** Sets a property value; undefined or "" clears it. */
  set(name: string, value: string | undefined): void {
    if (value === undefined || value === '') this.table.columns.find(name)?.set(this.row, undefined);
    else this.table.columns.column(name).set(this.row, value);
  }

  /** Every stored value, as a fresh object (for reading; write with `set`). */
  get props(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const c of this.table.columns.list) {
      const v = c.get(this.row);
      if (v !== undefined) out[c.name] = v;
    }
    return out;
  }

  /** Linked ids of one target type: one, several, or undefined (AssociationIndex keeps both sides in step). */
  linkTargets(to: string): Targets | undefined {
    return this.table.links.get(to)?.[this.row];
  }

  setLinkTargets(to: string, targets: Targets | undefined): void {
    let rows = this.table.links.get(to);
    if (!rows) {
      if (targets === undefined) return;
      this.table.links.set(to, (rows = []));
    }
    if (targets !== undefined || this.row < rows.length) rows[this.row] = targets;
  }

  /** True when any property has history entries. */
  get hasHistory(): boolean {
    return this.table.history[this.row] !== undefined;
  }

  /** One property's history, oldest first; undefined when it has none. */
  historyOf(name: string): HistoryEntry[] | undefined {
    const log = this.table.history[this.row];
    const column = this.table.columns.find(name);
    if (!log || !column) return undefined;
    const out: HistoryEntry[] = [];
    for (let i = 0; i < log.length; i += HISTORY_STRIDE) {
      if (log[i] !== column) continue;
      const source = log[i + 3] as HistorySource;
      const entry: HistoryEntry = { value: column.decode(log[i + 1] as string | number) ?? '', timestamp: decodeTime(log[i + 2] as number), sourceType: source.sourceType };
      if (source.sourceId !== undefined) entry.sourceId = source.sourceId;
      if (source.updatedByUserId !== undefined) entry.updatedByUserId = source.updatedByUserId;
      out.push(entry);
    }
    return out.length > 0 ? out : undefined;
  }

  /** Appends a history entry for `name` (entries of one property must come oldest first). */
  addHistory(name: string, value: string, timestamp: number, source: HistorySource): void {
    const column = this.table.columns.column(name);
    const log = (this.table.history[this.row] ??= []);
    log.push(column, value === '' ? '' : column.encode(value), encodeTime(timestamp), source);
  }

  /** Replaces the whole history with exactly-sized log (seed loading). */
  setHistory(entries: readonly { name: string; value: string; timestamp: number; source: HistorySource }[]): void {
    const log: HistoryLog = new Array(entries.length * HISTORY_STRIDE);
    entries.forEach((e, i) => {
      const column = this.table.columns.column(e.name);
      log[i * HISTORY_STRIDE] = column;
      log[i * HISTORY_STRIDE + 1] = e.value === '' ? '' : column.encode(e.value);
      log[i * HISTORY_STRIDE + 2] = encodeTime(e.timestamp);
      log[i * HISTORY_STRIDE + 3] = e.source;
    });
    this.table.history[this.row] = entries.length > 0 ? log : undefined;
  }

  /** True when this handle's row lives in `table`. */
  isIn(table: RecordTable): boolean {
    return this.table === table;
  }

  /** Copies the row into `table` and points this handle at the copy (inserting a detached record). */
  moveTo(table: RecordTable): void {
    const from = this.table;
    const row = table.addRow(this.numericId, this.props, this.createdAt, this.updatedAt);
    table.archivedAt[row] = this.archivedAt;
    for (const [to, rows] of from.links) {
      const targets = rows[this.row];
      if (targets !== undefined) new HsRecord(table, row).setLinkTargets(to, typeof targets === 'number' ? targets : targets.slice());
    }
    const log = from.history[this.row];
    if (log) {
      const copy: HistoryLog = [];
      for (let i = 0; i < log.length; i += HISTORY_STRIDE) {
        const fromColumn = log[i] as PropertyColumn;
        const column = table.columns.column(fromColumn.name);
        const value = fromColumn.decode(log[i + 1] as string | number) ?? '';
        copy.push(column, value === '' ? '' : column.encode(value), log[i + 2], log[i + 3]);
      }
      table.history[row] = copy;
    }
    this.table = table;
    this.row = row;
  }

  /** A detached copy (used to keep what search still sees while a write is "being indexed"). */
  clone(): HsRecord {
    const copy = new HsRecord(this.table, this.row);
    copy.moveTo(new RecordTable());
    return copy;
  }
}

/**
 * Records of one type: handles in an array sorted by numeric id, beside the ids themselves (no Map: a
 * hash entry per record costs more than the record at a million records). Ids are allocated
 * increasing, so inserts append; lookups are binary searches.
 */
export class RecordStore {
  readonly table = new RecordTable();
  /** numeric ids, ascending (small integers: stored unboxed) */
  private ids: number[] = [];
  private records: HsRecord[] = [];
  /** unique property → lower-cased value → record id */
  private readonly unique = new Map<string, Map<string, number>>();

  get size(): number {
    return this.records.length;
  }

  get(id: string): HsRecord | undefined {
    const n = Number(id);
    if (!Number.isSafeInteger(n)) return undefined;
    const i = this.firstIndexAtOrAfter(n);
    return this.ids[i] === n ? this.records[i] : undefined;
  }

  /** Adds a new record straight into the table (no intermediate record). */
  add(id: string, props: Readonly<Record<string, string>>, createdAt: number, updatedAt: number): HsRecord {
    const record = new HsRecord(this.table, this.table.addRow(Number(id), props, createdAt, updatedAt));
    this.place(record);
    return record;
  }

  /** Inserts a record (moved into this store's table when it was built on its own); replaces one with the same id. */
  insert(record: HsRecord): void {
    if (!record.isIn(this.table)) record.moveTo(this.table);
    this.place(record);
  }

  private place(record: HsRecord): void {
    const n = record.numericId;
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

  /**
   * Takes a record out of the store (a merged-away record: gone from lists, search, reads). Its row
   * stays in the table, unreachable: rows never move, and merges are too rare for the bytes to matter.
   */
  remove(id: string): boolean {
    const n = Number(id);
    const i = this.firstIndexAtOrAfter(n);
    if (this.ids[i] !== n) return false;
    this.ids.splice(i, 1);
    this.records.splice(i, 1);
    return true;
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
    const id = this.unique.get(name)?.get(value.toLowerCase());
    return id === undefined ? undefined : String(id);
  }

  /** Keeps the unique-value index in step with a record's value (call after every write of `name`). */
  indexUnique(name: string, id: string, oldValue: string | undefined, newValue: string | undefined): void {
    let m = this.unique.get(name);
    if (!m) this.unique.set(name, (m = new Map()));
    const n = Number(id);
    if (oldValue !== undefined && m.get(oldValue.toLowerCase()) === n) m.delete(oldValue.toLowerCase());
    if (newValue !== undefined && newValue !== '') m.set(newValue.toLowerCase(), n);
  }

  /** Drops spare array capacity once a bulk load is done. */
  trim(): void {
    this.ids = this.ids.slice();
    this.records = this.records.slice();
    this.table.trim();
  }
}
