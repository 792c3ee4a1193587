/**
 * Property values of one object type, stored by column: one shared name → column index (a column is
 * added the first time a property is written, seeded or created at run time) and per column one
 * array of cells indexed by record row. At a million records this replaces a props object per
 * record with one 4-byte slot per value.
 *
 * The API returns every value as a string and the exact string must come back, so a cell is either
 * the string itself (interned while the column's values repeat) or a number that its column's codec
 * turns back into exactly the same string. A column's codec is fixed by the first value that fits
 * one (decimal numbers, ISO datetimes, ISO dates); values that do not fit stay strings.
 */

/** A stored value: the string itself, a number its column's codec decodes, or absent. */
export type Cell = string | number | undefined;

/** Turns strings into numbers and back, only where the round trip gives the same string. */
export interface CellCodec {
  readonly name: string;
  encode(text: string): number | undefined;
  decode(cell: number): string;
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;
/** longer digit strings lose precision as doubles; the round-trip check would refuse them anyway */
const MAX_DECIMAL_LENGTH = 21;

/** "1200.5", "42", "40000001": the number whose String() is exactly the text (integers below 2^30 cost no heap). */
export const decimalCodec: CellCodec = {
  name: 'decimal',
  encode(text) {
    if (text.length === 0 || text.length > MAX_DECIMAL_LENGTH) return undefined;
    const n = Number(text);
    return String(n) === text ? n : undefined;
  },
  decode: (cell) => String(cell),
};

/**
 * "2026-01-01T08:15:00.000Z" (HubSpot's canonical datetime form): epoch minutes when on a whole
 * minute (a small integer, stored unboxed), otherwise epoch ms + 0.5 (the half marks the ms form).
 * Other spellings ("…T00:00:00Z", offsets) stay strings.
 */
export const isoDatetimeCodec: CellCodec = {
  name: 'isoDatetime',
  encode(text) {
    if (!ISO_DATETIME.test(text)) return undefined;
    const ms = Date.parse(text);
    if (Number.isNaN(ms) || new Date(ms).toISOString() !== text) return undefined;
    return ms % MINUTE_MS === 0 ? ms / MINUTE_MS : ms + 0.5;
  },
  decode: (cell) => new Date(Number.isInteger(cell) ? cell * MINUTE_MS : cell - 0.5).toISOString(),
};

/** "2026-01-01": days since the epoch. */
export const isoDayCodec: CellCodec = {
  name: 'isoDay',
  encode(text) {
    if (!ISO_DAY.test(text)) return undefined;
    const ms = Date.parse(`${text}T00:00:00.000Z`);
    if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== text) return undefined;
    return ms / DAY_MS;
  },
  decode: (cell) => new Date(cell * DAY_MS).toISOString().slice(0, 10),
};

/** Tried in this order when a column's first codable value arrives. */
const codecs: readonly CellCodec[] = [isoDatetimeCodec, isoDayCodec, decimalCodec];

/** Interning stops for a column once this many distinct strings came with fewer repeats than misses. */
const INTERN_TRIAL = 256;

/** Keeps one copy of repeated strings (JSON bodies and `String(n)` make a fresh copy per value). */
class InternPool {
  private pool: Map<string, string> | null = new Map();
  private hits = 0;

  intern(text: string): string {
    const pool = this.pool;
    if (pool === null) return text;
    const known = pool.get(text);
    if (known !== undefined) {
      this.hits += 1;
      return known;
    }
    // mostly distinct values (names, emails): a pool would only duplicate them
    if (pool.size >= INTERN_TRIAL && this.hits < pool.size) {
      this.pool = null;
      return text;
    }
    pool.set(text, text);
    return text;
  }
}

export class PropertyColumn {
  /** cells by record row; rows never written read as undefined */
  cells: Cell[] = [];
  private codec: CellCodec | undefined;
  private readonly strings = new InternPool();

  constructor(readonly name: string) {}

  /** The stored form of `text` in this column. */
  encode(text: string): Cell {
    if (this.codec === undefined) {
      for (const c of codecs) {
        const n = c.encode(text);
        if (n !== undefined) {
          this.codec = c;
          return n;
        }
      }
    } else {
      const n = this.codec.encode(text);
      if (n !== undefined) return n;
    }
    return this.strings.intern(text);
  }

  decode(cell: Cell): string | undefined {
    return typeof cell === 'number' ? this.codec!.decode(cell) : cell;
  }

  get(row: number): string | undefined {
    return this.decode(this.cells[row]);
  }

  /** Sets (or with undefined, clears) one row's value. */
  set(row: number, text: string | undefined): void {
    if (text === undefined) {
      if (row < this.cells.length) this.cells[row] = undefined;
      return;
    }
    this.cells[row] = this.encode(text);
  }

  /** Drops the spare capacity arrays keep after growing by push. */
  trim(): void {
    this.cells = this.cells.slice();
  }
}

/** The columns of one object type. */
export class PropertyColumns {
  readonly list: PropertyColumn[] = [];
  private readonly byName = new Map<string, PropertyColumn>();

  find(name: string): PropertyColumn | undefined {
    return this.byName.get(name);
  }

  /** The column for `name`, added when the property is written for the first time. */
  column(name: string): PropertyColumn {
    let c = this.byName.get(name);
    if (!c) {
      c = new PropertyColumn(name);
      this.byName.set(name, c);
      this.list.push(c);
    }
    return c;
  }
}
