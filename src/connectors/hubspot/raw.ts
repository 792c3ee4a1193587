/**
 * Raw shapes of what HubSpot returns, parsed before mapping. Property values are strings or null
 * (numbers included); the SDK turns createdAt/updatedAt/archivedAt into Date objects, a replayed
 * fixture has strings: both are accepted. Inline associations are keyed by plural type name, line
 * items under "line items" (with a space), and the same target may appear twice (labelled and
 * unlabelled). `mergedIdsOf` reads hs_merged_object_ids (the records merged away into one).
 */
import { z } from 'zod';

const Instant = z.union([z.date(), z.string(), z.number()]).transform((v, ctx) => {
  const d = v instanceof Date ? v : new Date(typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v);
  if (Number.isNaN(d.getTime())) {
    ctx.addIssue({ code: 'custom', message: `not a date: ${String(v)}` });
    return z.NEVER;
  }
  return d.toISOString();
});

const AssociatedId = z.object({ id: z.union([z.string(), z.number()]).transform(String), type: z.string().optional() });

export const RawAssociations = z.record(
  z.string(),
  z.object({
    results: z.array(AssociatedId).default([]),
    paging: z.unknown().optional(),
  }),
);

const HistoryEntry = z.object({ value: z.string().nullable().optional(), timestamp: Instant });

export const RawObject = z.object({
  id: z.union([z.string().min(1), z.number()]).transform(String),
  properties: z.record(z.string(), z.union([z.string(), z.null(), z.number(), z.boolean()]).transform((v) => (v === null ? null : String(v)))),
  propertiesWithHistory: z.record(z.string(), z.array(HistoryEntry)).optional().nullable(),
  createdAt: Instant.optional().nullable(),
  updatedAt: Instant.optional().nullable(),
  archived: z.boolean().optional().nullable(),
  archivedAt: Instant.optional().nullable(),
  associations: RawAssociations.optional().nullable(),
});
export type RawObject = z.infer<typeof RawObject>;

export const RawOwner = z.object({
  id: z.union([z.string().min(1), z.number()]).transform(String),
  email: z.string().nullable().optional(),
  firstName: z.string().nullable().optional(),
  lastName: z.string().nullable().optional(),
  userId: z.number().nullable().optional(),
  archived: z.boolean().optional().nullable(),
  teams: z.array(z.object({ id: z.union([z.string(), z.number()]).transform(String), name: z.string().nullable().optional(), primary: z.boolean().optional().nullable() })).optional().nullable(),
  createdAt: Instant.optional().nullable(),
  updatedAt: Instant.optional().nullable(),
});
export type RawOwner = z.infer<typeof RawOwner>;

export const RawPipeline = z.object({
  id: z.string(),
  label: z.string(),
  stages: z.array(
    z.object({
      id: z.string(),
      label: z.string(),
      metadata: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional().nullable(),
    }),
  ),
});
export type RawPipeline = z.infer<typeof RawPipeline>;

/** HubSpot's read-only list of the ids merged into a record, ";"-separated ("123;456"). */
export const MERGED_IDS_PROPERTY = 'hs_merged_object_ids';

const MergedId = z.string().regex(/^\d+$/);

/**
 * The ids merged away into `raw` (each a record HubSpot no longer lists), its own id left out. Parts
 * that are not numeric ids are skipped and counted in `junk`, never fatal: a stray value must not
 * quarantine the surviving record or hold back the other ids.
 */
export function mergedIdsOf(raw: RawObject): { ids: string[]; junk: number } {
  const value = raw.properties[MERGED_IDS_PROPERTY];
  const ids = new Set<string>();
  let junk = 0;
  for (const part of (value ?? '').split(';')) {
    const text = part.trim();
    if (text === '') continue;
    const parsed = MergedId.safeParse(text);
    if (!parsed.success) junk += 1;
    else if (parsed.data !== raw.id) ids.add(parsed.data);
  }
  return { ids: [...ids], junk };
}

/** First issue of a zod error as "path: message", for quarantine reasons. */
export function zodReason(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(record)'}: ${i.message}`)
    .join('; ');
}
