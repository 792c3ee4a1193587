/**
 * One sObject's records, stored by column (columns.ts): a record is a row number, its fields are
 * slots in its columns. Reads hand out a fresh plain record per row (short-lived garbage), or a
 * single field's value by row without building one.
 *
 * Rows never move: a row number stays valid for the table's life (query cursors keep row numbers).
 * Write order is kept apart: every write appends its row to `order` and the row's earlier entry
 * becomes stale (skipped, and compacted away once stale entries outnumber live ones). Iterating
 * therefore visits records in write order, i.e. SystemModstamp order while the clock moves
 * forward, as the Map re-insert of the previous store did. Do not write while iterating: a
 * compaction during the iteration may skip rows.
 *
 * Ids: a factory-issued id (IdCodec) finds its row through a chunked Int32 array indexed by the
 * id's counter; other ids through a Map.
 */
import { int32s } from './chunked.js';
import { BooleanColumn, columnFor, IdColumn, type Column, type FieldValue } from './columns.js';
import { IdCodec } from './ids.js';
import type { ObjectDef } from './schema.js';

export type SfRecord = Record<string, FieldValue>;

export interface RecordTableOptions {
  object: ObjectDef;
  codec: IdCodec;
}

/** counters past this many beyond the current lookup array go to the Map (a hand-typed huge id) */
const MAX_COUNTER_GAP = 1_000_000;

export class RecordTable implements ReadonlyMap<string, SfRecord> {
  readonly object: ObjectDef;
  private readonly codec: IdCodec;
  private columns: Column[] = [];
  private columnsByName = new Map<string, Column>();
  private idColumn!: IdColumn;
  private deletedColumn!: BooleanColumn;
  private materialize: ((columns: Column[], row: number, id: string | undefined) => SfRecord) | null = null;
  private rowCount = 0;
  private liveCount = 0;
  /** write order: row numbers, stale entries included */
  private order = int32s();
  /** row -> its current index in `order`, -1 when the row holds no record (rolled-back insert) */
  private positionOf = int32s(-1);
  /** counter of a factory id with this table's key prefix -> row + 1 (0: none) */
  private rowByCounter = int32s(0);
  /** the IdCodec number of the object's key prefix */
  private readonly prefixCode: number;
  /** rows of ids that do not encode, or encode with another prefix or a far counter */
  private rowByOtherId = new Map<string, number>();

  constructor(options: RecordTableOptions) {
    this.object = options.object;
    this.codec = options.codec;
    this.prefixCode = this.codec.prefixNumber(this.object.keyPrefix);
    this.syncColumns();
  }

  /** Records in the table, soft-deleted ones included (Map semantics). */
  get size(): number {
    return this.liveCount;
  }

  get [Symbol.toStringTag](): string {
    return 'RecordTable';
  }

  /** The row holding `id`, or -1. */
  rowOf(id: string): number {
    const code = this.codec.encode(id);
    if (code === code && IdCodec.prefixOf(code) === this.prefixCode) {
      const counter = IdCodec.counterOf(code);
      const entry = counter < this.rowByCounter.length ? this.rowByCounter.get(counter) : 0;
      if (entry > 0) return entry - 1;
    }
    return this.rowByOtherId.size ? (this.rowByOtherId.get(id) ?? -1) : -1;
  }

  has(id: string): boolean {
    return this.rowOf(id) >= 0;
  }

  get(id: string): SfRecord | undefined {
    const row = this.rowOf(id);
    return row >= 0 ? this.read(row, id) : undefined;
  }

  /** A fresh plain record of a row: every field of the object, in schema order (`id`: the row's id, when known). */
  read(row: number, id?: string): SfRecord {
    this.syncColumns();
    return this.materialize!(this.columns, row, id);
  }

  /** One field of a row (null for a field the object does not have). */
  value(row: number, field: string): FieldValue {
    this.syncColumns();
    const column = this.columnsByName.get(field);
    return column ? column.get(row) : null;
  }

  /** The reader of one field by row, for scans; undefined when the object has no such field. */
  column(field: string): Column | undefined {
    this.syncColumns();
    return this.columnsByName.get(field);
  }

  idOf(row: number): string {
    return this.idColumn.get(row) as string;
  }

  /** The IdCodec number of a row's id (NaN when the id does not encode). */
  idCode(row: number): number {
    return this.idColumn.code(row);
  }

  isDeleted(row: number): boolean {
    return this.deletedColumn.isTrue(row);
  }

  /** Row numbers in write order. */
  *rows(): IterableIterator<number> {
    for (let i = 0; i < this.order.length; i++) {
      const row = this.order.get(i);
      if (this.positionOf.get(row) === i) yield row;
    }
  }

