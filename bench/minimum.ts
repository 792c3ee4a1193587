/**
 * The fewest API calls each operation needs, from the seeded org's live record counts
 * (crm-apis.md section 5). These are the denominators of every `callsVsMinimum` ratio.
 *
 * "Changed" (the incremental minimums' input) = the records changed after the previous cycle's
 * read window ended (its start minus `sync.settle`): the 1% the bench changed, plus the echo of
 * the previous cycle's own write-back, once. bench/cycle.ts waits out the settle window after
 * each change so that every change falls in exactly one cycle's window.
 *
 * HubSpot
 *  - initial sync: a list page per 100 records per object (50 when the stream reads property
 *    history), at least one per object; owners ⌈n/100⌉; one deal-pipelines read (stage probabilities).
 *  - incremental sync: one search per object stream (200 per page) to learn what changed, and one
 *    archived list page per object stream (search never returns archived records: deletions); for the
 *    changed records of streams with associations, one v4 batch read per association type per 1,000;
 *    for streams with property history, a batch read with history per 50; owners (⌈n/100⌉ pages)
 *    and deal pipelines (1) are re-read whole (no modified filter on those endpoints).
 *  - write-back: ⌈accounts/100⌉ batch updates + ⌈tasks/100⌉ batch creates (associations inline);
 *    no lookups (a first attempt needs no task search).
 * Salesforce
 *  - initial sync: per object a REST query ⌈n/2000⌉ (at least 1), or Bulk 2.0 above the bulk
 *    threshold: 1 create + 1 poll + ⌈n/pageSize⌉ result pages.
 *  - incremental sync: one queryAll per object (SystemModstamp filter; deleted rows come in the
 *    same answer), ⌈changed/2000⌉ pages, at least one.
 *  - write-back: account updates and task creates only (no lookups). Each goes in sObject
 *    Collections of 200, and one Composite request carries up to 5 collection subrequests and
 *    counts as one call (crm-apis.md §3.5, §4 item 3, §5: ⌈N/1000⌉), mixed types allowed: so
 *    ⌈(⌈accounts/200⌉ + ⌈tasks/200⌉)/5⌉; or, when cheaper, the account updates as one Bulk 2.0
 *    ingest job (create, upload, close, 1 poll, successful and failed results = 6) plus the tasks'
 *    ⌈⌈tasks/200⌉/5⌉. (The sandbox serves `POST /composite` with these limits.)
 */
import { objectStreams } from '../src/connectors/hubspot/streams/index.js';
import { salesforceStreams } from '../src/connectors/salesforce/streams/index.js';
import { findObjectType } from '../src/sandbox/hubspot/objectTypes.js';
import type { HubSpotApp } from '../src/sandbox/hubspot/server.js';
import type { RunningSandbox } from '../src/sandbox/index.js';

export type HubSpotSandbox = RunningSandbox & { hubspot: HubSpotApp };
export type SalesforceSandbox = RunningSandbox & { org: { seedIds: Map<string, string>; store: { table(name: string): Map<string, Record<string, unknown>> } } };

const pages = (n: number, size: number): number => Math.max(1, Math.ceil(n / size));
const extraPages = (n: number, size: number): number => Math.ceil(n / size);

/** Live (not archived/deleted) records per HubSpot object type of each object stream, plus owners. */
export function hubspotCounts(sandbox: HubSpotSandbox): Record<string, number> {
  const portal = sandbox.hubspot.portal;
  const counts: Record<string, number> = {};
  for (const spec of objectStreams) {
    const type = findObjectType(spec.objectType);
    counts[spec.objectType] = type ? portal.store(type).all().filter((r) => !r.archived).length : 0;
  }
  counts.owners = portal.owners.list({ archived: false }).length;
  return counts;
}

