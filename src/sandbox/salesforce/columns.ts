/**
 * One field's values for every row of a table, stored by type so a million rows cost bytes, not
 * objects: numbers and datetimes (epoch ms) as doubles, booleans in one byte, ids and references
 * as IdCodec numbers packed in 4 bytes, dates and picklist values as 2-byte indexes into the
 * column's list of distinct values, other text in a plain array. Typed storage is chunked
 * (chunked.ts).
 *
 * A value that does not fit its column's encoding (a string in a number field, a hand-written
 * id, NaN) is kept as it is in a small per-column map of exceptions, so every column returns
 * exactly what was stored. null is NaN (numbers), -1 (ids), 2 (booleans) or 0 (dictionary)
 * with no exception.
 */
import { float64s, int32s, uint16s, uint8s } from './chunked.js';
import { IdCodec } from './ids.js';
import type { FieldType } from './schema.js';

export type FieldValue = string | number | boolean | null;

export interface Column {
  get(row: number): FieldValue;
  /** sets a row below `length`, or appends row `length` */
  set(row: number, value: FieldValue | undefined): void;
  /** appends null rows up to `rows` (a column added to a table that has rows) */
  fill(rows: number): void;
  /** drops spare capacity once a bulk load is done */
  trim(): void;
}

const NULL_BOOLEAN = 2;
const EXCEPTION_BOOLEAN = 3;

/** Values that did not fit the encoding, by row; consulted only when the encoded slot says so. */
class Exceptions {
  private values: Map<number, FieldValue> | null = null;

  get(row: number): FieldValue {
    return this.values?.get(row) ?? null;
  }

  set(row: number, value: FieldValue): void {
    (this.values ??= new Map()).set(row, value);
  }

  clear(row: number): void {
    if (this.values?.size) this.values.delete(row);
  }
}

/** double, currency, percent, int, datetime: NaN is null (or an exception). */
export class NumberColumn implements Column {
  private values = float64s();
  private exceptions = new Exceptions();

  get(row: number): FieldValue {
    const v = this.values.get(row);
    return v === v ? v : this.exceptions.get(row);
  }

  set(row: number, value: FieldValue | undefined): void {
    this.exceptions.clear(row);
    if (typeof value === 'number' && value === value) {
      this.values.set(row, value);
      return;
    }
    this.values.set(row, Number.NaN);
    if (value !== null && value !== undefined) this.exceptions.set(row, value);
  }

  fill(rows: number): void {
    this.values.fill(rows);
  }

  trim(): void {
    this.values.trim();
  }
}

/** boolean: 0 false, 1 true, 2 null, 3 an exception. */
export class BooleanColumn implements Column {
  private values = uint8s(NULL_BOOLEAN);
  private exceptions = new Exceptions();

  get(row: number): FieldValue {
    const v = this.values.get(row);
    if (v < 2) return v === 1;
    return v === NULL_BOOLEAN ? null : this.exceptions.get(row);
  }

  /** true only for a stored `true` (IsDeleted checks without boxing) */
  isTrue(row: number): boolean {
    return this.values.get(row) === 1;
  }

  set(row: number, value: FieldValue | undefined): void {
    this.exceptions.clear(row);
    if (typeof value === 'boolean') this.values.set(row, value ? 1 : 0);
    else if (value === null || value === undefined) this.values.set(row, NULL_BOOLEAN);
    else {
      this.values.set(row, EXCEPTION_BOOLEAN);
      this.exceptions.set(row, value);
    }
  }

  fill(rows: number): void {
    this.values.fill(rows);
  }

  trim(): void {
    this.values.trim();
  }
}

/**
 * id and reference: an IdCodec id packed in an Int32 (prefix number * 2^24 + counter); -1 is
 * null or an exception. Ids that do not encode or do not pack (counter past 16.7M, more than 64
 * key prefixes) are exceptions.
 */
export class IdColumn implements Column {
  private values = int32s(-1);
  private exceptions = new Exceptions();
  // one-entry cache: consecutive rows often share a reference (CreatedById, OwnerId)
  private lastPacked = -1;
  private lastId = '';