  *values(): IterableIterator<SfRecord> {
    for (const row of this.rows()) yield this.read(row);
  }

  *keys(): IterableIterator<string> {
    for (const row of this.rows()) yield this.idOf(row);
  }

  *entries(): IterableIterator<[string, SfRecord]> {
    for (const row of this.rows()) yield [this.idOf(row), this.read(row)];
  }

  [Symbol.iterator](): IterableIterator<[string, SfRecord]> {
    return this.entries();
  }

  forEach(callback: (value: SfRecord, key: string, map: ReadonlyMap<string, SfRecord>) => void): void {
    for (const [id, record] of this.entries()) callback(record, id, this);
  }

  /**
   * Stores `record` under `id` (its fields in the object's columns; fields it lacks become null)
   * and moves it to the end of the write order. Returns the row.
   */
  write(id: string, record: SfRecord): number {
    this.syncColumns();
    let row = this.rowOf(id);
    if (row < 0) {
      row = this.newRow(id);
      this.liveCount += 1;
    }
    const fields = this.object.fields;
    for (let i = 0; i < fields.length; i++) this.columns[i]!.set(row, record[fields[i]!.name]);
    if (record.Id !== id) this.idColumn.set(row, id);
    this.append(row);
    return row;
  }

  /** Removes a record entirely (an insert rolled back); its row stays unused. */
  remove(id: string): void {
    const row = this.rowOf(id);
    if (row < 0) return;
    this.unlinkId(id);
    this.positionOf.set(row, -1);
    this.liveCount -= 1;
  }

  /** Reorders the write order by `compare` over row numbers (stable). */
  reorder(compare: (a: number, b: number) => number): void {
    const rows = [...this.rows()].sort(compare);
    this.order.truncate(0);
    for (const row of rows) this.append(row);
  }

  /** Drops spare capacity once a bulk load is done. */
  trim(): void {
    for (const column of this.columns) column.trim();
    this.order.trim();
    this.positionOf.trim();
    this.rowByCounter.trim();
  }

  private newRow(id: string): number {
    const row = this.rowCount++;
    this.positionOf.push(-1);
    const code = this.codec.encode(id);
    const counter = code === code && IdCodec.prefixOf(code) === this.prefixCode ? IdCodec.counterOf(code) : -1;
    if (counter >= 0 && counter < this.rowByCounter.length + MAX_COUNTER_GAP) {
        this.rowByCounter.set(counter, row + 1);
    } else {
      this.rowByOtherId.set(id, row);
    }
    return row;
  }

  private unlinkId(id: string): void {
    const code = this.codec.encode(id);
    if (code === code && IdCodec.prefixOf(code) === this.prefixCode) {
      const counter = IdCodec.counterOf(code);
      if (counter < this.rowByCounter.length) this.rowByCounter.set(counter, 0);
    }
    this.rowByOtherId.delete(id);
  }

  private append(row: number): void {
    if (this.order.length > 1024 && this.order.length >= 2 * this.liveCount) this.compactOrder();
    this.positionOf.set(row, this.order.length);
    this.order.push(row);
  }

  private compactOrder(): void {
    let kept = 0;
    for (let i = 0; i < this.order.length; i++) {
      const row = this.order.get(i);
      if (this.positionOf.get(row) !== i) continue;
      this.order.set(kept, row);
      this.positionOf.set(row, kept);
      kept += 1;
    }
    this.order.truncate(kept);
  }

  /** Adds columns for fields added to the object since (Tooling API custom fields). */
  private syncColumns(): void {
    const fields = this.object.fields;
    if (this.columns.length === fields.length) return;
    for (let i = this.columns.length; i < fields.length; i++) {
      const f = fields[i]!;
      const column = columnFor(f.type, this.codec);
      // rows that exist already have no value for a new field
      column.fill(this.rowCount);
      this.columns.push(column);
      this.columnsByName.set(f.name, column);
      if (f.name === 'Id') this.idColumn = column as IdColumn;
      if (f.name === 'IsDeleted') this.deletedColumn = column as BooleanColumn;
    }
    // an object literal per table: records share one hidden class with fast properties
    const body = fields.map((f, i) => `${JSON.stringify(f.name)}: ${f.name === 'Id' ? 'id ?? ' : ''}c[${i}].get(r)`).join(',\n');
    this.materialize = new Function('c', 'r', 'id', `return {${body}};`) as (columns: Column[], row: number, id: string | undefined) => SfRecord;
  }
}
