/**
 * Day arithmetic for the generator. Dates are whole UTC days counted from 1970-01-01 ("day
 * numbers"); ISO strings are made once per day (or per day and minute) and shared, which keeps a
 * million activities from holding a million copies of the same timestamps.
 */

const MS_PER_DAY = 86_400_000;

export function parseDay(isoDate: string): number {
  const ms = Date.parse(`${isoDate}T00:00:00.000Z`);
  if (Number.isNaN(ms)) throw new Error(`calendar: "${isoDate}" is not a YYYY-MM-DD date`);
  return Math.floor(ms / MS_PER_DAY);
}

export function todayDay(): number {
  return Math.floor(Date.now() / MS_PER_DAY);
}

/** Calendar quarter holding a day: first and last day numbers. */
export interface Quarter {
  start: number;
  end: number;
}

export function quarterOf(day: number): Quarter {
  const d = new Date(day * MS_PER_DAY);
  const year = d.getUTCFullYear();
  const firstMonth = Math.floor(d.getUTCMonth() / 3) * 3;
  const start = Math.floor(Date.UTC(year, firstMonth, 1) / MS_PER_DAY);
  const end = Math.floor(Date.UTC(year, firstMonth + 3, 1) / MS_PER_DAY) - 1;
  return { start, end };
}

/** the quarter `offset` quarters after (negative: before) the one holding `day` */
export function quarterShift(day: number, offset: number): Quarter {
  const d = new Date(day * MS_PER_DAY);
  const firstMonth = Math.floor(d.getUTCMonth() / 3) * 3 + offset * 3;
  const start = Math.floor(Date.UTC(d.getUTCFullYear(), firstMonth, 1) / MS_PER_DAY);
  return quarterOf(start);
}

/** Interned ISO strings: one string per distinct day and per distinct (day, minute). */
export class IsoStrings {
  private readonly dates = new Map<number, string>();
  private readonly instants = new Map<number, string>();

  /** YYYY-MM-DD */
  date(day: number): string {
    let s = this.dates.get(day);
    if (s === undefined) {
      s = new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
      this.dates.set(day, s);
    }
    return s;
  }

  /** YYYY-MM-DDTHH:MM:00.000Z for a minute of a day */
  instant(day: number, minute: number): string {
    const key = day * 1440 + minute;
    let s = this.instants.get(key);
    if (s === undefined) {
      s = new Date(key * 60_000).toISOString();
      this.instants.set(key, s);
    }
    return s;
  }
}

/**
 * A minute of the business day (08:00-18:00 UTC) on a 15-minute grid: few distinct timestamps,
 * so the interned strings stay few even with millions of records.
 */
export function businessMinute(rng: { int(min: number, max: number): number }): number {
  return 8 * 60 + 15 * rng.int(0, 40);
}