  constructor(private readonly codec: IdCodec) {}

  get(row: number): FieldValue {
    const packed = this.values.get(row);
    if (packed < 0) return this.exceptions.get(row);
    if (packed !== this.lastPacked) {
      this.lastId = this.codec.decode(unpack(packed));
      this.lastPacked = packed;
    }
    return this.lastId;
  }

  /** the stored IdCodec code (NaN for null or an exception) */
  code(row: number): number {
    const packed = this.values.get(row);
    return packed < 0 ? Number.NaN : unpack(packed);
  }

  set(row: number, value: FieldValue | undefined): void {
    this.exceptions.clear(row);
    const packed = typeof value === 'string' ? pack(this.codec.encode(value)) : -1;
    this.values.set(row, packed);
    if (packed < 0 && value !== null && value !== undefined) this.exceptions.set(row, value);
  }

  fill(rows: number): void {
    this.values.fill(rows);
  }

  trim(): void {
    this.values.trim();
  }
}

const PACKED_COUNTER = 2 ** 24;
const PACKED_PREFIXES = 64;

/** An IdCodec code as a Smi, or -1 when it is NaN or too large. */
function pack(code: number): number {
  if (code !== code) return -1;
  const prefix = IdCodec.prefixOf(code);
  const counter = IdCodec.counterOf(code);
  return prefix < PACKED_PREFIXES && counter < PACKED_COUNTER ? prefix * PACKED_COUNTER + counter : -1;
}

function unpack(packed: number): number {
  const prefix = Math.floor(packed / PACKED_COUNTER);
  return prefix * 2 ** 32 + (packed - prefix * PACKED_COUNTER);
}

const DICTIONARY_EXCEPTION = 0xffff;

/**
 * date and picklist: an index (2 bytes) into the column's distinct values; 0 is null. Past
 * 65,534 distinct values, and for non-strings, the value is an exception.
 */
export class DictionaryColumn implements Column {
  private values = uint16s(0);
  private distinct: string[] = [];
  private indexOf = new Map<string, number>();
  private exceptions = new Exceptions();

  get(row: number): FieldValue {
    const index = this.values.get(row);
    if (index === 0) return null;
    return index === DICTIONARY_EXCEPTION ? this.exceptions.get(row) : this.distinct[index - 1]!;
  }

  set(row: number, value: FieldValue | undefined): void {
    this.exceptions.clear(row);
    if (value === null || value === undefined) {
      this.values.set(row, 0);
      return;
    }
    let index = typeof value === 'string' ? this.indexOf.get(value) : undefined;
    if (index === undefined && typeof value === 'string' && this.distinct.length < DICTIONARY_EXCEPTION - 1) {
      this.distinct.push(value);
      index = this.distinct.length;
      this.indexOf.set(value, index);
    }
    if (index === undefined) {
      this.values.set(row, DICTIONARY_EXCEPTION);
      this.exceptions.set(row, value);
    } else this.values.set(row, index);
  }

  fill(rows: number): void {
    this.values.fill(rows);
  }

  trim(): void {
    this.values.trim();
  }
}

/** Text and anything else: a plain array. */
export class TextColumn implements Column {
  private values: FieldValue[] = [];

  get(row: number): FieldValue {
    return this.values[row] ?? null;
  }

  set(row: number, value: FieldValue | undefined): void {
    const v = value ?? null;
    if (row < this.values.length) this.values[row] = v;
    else {
      this.fill(row);
      this.values.push(v);
    }
  }

  fill(rows: number): void {
    while (this.values.length < rows) this.values.push(null);
  }

  trim(): void {
    this.values = this.values.slice();
  }
}

/** The column kind for a field type. */
export function columnFor(type: FieldType, codec: IdCodec): Column {
  switch (type) {
    case 'double':
    case 'currency':
    case 'percent':
    case 'int':
    case 'datetime':
      return new NumberColumn();
    case 'boolean':
      return new BooleanColumn();
    case 'id':
    case 'reference':
      return new IdColumn(codec);
    case 'date':
    case 'picklist':
      return new DictionaryColumn();
    default:
      return new TextColumn();
  }
}
