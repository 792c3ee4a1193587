/**
 * SOQL date literals (TODAY, LAST_N_DAYS:n, THIS_QUARTER, ...) as half-open UTC date ranges
 * [start, end). The sandbox org's time zone is UTC and its fiscal year is the calendar year.
 */
import { addDays, dateOf, dateToMs } from '../values.js';

export interface DateRange {
  /** first day, "YYYY-MM-DD" */
  start: string;
  /** day after the last day, "YYYY-MM-DD" */
  end: string;
}

type Unit = 'DAY' | 'WEEK' | 'MONTH' | 'QUARTER' | 'YEAR';

const unitOf: Record<string, Unit> = { DAYS: 'DAY', WEEKS: 'WEEK', MONTHS: 'MONTH', QUARTERS: 'QUARTER', YEARS: 'YEAR', WEEK: 'WEEK', MONTH: 'MONTH', QUARTER: 'QUARTER', YEAR: 'YEAR', FISCAL_QUARTER: 'QUARTER', FISCAL_YEAR: 'YEAR', FISCAL_QUARTERS: 'QUARTER', FISCAL_YEARS: 'YEAR' };

const fixed = new Set(['TODAY', 'YESTERDAY', 'TOMORROW', 'LAST_90_DAYS', 'NEXT_90_DAYS']);

export function isDateLiteralName(name: string): boolean {
  return parseName(name) !== null;
}

function parseName(name: string): { kind: 'fixed' | 'this' | 'last' | 'next' | 'lastN' | 'nextN' | 'ago'; unit: Unit } | null {
  if (fixed.has(name)) return { kind: 'fixed', unit: 'DAY' };
  let m = /^(THIS|LAST|NEXT)_(WEEK|MONTH|QUARTER|YEAR|FISCAL_QUARTER|FISCAL_YEAR)$/.exec(name);
  if (m) return { kind: m[1]!.toLowerCase() as 'this' | 'last' | 'next', unit: unitOf[m[2]!]! };
  m = /^(LAST|NEXT)_N_(DAYS|WEEKS|MONTHS|QUARTERS|YEARS|FISCAL_QUARTERS|FISCAL_YEARS)$/.exec(name);
  if (m) return { kind: m[1] === 'LAST' ? 'lastN' : 'nextN', unit: unitOf[m[2]!]! };
  m = /^N_(DAYS|WEEKS|MONTHS|QUARTERS|YEARS|FISCAL_QUARTERS|FISCAL_YEARS)_AGO$/.exec(name);
  if (m) return { kind: 'ago', unit: unitOf[m[1]!]! };
  return null;
}

/** Start of the unit containing `date`. Weeks start on Sunday (Salesforce's default locale). */
function startOf(date: string, unit: Unit): string {
  const d = new Date(dateToMs(date));
  const y = d.getUTCFullYear();
  const mo = d.getUTCMonth();
  switch (unit) {
    case 'DAY':
      return date;
    case 'WEEK':
      return addDays(date, -d.getUTCDay());
    case 'MONTH':
      return dateOf(Date.UTC(y, mo, 1));
    case 'QUARTER':
      return dateOf(Date.UTC(y, mo - (mo % 3), 1));
    case 'YEAR':
      return dateOf(Date.UTC(y, 0, 1));
  }
}

function shift(date: string, unit: Unit, n: number): string {
  const d = new Date(dateToMs(date));
  switch (unit) {
    case 'DAY':
      return addDays(date, n);
    case 'WEEK':
      return addDays(date, 7 * n);
    case 'MONTH':
      return dateOf(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + n, d.getUTCDate()));
    case 'QUARTER':
      return dateOf(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 3 * n, d.getUTCDate()));
    case 'YEAR':
      return dateOf(Date.UTC(d.getUTCFullYear() + n, d.getUTCMonth(), d.getUTCDate()));
  }
}

export function dateLiteralRange(name: string, n: number | null, nowMs: number): DateRange {
  const parsed = parseName(name);
  if (!parsed) throw new Error(`unknown date literal ${name}`);
  const today = dateOf(nowMs);
  const count = n ?? 1;
  const { kind, unit } = parsed;
  if (kind === 'fixed') {
    switch (name) {
      case 'TODAY':
        return { start: today, end: addDays(today, 1) };
      case 'YESTERDAY':
        return { start: addDays(today, -1), end: today };
      case 'TOMORROW':
        return { start: addDays(today, 1), end: addDays(today, 2) };
      case 'LAST_90_DAYS':
        return { start: addDays(today, -90), end: addDays(today, 1) };
      default:
        return { start: addDays(today, 1), end: addDays(today, 91) };
    }
  }
  const current = startOf(today, unit);
  switch (kind) {
    case 'this':
      return { start: current, end: shift(current, unit, 1) };
    case 'last':
      return { start: shift(current, unit, -1), end: current };
    case 'next':
      return { start: shift(current, unit, 1), end: shift(current, unit, 2) };
    case 'lastN':
      // LAST_N_DAYS:n covers today and the n days before; the other units end before the current one.
      return unit === 'DAY' ? { start: addDays(today, -count), end: addDays(today, 1) } : { start: shift(current, unit, -count), end: current };
    case 'nextN':
      return unit === 'DAY' ? { start: addDays(today, 1), end: addDays(today, count + 1) } : { start: shift(current, unit, 1), end: shift(current, unit, count + 1) };
    case 'ago': {
      const start = shift(current, unit, -count);
      return { start, end: shift(start, unit, 1) };
    }
  }
}
