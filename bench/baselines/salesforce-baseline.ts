/**
 * The obvious alternative on Salesforce, written the way the jsforce README shows: one
 * `conn.query(soql, { autoFetch: true, maxFetch: 1e6 })` per object (the same SOQL select lists and
 * filters AccountPulse reads), then `conn.sobject('Account').update(record)` once per account for
 * the fields given. A script has no checkpoints, so every run (initial or incremental) reads
 * everything. Salesforce has no per-second limit; the loop is the README's, one call at a time.
 * Tasks are not created: the baseline's call count is a floor.
 */
import jsforce from 'jsforce';
import { ConfigSchema } from '../../src/config/schema.js';
import { salesforceStreams } from '../../src/connectors/salesforce/streams/index.js';
import type { BaselineResult } from './hubspot-baseline.js';

export interface SalesforceBaselineOptions {
  url: string;
  token: string;
  /** Account Id → fields to write */
  updates: Map<string, Record<string, unknown>>;
}

export async function runSalesforceBaseline(options: SalesforceBaselineOptions): Promise<BaselineResult> {
  const conn = new jsforce.Connection({ instanceUrl: options.url, accessToken: options.token, version: '62.0' });
  const config = ConfigSchema.parse({});
  let recordsRead = 0;
  const started = performance.now();
  for (const spec of salesforceStreams) {
    const soql = `SELECT ${spec.fields(config).join(', ')} FROM ${spec.sobject}${spec.filter ? ` WHERE ${spec.filter}` : ''}`;
    const result = await conn.query(soql, { autoFetch: true, maxFetch: 1e6 });
    recordsRead += result.records.length;
  }
  let updated = 0;
  for (const [Id, fields] of options.updates) {
    await conn.sobject('Account').update({ Id, ...fields });
    updated += 1;
  }
  return { recordsRead, recordsUpdated: updated, wallMs: Math.round(performance.now() - started) };
}
