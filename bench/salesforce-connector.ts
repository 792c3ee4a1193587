/**
 * Salesforce connector calls against the minimum (crm-apis.md section 5), on a seeded sandbox:
 *  1. initial sync of every stream: REST ⌈N/2000⌉ per object (at least one call), or Bulk 2.0
 *     1 create + 1 poll + ⌈N/maxRecords⌉ above sync.bulkThreshold. Section 5 does not list the
 *     run's one `GET /limits/recordCount` (how the connector picks REST or Bulk without a wasted
 *     first page): it is reported beside the minimum ("minimum + 1 for the record counts"), and
 *     the ratio is given both against the minimum and against minimum + 1;
 *  2. write-back of 1,000 changed accounts: sObject Collections ⌈N/200⌉.
 * Prints calls by route, the minimum, the ratio and wall time; writes bench/results/salesforce-connector.json.
 * Prints figures only, never pass/fail.
 *
 *   tsx scripts/with-redis.ts -- tsx bench/salesforce-connector.ts [--accounts N] [--bulk-threshold N]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { EnvSchema } from '../src/config/env.js';
import { ConfigSchema } from '../src/config/schema.js';
import { SalesforceConnector } from '../src/connectors/salesforce/connector.js';
import { salesforceStreams } from '../src/connectors/salesforce/streams/index.js';
import { startSalesforceSandbox } from '../src/sandbox/salesforce/server.js';
import { generateSeedOrg } from '../src/sandbox/seed/generate.js';
import { Store } from '../src/store/index.js';

for (const k of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy']) delete process.env[k];

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} must be a positive number`);
  return v;
}

// 2,000 seeded accounts put ~1,000 in Salesforce (the rest are HubSpot's): enough for the write-back figure.
const accounts = arg('accounts', 2000);
const bulkThreshold = arg('bulk-threshold', 10_000);
const bulkPageSize = 50_000;
const WRITES = 1000;

const redisUrl = process.env.REDIS_URL;
if (!redisUrl) throw new Error('REDIS_URL is not set; run through scripts/with-redis.ts');

const t0 = performance.now();
const seed = generateSeedOrg({ seed: 42, accounts, asOf: '2026-11-20' });
const sandbox = await startSalesforceSandbox({ seed, bulkProcessingMs: 100 });
const redis = new Redis(redisUrl);
const prefix = `bench-sf-${Date.now()}`;
const store = new Store(redis, { prefix });
const logger = pino({ level: 'warn' });
const env = EnvSchema.parse({ SALESFORCE_INSTANCE_URL: sandbox.url, SALESFORCE_ACCESS_TOKEN: sandbox.token, ACCOUNTPULSE_PREFIX: prefix });
const config = ConfigSchema.parse({ salesforce: { renewalDateField: 'Renewal_Date__c', usageField: 'Usage_Index__c' }, sync: { bulkThreshold } });
const connector = new SalesforceConnector({ env, config, redis, logger, bulkPageSize });
const setupMs = performance.now() - t0;

const live = (type: string) => [...sandbox.org.store.table(type).values()].filter((r) => !r.IsDeleted).length;

function minimumFor(rows: number): { mode: 'rest' | 'bulk'; calls: number } {
  if (rows > bulkThreshold) return { mode: 'bulk', calls: 1 + 1 + Math.ceil(rows / bulkPageSize) };
  return { mode: 'rest', calls: Math.max(1, Math.ceil(rows / 2000)) };
}

try {
  // 1. initial sync
  sandbox.stats.reset();
  const syncStart = performance.now();
  const streams = [];
  for (const spec of salesforceStreams) {
    const started = performance.now();
    const r = await connector.syncStream(spec.name, { store, logger, runId: 'bench' });
    const rows = live(spec.sobject);
    streams.push({ stream: spec.name, sobject: spec.sobject, rows, read: r.read, calls: r.calls, minimum: minimumFor(rows), wallMs: Math.round(performance.now() - started), complete: r.complete, quarantined: r.quarantined });
  }
  const syncMs = performance.now() - syncStart;
  const syncStats = sandbox.stats.snapshot();
  const syncMinimum = streams.reduce((n, s) => n + s.minimum.calls, 0);
  const recordCountCalls = syncStats.calls.byRoute['GET /services/data/vXX/limits/recordCount'] ?? 0;

  // 2. write-back of 1,000 changed accounts (fields provisioned first, not counted)
  await connector.provision({ dryRun: false });
  const ids = [...sandbox.org.store.table('Account').values()].filter((r) => !r.IsDeleted).slice(0, WRITES).map((r) => r.Id as string);
  sandbox.stats.reset();
  const writeStart = performance.now();
  const results = await connector.writeFields(ids.map((id, i) => ({ externalId: id, fields: { churnRiskScore: (i * 7) % 100, churnRiskBand: i % 3 ? 'amber' : 'red', churnRiskTrend: 'up', lastScoredAt: new Date().toISOString() } })));
  const writeMs = performance.now() - writeStart;
  const writeStats = sandbox.stats.snapshot();
  const writeMinimum = Math.ceil(ids.length / 200);

  const report = {
    at: new Date().toISOString(),
    accountsSeeded: accounts,
    salesforceAccounts: live('Account'),
    bulkThreshold,
    bulkPageSize,
    setupMs: Math.round(setupMs),
    initialSync: {
      calls: syncStats.calls.total,
      minimum: syncMinimum,
      ratio: Number((syncStats.calls.total / syncMinimum).toFixed(3)),
      recordCountCalls,
      ratioWithRecordCounts: Number((syncStats.calls.total / (syncMinimum + 1)).toFixed(3)),
      note: 'minimum = crm-apis.md section 5 (REST ⌈n/2000⌉ per object, at least 1; Bulk 2.0 1 create + 1 poll + ⌈n/maxRecords⌉ pages above bulkThreshold); the one GET /limits/recordCount per run is not in section 5: ratioWithRecordCounts is against minimum + 1',
      wallMs: Math.round(syncMs),
      recordsRead: syncStats.records.read,
      byRoute: syncStats.calls.byRoute,
      streams,
    },
    writeBack: {
      records: ids.length,
      ok: results.filter((r) => r.ok).length,
      calls: writeStats.calls.total,
      minimum: writeMinimum,
      ratio: Number((writeStats.calls.total / writeMinimum).toFixed(3)),
      wallMs: Math.round(writeMs),
      byRoute: writeStats.calls.byRoute,
      note: 'minimum = sObject Collections, 200 per call (crm-apis.md section 5); Composite with 5 collection subrequests would need ⌈N/1000⌉',
    },
  };

  const line = (label: string, v: { calls: number; minimum: number; ratio: number; wallMs: number }) =>
    `${label.padEnd(28)} calls ${String(v.calls).padStart(5)}   minimum ${String(v.minimum).padStart(5)}   ratio ${v.ratio.toFixed(3)}   wall ${(v.wallMs / 1000).toFixed(2)} s`;
  console.log(`Salesforce connector, seeded org: ${accounts} accounts (${report.salesforceAccounts} in Salesforce), bulkThreshold ${bulkThreshold}`);
  console.log(line('initial sync', report.initialSync));
  console.log(`  ${recordCountCalls} record-count call(s) included; against minimum + 1 for the record counts (${syncMinimum + 1}): ratio ${report.initialSync.ratioWithRecordCounts.toFixed(3)}`);
  for (const s of streams) console.log(`  ${s.stream.padEnd(12)} ${String(s.rows).padStart(7)} rows  ${String(s.calls).padStart(4)} calls  (minimum ${s.minimum.calls}, ${s.minimum.mode})  ${(s.wallMs / 1000).toFixed(2)} s${s.complete ? '' : '  INCOMPLETE'}`);
  for (const [route, n] of Object.entries(syncStats.calls.byRoute)) console.log(`  ${route}: ${n}`);
  console.log(line(`write-back of ${ids.length} accounts`, report.writeBack));
  for (const [route, n] of Object.entries(writeStats.calls.byRoute)) console.log(`  ${route}: ${n}`);

  const out = join(dirname(fileURLToPath(import.meta.url)), 'results', 'salesforce-connector.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`written ${out}`);
} finally {
  await store.wipe();
  await store.close();
  redis.disconnect();
  await sandbox.close();
}
