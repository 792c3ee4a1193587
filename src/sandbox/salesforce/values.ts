/**
 * Value formats on the wire. Records keep datetimes as epoch milliseconds (compact, comparable)
 * and dates as "YYYY-MM-DD" strings; JSON responses render datetimes the way Salesforce does:
 * "2026-05-20T20:49:32.000+0000".
 */

export function formatDatetime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

/** Parses the datetime spellings Salesforce accepts (Z, +hh:mm, +hhmm, optional millis); NaN when invalid. */
export function parseDatetime(text: string): number {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(\.\d{1,3})?(Z|[+-]\d{2}:?\d{2})?$/.exec(text.trim());
  if (!m) return Number.NaN;
  let zone = m[4] ?? 'Z';
  if (zone !== 'Z' && !zone.includes(':')) zone = `${zone.slice(0, 3)}:${zone.slice(3)}`;
  return Date.parse(`${m[1]}T${m[2]}${m[3] ?? ''}${zone}`);
}

export function isDateString(text: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(text) && !Number.isNaN(Date.parse(`${text}T00:00:00Z`));
}

/** "YYYY-MM-DD" of an epoch-ms instant, in UTC (the sandbox org's time zone). */
export function dateOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function dateToMs(date: string): number {
  return Date.parse(`${date}T00:00:00Z`);
}

export function addDays(date: string, days: number): string {
  return dateOf(dateToMs(date) + days * 86_400_000);
}
