/**
 * HubSpot connector benchmark: an initial sync of a seeded sandbox portal and a write-back of
 * 1,000 changed companies, with API calls read from the sandbox's call accounting and compared to
 * the minimum of crm-apis.md §5 (list pages of 100, 50 with property history; batch updates of
 * 100). Prints figures, never passes or fails; writes them to bench/results/hubspot-connector.json.
 *
 *   tsx scripts/with-redis.ts -- tsx bench/hubspot-connector.ts [--accounts N]
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { ConfigSchema } from '../src/config/schema.js';
import { EnvSchema } from '../src/config/env.js';
import { HubSpotConnector } from '../src/connectors/hubspot/connector.js';
import { objectStreams, streamNames } from '../src/connectors/hubspot/streams/index.js';
import { findObjectType } from '../src/sandbox/hubspot/objectTypes.js';
import { startHubSpotSandbox } from '../src/sandbox/hubspot/server.js';
import { generateSeedOrg } from '../src/sandbox/seed/generate.js';
import { Store } from '../src/store/index.js';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const accounts = arg('accounts', 1_000);
const WRITE_BACK = 1_000;

if (!process.env.REDIS_URL) {
  console.error('REDIS_URL is not set: run through `tsx scripts/with-redis.ts -- tsx bench/hubspot-connector.ts`');
  process.exit(2);
}

const seed = generateSeedOrg({ seed: 42, accounts });
const sb = await startHubSpotSandbox({ seed, port: 0 });
const redis = new Redis(process.env.REDIS_URL);
const store = new Store(redis, { prefix: `bench-hs-${randomUUID().slice(0, 8)}` });
const logger = pino({ level: 'warn' });
const config = ConfigSchema.parse({ hubspot: { renewalDateField: 'renewal_date', usageField: 'product_usage_index' } });
const env = EnvSchema.parse({ HUBSPOT_BASE_URL: sb.url, HUBSPOT_ACCESS_TOKEN: sb.token, ACCOUNTPULSE_PREFIX: store.keys.prefix });
const connector = new HubSpotConnector({ env, config, redis, logger, portalKey: store.keys.prefix });
const portal = sb.hubspot.portal;
const live = (type: string) => portal.store(findObjectType(type)!).all().filter((r) => !r.archived).length;

try {
  // ---- initial sync ----
  sb.hubspot.stats.reset();
  let started = performance.now();
  const results = [];
  for (const stream of streamNames) results.push(await connector.syncStream(stream, { store, logger }));
  const syncMs = Math.round(performance.now() - started);
  const syncStats = sb.stats.snapshot();
  const records: Record<string, number> = {};
  const listMinimum: Record<string, number> = {};
  for (const spec of objectStreams) {
    records[spec.objectType] = live(spec.objectType);
    listMinimum[spec.objectType] = Math.max(1, Math.ceil(records[spec.objectType]! / (spec.propertiesWithHistory?.length ? 50 : 100)));
  }
  const owners = portal.owners.list({ archived: false }).length;
  listMinimum.owners = Math.max(1, Math.ceil(owners / 100));
  const listOnly = Object.values(listMinimum).reduce((a, b) => a + b, 0);
  // deal pipelines (stage probabilities) are read once per run: part of the minimum (§4.5)
  const syncMinimum = listOnly + 1;
  const syncRead = results.reduce((n, r) => n + r.read, 0);

  // ---- write-back of 1,000 changed companies ----
  const companies = findObjectType('companies')!;
  for (let i = live('companies'); i < WRITE_BACK; i++) portal.createRecord(companies, { name: `Bench extra ${i}` });
  await connector.provision({ dryRun: false });
  const ids = portal.store(companies).all().filter((r) => !r.archived).slice(0, WRITE_BACK).map((r) => r.id);
  sb.hubspot.stats.reset();
  started = performance.now();
  const written = await connector.writeFields(ids.map((id, i) => ({ externalId: id, fields: { churnRiskScore: (i * 7) % 100, churnRiskBand: i % 3 ? 'green' : 'red', churnRiskTrend: 'up', lastScoredAt: new Date().toISOString() } })));
  const writeMs = Math.round(performance.now() - started);
  const writeStats = sb.stats.snapshot();
  const writeMinimum = Math.ceil(WRITE_BACK / 100);

  const report = {
    at: new Date().toISOString(),
    accounts,
    initialSync: {
      records: { ...records, owners },
      recordsRead: syncRead,
      quarantined: results.reduce((n, r) => n + r.quarantined, 0),
      calls: syncStats.calls.total,
      callsByRoute: syncStats.calls.byRoute,
      minimum: syncMinimum,
      minimumListPagesOnly: listOnly,
      ratio: Number((syncStats.calls.total / syncMinimum).toFixed(4)),
      rateLimited: syncStats.rateLimited,
      errors: syncStats.errors,
      wallMs: syncMs,
      msPerCall: Number((syncMs / syncStats.calls.total).toFixed(1)),
    },
    writeBack: {
      companies: WRITE_BACK,
      ok: written.filter((r) => r.ok).length,
      calls: writeStats.calls.total,
      callsByRoute: writeStats.calls.byRoute,
      minimum: writeMinimum,
      ratio: Number((writeStats.calls.total / writeMinimum).toFixed(4)),
      rateLimited: writeStats.rateLimited,
      wallMs: writeMs,
    },
  };

  console.log(`HubSpot connector benchmark, ${accounts} seeded accounts`);
  console.log(`\ninitial sync: ${syncRead} records in ${syncMs} ms (${report.initialSync.msPerCall} ms per call)`);
  for (const [route, n] of Object.entries(syncStats.calls.byRoute)) console.log(`  ${String(n).padStart(6)}  ${route}`);
  console.log(`  calls ${syncStats.calls.total}, minimum ${syncMinimum} (list pages ${listOnly} + 1 pipelines read), ratio ${report.initialSync.ratio}, 429s ${syncStats.rateLimited}, errors ${syncStats.errors}`);
  console.log(`\nwrite-back: ${report.writeBack.ok}/${WRITE_BACK} companies in ${writeMs} ms`);
  for (const [route, n] of Object.entries(writeStats.calls.byRoute)) console.log(`  ${String(n).padStart(6)}  ${route}`);
  console.log(`  calls ${writeStats.calls.total}, minimum ${writeMinimum}, ratio ${report.writeBack.ratio}, 429s ${writeStats.rateLimited}`);

  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  writeFileSync(new URL('./results/hubspot-connector.json', import.meta.url), `${JSON.stringify(report, null, 2)}\n`);
  console.log('\nwritten to bench/results/hubspot-connector.json');
} finally {
  await store.wipe();
  await store.close();
  redis.disconnect();
  await sb.close();
}