/** HubSpot records (archived too) changed at or after `sinceMs`, by object type. */
export function hubspotChangedSince(sandbox: HubSpotSandbox, sinceMs: number): Record<string, number> {
  const portal = sandbox.hubspot.portal;
  const out: Record<string, number> = {};
  for (const spec of objectStreams) {
    const type = findObjectType(spec.objectType);
    out[spec.objectType] = type ? portal.store(type).all().filter((r) => r.updatedAt >= sinceMs || (r.archivedAt && r.archivedAt >= sinceMs)).length : 0;
  }
  return out;
}

/** The sandbox keeps SystemModstamp as epoch ms or as a Salesforce datetime ("…+0000"). */
function modstampMs(value: unknown): number {
  if (typeof value === 'number') return value;
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'string') return Date.parse(value.replace(/([+-]\d\d)(\d\d)$/, '$1:$2'));
  return Number.NaN;
}

/** Salesforce rows (deleted too) whose SystemModstamp is at or after `sinceMs`, by sObject. */
export function salesforceChangedSince(sandbox: SalesforceSandbox, sinceMs: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const spec of salesforceStreams) {
    out[spec.sobject] = [...sandbox.org.store.table(spec.sobject).values()].filter((r) => modstampMs(r.SystemModstamp) >= sinceMs).length;
  }
  return out;
}

/** Live rows per Salesforce sObject of each stream (the stream's filter ignored: an upper bound of at most a page). */
export function salesforceCounts(sandbox: SalesforceSandbox): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const spec of salesforceStreams) {
    counts[spec.sobject] = [...sandbox.org.store.table(spec.sobject).values()].filter((r) => !r.IsDeleted).length;
  }
  return counts;
}

export function hubspotInitialMinimum(counts: Record<string, number>): number {
  let calls = 0;
  for (const spec of objectStreams) calls += pages(counts[spec.objectType] ?? 0, spec.propertiesWithHistory?.length ? 50 : 100);
  return calls + pages(counts.owners ?? 0, 100) + 1;
}

/** `changed`: records changed since the last sync, by HubSpot object type. */
export function hubspotIncrementalMinimum(counts: Record<string, number>, changed: Record<string, number>): number {
  let calls = 0;
  for (const spec of objectStreams) {
    const n = changed[spec.objectType] ?? 0;
    calls += pages(n, 200) + 1;
    if (n > 0) calls += spec.associations.length * extraPages(n, 1000);
    if (n > 0 && spec.propertiesWithHistory?.length) calls += extraPages(n, 50);
  }
  return calls + pages(counts.owners ?? 0, 100) + 1;
}

export function hubspotWriteBackMinimum(accounts: number, tasks: number): number {
  return extraPages(accounts, 100) + extraPages(tasks, 100);
}

export function salesforceInitialMinimum(counts: Record<string, number>, options: { bulkThreshold: number; bulkPageSize: number }): number {
  let calls = 0;
  for (const spec of salesforceStreams) {
    const n = counts[spec.sobject] ?? 0;
    calls += spec.bulk && n > options.bulkThreshold ? 2 + pages(n, options.bulkPageSize) : pages(n, 2000);
  }
  return calls;
}

/** `changed`: rows changed since the last sync, by sObject. */
export function salesforceIncrementalMinimum(changed: Record<string, number>): number {
  return salesforceStreams.reduce((n, spec) => n + pages(changed[spec.sobject] ?? 0, 2000), 0);
}

export const BULK_INGEST_MINIMUM = 6;

/** sObject Collections subrequests per Composite call (its 25-subrequest cap allows 5 collection operations) */
export const COLLECTIONS_PER_COMPOSITE = 5;

export function salesforceWriteBackMinimum(accounts: number, tasks: number): number {
  const collections = extraPages(accounts, 200) + extraPages(tasks, 200);
  const allComposite = extraPages(collections, COLLECTIONS_PER_COMPOSITE);
  const bulkThenComposite = (accounts === 0 ? 0 : BULK_INGEST_MINIMUM) + extraPages(extraPages(tasks, 200), COLLECTIONS_PER_COMPOSITE);
  return Math.min(allComposite, bulkThenComposite);
}
