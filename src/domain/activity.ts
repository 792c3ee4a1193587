/**
 * Activities are the bulk of a CRM (millions of calls, emails, notes). We do not keep them: each is
 * folded at ingest into a small per-account aggregate that holds what the scoring needs (counts per
 * week by type and direction, last touch per type, contacts engaged, competitor mentions) plus a
 * short list of recent references for explanations.
 *
 * Folding is idempotent: the store keeps one short fingerprint per activity id, and folding the
 * same activity again (re-read after a lookback overlap, or edited later) first removes what its
 * previous version contributed. Pure: no I/O.
 */
import { z } from 'zod';
import { ActivityType, type Activity } from './model.js';

export const ActivityRefSchema = z.object({
  id: z.string(),
  type: ActivityType,
  at: z.string(),
  subject: z.string().nullable(),
});
export type ActivityRef = z.infer<typeof ActivityRefSchema>;

export const ActivityAggregateSchema = z.object({
  accountId: z.string(),
  /** week start (Monday, YYYY-MM-DD) → `${type}:${direction|none}` → count */
  weeks: z.record(z.string(), z.record(z.string(), z.number())),
  /** latest activity per type */
  lastTouch: z.record(z.string(), ActivityRefSchema),
  /** contact id → latest activity date with that contact */
  contacts: z.record(z.string(), z.string()),
  /** competitor mentions found in subjects and bodies (most recent first, bounded) */
  competitorMentions: z.array(z.object({ competitor: z.string(), activityId: z.string(), type: ActivityType, at: z.string() })),
  /** most recent activities (most recent first, bounded) */
  recent: z.array(ActivityRefSchema),
  total: z.number().int().nonnegative(),
});
export type ActivityAggregate = z.infer<typeof ActivityAggregateSchema>;

export const AGGREGATE_WEEKS_KEPT = 104;
export const RECENT_KEPT = 10;
export const MENTIONS_KEPT = 20;

export function emptyAggregate(accountId: string): ActivityAggregate {
  return { accountId, weeks: {}, lastTouch: {}, contacts: {}, competitorMentions: [], recent: [], total: 0 };
}

/** Monday of the ISO week holding the instant, as YYYY-MM-DD (UTC). */
export function weekStart(iso: string): string {
  const d = new Date(iso);
  const day = (d.getUTCDay() + 6) % 7; // Monday = 0
  const monday = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - day));
  return monday.toISOString().slice(0, 10);
}

/** Finds the configured competitor names in an activity's subject and body (case-insensitive, whole words). */
export function findCompetitors(activity: Pick<Activity, 'subject' | 'bodyExcerpt'>, competitors: readonly string[]): string[] {
  const text = `${activity.subject ?? ''} ${activity.bodyExcerpt ?? ''}`.toLowerCase();
  if (!text.trim()) return [];
  const found: string[] = [];
  for (const name of competitors) {
    const needle = name.toLowerCase();
    const escaped = needle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    if (new RegExp(`(^|[^a-z0-9])${escaped}([^a-z0-9]|$)`).test(text)) found.push(name);
  }
  return found;
}

/**
 * What an activity contributed to its aggregate, as a compact string the store keeps per id:
 * `week|bucket|contactId|competitor,competitor`. Equal fingerprints mean nothing to change.
 */
export function activityFingerprint(activity: Activity, competitors: readonly string[]): string {
  const bucket = `${activity.type}:${activity.direction ?? 'none'}`;
  return [weekStart(activity.occurredAt), bucket, activity.contactId ?? '', findCompetitors(activity, competitors).join(','), activity.occurredAt].join('|');
}

function parseFingerprint(fp: string): { week: string; bucket: string; competitors: string[] } {
  const [week = '', bucket = '', , comps = ''] = fp.split('|');
  return { week, bucket, competitors: comps ? comps.split(',') : [] };
}

/**
 * Folds one activity into the aggregate. `previousFingerprint` is what the store holds for this
 * activity id (null when first seen). Returns the new fingerprint, or null when nothing changed.
 * Mutates `agg` in place (the caller reads, folds a page, writes back).
 */
export function foldActivity(
  agg: ActivityAggregate,
  activity: Activity,
  previousFingerprint: string | null,
  competitors: readonly string[],
): string | null {
  const fp = activityFingerprint(activity, competitors);
  if (previousFingerprint === fp) return null;
  if (previousFingerprint) unfold(agg, activity.id, previousFingerprint);

  const { week, bucket, competitors: mentions } = parseFingerprint(fp);
  const counts = (agg.weeks[week] ??= {});
  counts[bucket] = (counts[bucket] ?? 0) + 1;
  agg.total += 1;

  const ref: ActivityRef = { id: activity.id, type: activity.type, at: activity.occurredAt, subject: activity.subject };
  const last = agg.lastTouch[activity.type];
  if (!last || newer(ref, last)) agg.lastTouch[activity.type] = ref;
  if (activity.contactId) {
    const seen = agg.contacts[activity.contactId];
    if (!seen || seen < activity.occurredAt) agg.contacts[activity.contactId] = activity.occurredAt;
  }
  for (const competitor of mentions) {
    agg.competitorMentions.push({ competitor, activityId: activity.id, type: activity.type, at: activity.occurredAt });
  }
  agg.competitorMentions.sort((a, b) => b.at.localeCompare(a.at) || b.activityId.localeCompare(a.activityId));
  agg.competitorMentions.length = Math.min(agg.competitorMentions.length, MENTIONS_KEPT);
  agg.recent = [ref, ...agg.recent.filter((r) => r.id !== activity.id)].sort((a, b) => (newer(a, b) ? -1 : 1)).slice(0, RECENT_KEPT);
  pruneWeeks(agg);
  return fp;
}

