/**
 * Fiscal periods (months, quarters, years) and the calendar-day arithmetic the quota maths uses.
 *
 * Naming: a fiscal year is named after the calendar year in which it ENDS (Salesforce's default).
 * With the fiscal year starting in January, FY2026 is Jan–Dec 2026. Starting in February, FY2027
 * runs from 2026-02-01 to 2027-01-31. Quarters and months are numbered inside the fiscal year:
 * FY2027-Q1 is Feb–Apr 2026 and FY2027-M08 is September 2026 (the 8th month of that fiscal year).
 *
 * Days are calendar days in UTC, bounds inclusive: a period runs from `start` to `end`, both
 * included, and a date on either boundary belongs to the period. Pure: no I/O.
 */
import { z } from 'zod';
import type { Period } from './insights.js';

export type PeriodKind = Period['kind'];

export const FiscalCalendarSchema = z.object({
  /** 1 = January. */
  fiscalYearStartMonth: z.number().int().min(1).max(12).default(1),
});
export type FiscalCalendar = z.infer<typeof FiscalCalendarSchema>;

const defaultCalendar: FiscalCalendar = { fiscalYearStartMonth: 1 };
const MS_PER_DAY = 86_400_000;
const monthsPerPeriod: Record<PeriodKind, number> = { month: 1, quarter: 3, year: 12 };

// The maths converts the same few hundred dates millions of times: remember them (bounded).
const dayCache = new Map<string, number>();

/** Days since 1970-01-01 of a `YYYY-MM-DD` date (or the date part of an ISO instant, read in UTC). */
export function dayNumber(date: string): number {
  const key = date.slice(0, 10);
  const cached = dayCache.get(key);
  if (cached !== undefined) return cached;
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(key);
  if (!match) throw new Error(`dayNumber: "${date}" is not a YYYY-MM-DD date; pass an ISO date or instant`);
  const day = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) / MS_PER_DAY;
  if (dayCache.size >= 100_000) dayCache.clear();
  dayCache.set(key, day);
  return day;
}

/** Inverse of `dayNumber`. */
export function dateOfDay(day: number): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

/** Calendar days in a period, both bounds included (a 91-day quarter gives 91). */
export function periodLengthDays(period: Period): number {
  return dayNumber(period.end) - dayNumber(period.start) + 1;
}

/**
 * Days of the period that have passed as of `asOf`, counting `asOf` itself: 1 on the first day,
 * the full length on the last day and after, 0 before the period starts.
 */
export function elapsedDays(period: Period, asOf: string): number {
  const elapsed = dayNumber(asOf) - dayNumber(period.start) + 1;
  return Math.min(Math.max(elapsed, 0), periodLengthDays(period));
}

export function isInPeriod(date: string, period: Period): boolean {
  const day = dayNumber(date);
  return day >= dayNumber(period.start) && day <= dayNumber(period.end);
}

/** Index of a calendar month counted from year 0 (2026-03 → 2026*12 + 2): makes month maths linear. */
function monthIndex(year: number, month1: number): number {
  return year * 12 + (month1 - 1);
}

function firstDayOfMonthIndex(index: number): string {
  return dateOfDay(Date.UTC(Math.floor(index / 12), index % 12, 1) / MS_PER_DAY);
}

/** Builds the period of `kind` whose first calendar month is `startMonthIndex` (already aligned). */
function periodFromStartMonth(startMonthIndex: number, kind: PeriodKind, calendar: FiscalCalendar): Period {
  const fyStartIndex = startMonthIndex - mod(startMonthIndex - (calendar.fiscalYearStartMonth - 1), 12);
  const fyStartYear = Math.floor(fyStartIndex / 12);
  // Named by the calendar year in which the fiscal year ends.
  const fiscalYear = calendar.fiscalYearStartMonth === 1 ? fyStartYear : fyStartYear + 1;
  const fiscalMonth0 = startMonthIndex - fyStartIndex;
  const end = dateOfDay(dayNumber(firstDayOfMonthIndex(startMonthIndex + monthsPerPeriod[kind])) - 1);
  const start = firstDayOfMonthIndex(startMonthIndex);
  const fy = `FY${fiscalYear}`;
  const id =
    kind === 'year'
      ? fy
      : kind === 'quarter'
        ? `${fy}-Q${fiscalMonth0 / 3 + 1}`
        : `${fy}-M${String(fiscalMonth0 + 1).padStart(2, '0')}`;
  return { id, kind, start, end };
}

function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}

/** The fiscal period of `kind` that contains `date` (a `YYYY-MM-DD` date or ISO instant, read in UTC). */
export function periodOf(date: string, kind: PeriodKind, calendar: FiscalCalendar = defaultCalendar): Period {
  const day = dateOfDay(dayNumber(date));
  const calendarMonth = monthIndex(Number(day.slice(0, 4)), Number(day.slice(5, 7)));
  const monthsIntoYear = mod(calendarMonth - (calendar.fiscalYearStartMonth - 1), 12);
  const alignedStart = calendarMonth - (monthsIntoYear % monthsPerPeriod[kind]);
  return periodFromStartMonth(alignedStart, kind, calendar);
}

const periodIdPattern = /^FY(\d{4})(?:-(?:Q([1-4])|M(0[1-9]|1[0-2])))?$/;

/** Parses `FY2026`, `FY2026-Q3` or `FY2026-M08` under the given fiscal calendar. Throws on any other id. */
export function periodById(id: string, calendar: FiscalCalendar = defaultCalendar): Period {
  const match = periodIdPattern.exec(id);
  if (!match) {
    throw new Error(`periodById: "${id}" is not a period id; use FY2026, FY2026-Q3 or FY2026-M08`);
  }
  const fiscalYear = Number(match[1]);
  const fyStartYear = calendar.fiscalYearStartMonth === 1 ? fiscalYear : fiscalYear - 1;
  const fyStartIndex = monthIndex(fyStartYear, calendar.fiscalYearStartMonth);
  if (match[2]) return periodFromStartMonth(fyStartIndex + (Number(match[2]) - 1) * 3, 'quarter', calendar);
  if (match[3]) return periodFromStartMonth(fyStartIndex + Number(match[3]) - 1, 'month', calendar);
  return periodFromStartMonth(fyStartIndex, 'year', calendar);
}

/** The period `offset` periods of the same kind away (−1 = the previous one). */
export function shiftPeriod(period: Period, offset: number, calendar: FiscalCalendar = defaultCalendar): Period {
  const start = period.start;
  const startIndex = monthIndex(Number(start.slice(0, 4)), Number(start.slice(5, 7)));
  return periodFromStartMonth(startIndex + offset * monthsPerPeriod[period.kind], period.kind, calendar);
}

/** The `n` periods of the same kind just before `period`, oldest first. */
export function previousPeriods(period: Period, n: number, calendar: FiscalCalendar = defaultCalendar): Period[] {
  const periods: Period[] = [];
  for (let offset = -n; offset <= -1; offset++) periods.push(shiftPeriod(period, offset, calendar));
  return periods;
}
