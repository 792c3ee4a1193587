/**
 * SOQL over REST: `/query`, `/queryAll` and their locators. A query runs once; its matching
 * rows stay in a cursor and pages are rendered on demand, `batchSize` rows at a time
 * (`Sforce-Query-Options: batchSize=N`, 200..2000). Locators are "01g…-<offset>" and, as on
 * Salesforce, `nextRecordsUrl` always says `/query/` even for queryAll.
 */
import { SfApiError } from '../errors.js';
import { keyPrefixes } from '../ids.js';
import type { SalesforceOrg } from '../org.js';
import { json, type ApiRequest, type ApiRouter } from '../router.js';
import { runSoql, type QueryOutcome } from '../soql/evaluator.js';

interface Cursor {
  id: string;
  outcome: QueryOutcome;
  batchSize: number;
}

/**
 * Open query cursors, oldest dropped first past the cap (Salesforce also keeps a bounded number
 * per user); each holds its matching row numbers (one number a row, not a record), so the cap
 * bounds memory.
 */
export class QueryCursors {
  private cursors = new Map<string, Cursor>();
  private counter = 0;

  constructor(private readonly max = 200) {}

  open(outcome: QueryOutcome, batchSize: number): Cursor {
    this.counter += 1;
    const id = `${keyPrefixes.QueryLocator}5g${this.counter.toString(36).toUpperCase().padStart(10, '0')}AAA`;
    const cursor = { id, outcome, batchSize };
    this.cursors.set(id, cursor);
    if (this.cursors.size > this.max) this.cursors.delete(this.cursors.keys().next().value!);
    return cursor;
  }

  get(id: string): Cursor | undefined {
    return this.cursors.get(id);
  }

  close(id: string): void {
    this.cursors.delete(id);
  }
}

function batchSizeOf(req: ApiRequest, fallback: number): number {
  const header = req.headers['sforce-query-options'];
  const m = header ? /batchSize\s*=\s*(\d+)/i.exec(header) : null;
  if (!m) return fallback;
  // Salesforce clamps out-of-range values rather than failing the call.
  return Math.min(2000, Math.max(200, Number(m[1])));
}

export function registerQueryRoutes(router: ApiRouter, org: SalesforceOrg, cursors: QueryCursors): void {
  const page = (req: ApiRequest, cursor: Cursor, offset: number) => {
    const { outcome } = cursor;
    if (outcome.aggregate) {
      const rows = outcome.rows as Record<string, unknown>[];
      org.stats.recordsRead(rows.length);
      cursors.close(cursor.id);
      return json(200, { totalSize: outcome.totalSize, done: true, records: rows });
    }
    const rows = outcome.rows as number[];
    const end = Math.min(rows.length, offset + cursor.batchSize);
    const records = [];
    for (let i = offset; i < end; i++) records.push(outcome.project(rows[i]!, req.version));
    org.stats.recordsRead(records.length);
    const done = end >= rows.length;
    if (done) cursors.close(cursor.id);
    return json(200, {
      totalSize: outcome.totalSize,
      done,
      ...(done ? {} : { nextRecordsUrl: `/services/data/v${req.version}/query/${cursor.id}-${end}` }),
      records,
    });
  };

  const start = (includeDeleted: boolean) => (req: ApiRequest) => {
    const q = req.query.get('q');
    if (!q || !q.trim()) throw new SfApiError(400, 'MALFORMED_QUERY', 'A query string has to be specified');
    const outcome = runSoql(q, { store: org.store, includeDeleted, now: org.now() });
    const cursor = cursors.open(outcome, batchSizeOf(req, org.defaultBatchSize));
    return page(req, cursor, 0);
  };

  const more = (req: ApiRequest, p: Record<string, string>) => {
    const locator = p.locator!;
    const dash = locator.lastIndexOf('-');
    const cursor = dash > 0 ? cursors.get(locator.slice(0, dash)) : undefined;
    const offset = Number(locator.slice(dash + 1));
    if (!cursor || !Number.isInteger(offset) || offset < 0) {
      throw new SfApiError(400, 'INVALID_QUERY_LOCATOR', `invalid query locator: ${locator} (it expired, was already read to the end, or was never issued); run the query again`);
    }
    if (req.headers['sforce-query-options']) cursor.batchSize = batchSizeOf(req, cursor.batchSize);
    return page(req, cursor, offset);
  };

  router.add('GET', '/query', start(false));
  router.add('GET', '/queryAll', start(true));
  router.add('GET', '/query/:locator', more);
  router.add('GET', '/queryAll/:locator', more);
}
