/**
 * Approximate row counts of several objects in one call (`GET /limits/recordCount`, REST API
 * 40.0+), read once per initial or full sync run to choose REST or Bulk 2.0 per object before
 * its first query. The counts come from a snapshot Salesforce refreshes at no fixed interval, so
 * they are a hint: the runner still switches to Bulk when a first REST page says the object is
 * large. Orgs whose API version lacks the resource (404 / NOT_FOUND) or whose integration user
 * lacks "View Setup and Configuration" give no hint; the run then probes with the first page.
 */
import type { Logger } from 'pino';
import { z } from 'zod';
import type { SalesforceClient } from './client.js';
import { SalesforceApiError } from './errors.js';

/** sObject API name → approximate live rows; null when the org gives no counts. */
export type RecordCounts = ReadonlyMap<string, number> | null;

const RecordCountResponse = z.object({
  sObjects: z.array(z.object({ name: z.string(), count: z.number().int().nonnegative() })),
});

const isUnavailable = (err: unknown): err is SalesforceApiError =>
  err instanceof SalesforceApiError && (err.status === 404 || err.code === 'NOT_FOUND' || err.code.startsWith('INSUFFICIENT_ACCESS'));

export async function readRecordCounts(client: SalesforceClient, sobjects: readonly string[], logger: Logger): Promise<RecordCounts> {
  if (sobjects.length === 0) return new Map();
  const what = 'Salesforce record counts';
  let body: unknown;
  try {
    const res = await client.call<unknown>({ method: 'GET', url: `/limits/recordCount?sObjects=${sobjects.map(encodeURIComponent).join(',')}` }, { what, idempotent: true });
    body = res.body;
  } catch (err) {
    if (!isUnavailable(err)) throw err;
    logger.info({ err: err.message }, 'Salesforce record counts unavailable (API version before 40.0, or no "View Setup and Configuration"); each object\'s first query page decides REST or Bulk 2.0');
    return null;
  }
  const parsed = RecordCountResponse.safeParse(body);
  if (!parsed.success) {
    // A malformed hint must not stop a sync: probing with the first page is always correct.
    logger.warn({ issues: parsed.error.issues.slice(0, 3) }, `${what}: unexpected answer shape; deciding REST or Bulk 2.0 from each object's first page`);
    return null;
  }
  // Salesforce ignores names it does not know; match case-insensitively on the names we asked for.
  const byLower = new Map(parsed.data.sObjects.map((o) => [o.name.toLowerCase(), o.count]));
  const counts = new Map<string, number>();
  for (const name of sobjects) {
    const count = byLower.get(name.toLowerCase());
    if (count !== undefined) counts.set(name, count);
  }
  return counts;
}
