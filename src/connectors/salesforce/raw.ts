/**
 * Zod building blocks for raw Salesforce rows. A row comes either from REST (JSON: numbers,
 * booleans, nested parents, datetimes like 2026-09-26T14:03:00.000+0000) or from a Bulk 2.0 CSV
 * page (every value a string, null as empty, datetimes ending in Z): these accept both and
 * normalise (numbers, booleans, ISO instants with Z).
 */
import { z } from 'zod';

const emptyToNull = (v: unknown) => (v === '' || v === undefined ? null : v);

/** An 18- (or 15-) character Salesforce id. */
export const sfId = z.string().regex(/^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/, 'a 15/18-character Salesforce id');
export const sfIdOrNull = z.preprocess(emptyToNull, sfId.nullable());

export const sfString = z.preprocess(emptyToNull, z.string().nullable());

export const sfNumber = z.preprocess((v) => {
  const x = emptyToNull(v);
  return typeof x === 'string' ? Number(x) : x;
}, z.number().finite().nullable());

export const sfBoolean = z.preprocess((v) => {
  const x = emptyToNull(v);
  if (x === 'true') return true;
  if (x === 'false') return false;
  return x;
}, z.boolean().nullable());

/** Datetime → ISO instant with Z (the model's format). */
export const sfDateTime = z.preprocess(
  (v) => {
    const x = emptyToNull(v);
    if (typeof x !== 'string') return x;
    const d = new Date(x);
    return Number.isNaN(d.getTime()) ? x : d.toISOString();
  },
  z.iso.datetime({ offset: true }).nullable(),
);
export const sfDateTimeRequired = sfDateTime.refine((v) => v !== null, 'required datetime is null');

/** Date (YYYY-MM-DD); a datetime is cut to its date. */
export const sfDate = z.preprocess((v) => {
  const x = emptyToNull(v);
  return typeof x === 'string' && x.length > 10 ? x.slice(0, 10) : x;
}, z.iso.date().nullable());

/** A parent reference (`Owner.Name`): an object, null, or absent. */
export function sfParent<T extends z.ZodRawShape>(shape: T) {
  return z.preprocess((v) => (v === undefined ? null : v), z.object(shape).passthrough().nullable());
}

/** Child subquery results: `{ totalSize, done, records }` or null. */
export function sfChildren<T extends z.ZodTypeAny>(record: T) {
  return z.preprocess((v) => (v === undefined ? null : v), z.object({ records: z.array(record) }).passthrough().nullable());
}

/** The fields every synced row has. */
export const sfBase = {
  Id: sfId,
  SystemModstamp: sfDateTimeRequired,
};

/** Our record's `updatedAt`: SystemModstamp as an ISO instant. */
export function modstamp(row: { SystemModstamp: string | null }): string {
  return row.SystemModstamp as string;
}