/** Removes a deleted activity's contribution (the store then drops its fingerprint). */
export function unfoldActivity(agg: ActivityAggregate, activityId: string, previousFingerprint: string): void {
  unfold(agg, activityId, previousFingerprint);
}

function unfold(agg: ActivityAggregate, activityId: string, fp: string): void {
  const { week, bucket } = parseFingerprint(fp);
  const counts = agg.weeks[week];
  if (counts && counts[bucket]) {
    counts[bucket] -= 1;
    if (counts[bucket] === 0) delete counts[bucket];
    if (Object.keys(counts).length === 0) delete agg.weeks[week];
  }
  agg.total = Math.max(0, agg.total - 1);
  agg.competitorMentions = agg.competitorMentions.filter((m) => m.activityId !== activityId);
  agg.recent = agg.recent.filter((r) => r.id !== activityId);
  for (const [type, ref] of Object.entries(agg.lastTouch)) {
    if (ref.id !== activityId) continue;
    // Fall back to the newest recent reference of that type; older history is folded away.
    const next = agg.recent.find((r) => r.type === type);
    if (next) agg.lastTouch[type] = next;
    else delete agg.lastTouch[type];
  }
}

function pruneWeeks(agg: ActivityAggregate): void {
  const weeks = Object.keys(agg.weeks);
  if (weeks.length <= AGGREGATE_WEEKS_KEPT) return;
  weeks.sort();
  for (const w of weeks.slice(0, weeks.length - AGGREGATE_WEEKS_KEPT)) delete agg.weeks[w];
}

/** Count of activities (optionally of some types) in weeks starting within [from, to). */
export function activityCount(agg: ActivityAggregate, from: string, to: string, types?: readonly string[]): number {
  let n = 0;
  for (const [week, counts] of Object.entries(agg.weeks)) {
    if (week < from || week >= to) continue;
    for (const [bucket, c] of Object.entries(counts)) {
      if (!types || types.includes(bucket.split(':')[0] ?? '')) n += c;
    }
  }
  return n;
}

/** The latest touch of any type (for recency), or null. */
export function lastTouchOverall(agg: ActivityAggregate): ActivityRef | null {
  let best: ActivityRef | null = null;
  for (const ref of Object.values(agg.lastTouch)) if (!best || newer(ref, best)) best = ref;
  return best;
}

/** Later first; at the same instant the larger id wins, so the result never depends on folding order. */
function newer(a: Pick<ActivityRef, 'at' | 'id'>, b: Pick<ActivityRef, 'at' | 'id'>): boolean {
  return a.at > b.at || (a.at === b.at && a.id > b.id);
}

/** One aggregate for a unified account from its members' (a company present in both CRMs). */
export function mergeAggregates(accountId: string, parts: readonly ActivityAggregate[]): ActivityAggregate {
  if (parts.length === 1) return { ...(parts[0] as ActivityAggregate), accountId };
  const out = emptyAggregate(accountId);
  for (const p of parts) {
    for (const [week, counts] of Object.entries(p.weeks)) {
      const into = (out.weeks[week] ??= {});
      for (const [bucket, c] of Object.entries(counts)) into[bucket] = (into[bucket] ?? 0) + c;
    }
    for (const [type, ref] of Object.entries(p.lastTouch)) {
      const cur = out.lastTouch[type];
      if (!cur || newer(ref, cur)) out.lastTouch[type] = ref;
    }
    for (const [contact, at] of Object.entries(p.contacts)) {
      const cur = out.contacts[contact];
      if (!cur || cur < at) out.contacts[contact] = at;
    }
    out.competitorMentions.push(...p.competitorMentions);
    out.recent.push(...p.recent);
    out.total += p.total;
  }
  out.competitorMentions.sort((a, b) => b.at.localeCompare(a.at) || a.activityId.localeCompare(b.activityId));
  out.competitorMentions.length = Math.min(out.competitorMentions.length, MENTIONS_KEPT);
  out.recent.sort((a, b) => (newer(a, b) ? -1 : 1));
  out.recent.length = Math.min(out.recent.length, RECENT_KEPT);
  return out;
}
