import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  dateOfDay,
  dayNumber,
  elapsedDays,
  isInPeriod,
  periodById,
  periodLengthDays,
  periodOf,
  previousPeriods,
  shiftPeriod,
} from '../../src/domain/periods.js';

const february = { fiscalYearStartMonth: 2 };

describe('periodOf with a calendar fiscal year', () => {
  it('finds the month, quarter and year of a date', () => {
    expect(periodOf('2026-08-15', 'month')).toEqual({ id: 'FY2026-M08', kind: 'month', start: '2026-08-01', end: '2026-08-31' });
    expect(periodOf('2026-08-15', 'quarter')).toEqual({ id: 'FY2026-Q3', kind: 'quarter', start: '2026-07-01', end: '2026-09-30' });
    expect(periodOf('2026-08-15', 'year')).toEqual({ id: 'FY2026', kind: 'year', start: '2026-01-01', end: '2026-12-31' });
  });

  it('puts both boundary days in the period and reads instants in UTC', () => {
    expect(periodOf('2026-07-01', 'quarter').id).toBe('FY2026-Q3');
    expect(periodOf('2026-09-30', 'quarter').id).toBe('FY2026-Q3');
    expect(periodOf('2026-10-01', 'quarter').id).toBe('FY2026-Q4');
    expect(periodOf('2026-09-30T23:59:59.999Z', 'quarter').id).toBe('FY2026-Q3');
  });
});

describe('periodOf with the fiscal year starting in February', () => {
  it('names the fiscal year by the calendar year in which it ends', () => {
    expect(periodOf('2026-01-31', 'year', february)).toEqual({ id: 'FY2026', kind: 'year', start: '2025-02-01', end: '2026-01-31' });
    expect(periodOf('2026-02-01', 'year', february)).toEqual({ id: 'FY2027', kind: 'year', start: '2026-02-01', end: '2027-01-31' });
  });

  it('numbers quarters and months inside the fiscal year', () => {
    expect(periodOf('2026-09-10', 'quarter', february)).toEqual({ id: 'FY2027-Q3', kind: 'quarter', start: '2026-08-01', end: '2026-10-31' });
    expect(periodOf('2026-09-10', 'month', february)).toEqual({ id: 'FY2027-M08', kind: 'month', start: '2026-09-01', end: '2026-09-30' });
    expect(periodOf('2027-01-15', 'quarter', february)).toEqual({ id: 'FY2027-Q4', kind: 'quarter', start: '2026-11-01', end: '2027-01-31' });
  });
});

describe('periodById', () => {
  it('parses year, quarter and month ids', () => {
    expect(periodById('FY2026-Q3')).toEqual({ id: 'FY2026-Q3', kind: 'quarter', start: '2026-07-01', end: '2026-09-30' });
    expect(periodById('FY2024-M02')).toEqual({ id: 'FY2024-M02', kind: 'month', start: '2024-02-01', end: '2024-02-29' });
    expect(periodById('FY2027-Q4', february)).toEqual({ id: 'FY2027-Q4', kind: 'quarter', start: '2026-11-01', end: '2027-01-31' });
    expect(periodById('FY2027', { fiscalYearStartMonth: 7 })).toEqual({ id: 'FY2027', kind: 'year', start: '2026-07-01', end: '2027-06-30' });
  });

  it('rejects an id that is not a period, saying what a good one looks like', () => {
    expect(() => periodById('2026-Q3')).toThrow('periodById: "2026-Q3" is not a period id; use FY2026, FY2026-Q3 or FY2026-M08');
    expect(() => periodById('FY2026-Q5')).toThrow(/not a period id/);
    expect(() => periodById('FY2026-M13')).toThrow(/not a period id/);
  });

  it('round-trips periodOf for any date and fiscal start month', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: dayNumber('2000-01-01'), max: dayNumber('2040-12-31') }),
        fc.integer({ min: 1, max: 12 }),
        fc.constantFrom('month' as const, 'quarter' as const, 'year' as const),
        (day, startMonth, kind) => {
          const calendar = { fiscalYearStartMonth: startMonth };
          const date = dateOfDay(day);
          const period = periodOf(date, kind, calendar);
          expect(isInPeriod(date, period)).toBe(true);
          expect(periodById(period.id, calendar)).toEqual(period);
          expect(dayNumber(shiftPeriod(period, 1, calendar).start)).toBe(dayNumber(period.end) + 1);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('day counts', () => {
  const q3 = periodById('FY2026-Q3');

  it('counts calendar days with both bounds included', () => {
    expect(periodLengthDays(q3)).toBe(92);
    expect(periodLengthDays(periodById('FY2017-Q2'))).toBe(91);
    expect(periodLengthDays(periodById('FY2024'))).toBe(366);
  });

  it('counts the as-of day as elapsed and clamps to the period', () => {
    expect(elapsedDays(q3, '2026-06-30')).toBe(0);
    expect(elapsedDays(q3, '2026-07-01')).toBe(1);
    expect(elapsedDays(q3, '2026-08-15')).toBe(46);
    expect(elapsedDays(q3, '2026-09-30')).toBe(92);
    expect(elapsedDays(q3, '2027-01-01')).toBe(92);
  });

  it('tells whether a date is in a period, boundaries included', () => {
    expect(isInPeriod('2026-06-30', q3)).toBe(false);
    expect(isInPeriod('2026-07-01', q3)).toBe(true);
    expect(isInPeriod('2026-09-30', q3)).toBe(true);
    expect(isInPeriod('2026-10-01', q3)).toBe(false);
  });

  it('rejects a string that is not a date', () => {
    expect(() => dayNumber('15/08/2026')).toThrow('dayNumber: "15/08/2026" is not a YYYY-MM-DD date; pass an ISO date or instant');
  });
});

describe('previous periods', () => {
  it('lists the n periods before, oldest first, across fiscal years', () => {
    expect(previousPeriods(periodById('FY2026-Q1'), 4).map((p) => p.id)).toEqual(['FY2025-Q1', 'FY2025-Q2', 'FY2025-Q3', 'FY2025-Q4']);
    expect(previousPeriods(periodById('FY2026-M02'), 2).map((p) => p.id)).toEqual(['FY2025-M12', 'FY2026-M01']);
    expect(previousPeriods(periodById('FY2027-Q1', february), 1, february)).toEqual([
      { id: 'FY2026-Q4', kind: 'quarter', start: '2025-11-01', end: '2026-01-31' },
    ]);
  });

  it('shifts by any number of periods', () => {
    expect(shiftPeriod(periodById('FY2026-M01'), -1).id).toBe('FY2025-M12');
    expect(shiftPeriod(periodById('FY2026'), 2).id).toBe('FY2028');
  });
});
