/**
 * Malformed CRM records, as a page of a list/batch read would bring them: arbitrary JSON where a
 * record is expected, and valid records with arbitrary values in arbitrary fields. Fed to the
 * HubSpot stream runner (companies, through `runIds` on a fake gateway) and the Salesforce one
 * (accounts, through `storePage`): nothing throws; every record is either stored whole (it maps,
 * and the stored account is exactly what the mapper makes of it) or quarantined with a reason and
 * not stored at all; the counts add up.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import type { HubSpotGateway } from '../../src/connectors/hubspot/gateway.js';
import type { MetadataCache } from '../../src/connectors/hubspot/metadata.js';
import { RawObject } from '../../src/connectors/hubspot/raw.js';
import { StreamRunner as HubSpotRunner } from '../../src/connectors/hubspot/runner.js';
import { companiesStream } from '../../src/connectors/hubspot/streams/companies.js';
import { StreamRunner as SalesforceRunner } from '../../src/connectors/salesforce/runner.js';
import { AccountRow, accountsStream, mapAccount } from '../../src/connectors/salesforce/streams/accounts.js';
import { createLogger } from '../../src/logger.js';
import { Store } from '../../src/store/index.js';

const config = loadConfig({ environ: {} }).config;
const logger = createLogger({ level: 'silent' });
const hubspotBase = (JSON.parse(readFileSync(new URL('../fixtures/hubspot/companies-page-1.json', import.meta.url), 'utf8')) as { results: Record<string, unknown>[] }).results[0] as Record<string, unknown>;
const salesforceBase = (JSON.parse(readFileSync(new URL('../fixtures/salesforce/accounts-page1.json', import.meta.url), 'utf8')) as { records: Record<string, unknown>[] }).records[0] as Record<string, unknown>;

let redis: Redis;
let store: Store;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

beforeAll(() => {
  redis = new Redis(process.env.REDIS_URL as string, { maxRetriesPerRequest: 1 });
  process.on('unhandledRejection', onUnhandled);
});
afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  redis.disconnect();
});
beforeEach(() => {
  store = new Store(redis, { prefix: `prop-${randomUUID().slice(0, 8)}` });
});
afterEach(async () => {
  await store.wipe();
  expect(unhandled).toEqual([]);
});

/** A valid record with some of its fields (or nested properties) replaced by arbitrary JSON. */
function mutated(base: Record<string, unknown>, nested: string | null): fc.Arbitrary<Record<string, unknown>> {
  const target = nested ? (base[nested] as Record<string, unknown>) : base;
  const keys = Object.keys(target);
  return fc.dictionary(fc.constantFrom(...keys, 'extra_field'), fc.jsonValue(), { maxKeys: 3 }).map((changes) => {
    const copy = structuredClone(base);
    if (nested) copy[nested] = { ...(copy[nested] as Record<string, unknown>), ...changes };
    else Object.assign(copy, changes);
    return copy;
  });
}

/** A page: mutated records and arbitrary JSON, each object given a distinct id so each can be traced. */
function page(base: Record<string, unknown>, nested: string | null, idKey: string, idOf: (i: number) => string, options: { nonObjects: boolean }): fc.Arbitrary<unknown[]> {
  const anyJson = options.nonObjects ? fc.jsonValue() : fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue(), { maxKeys: 6 });
  return fc.array(fc.oneof({ arbitrary: mutated(base, nested), weight: 3 }, { arbitrary: anyJson, weight: 1 }, { arbitrary: fc.constant(structuredClone(base)), weight: 1 }), { minLength: 1, maxLength: 12 }).map((items) =>
    items.map((item, i) => (item && typeof item === 'object' && !Array.isArray(item) ? { ...item, [idKey]: idOf(i) } : item)),
  );
}

/** Over all runs of a property: both outcomes must have happened, or the property proved nothing. */
const seen = { stored: 0, quarantined: 0 };

async function quarantined(): Promise<{ externalId: string | null; reason: string }[]> {
  return store.quarantine.list(0, 1000);
}

async function hubspotProperty(nonObjects: boolean): Promise<void> {
  await fc.assert(
    fc.asyncProperty(page(hubspotBase, 'properties', 'id', (i) => String(7000 + i), { nonObjects }), async (items) => {
      await store.wipe();
      const gateway = { call: async () => ({ results: items }) } as unknown as HubSpotGateway;
      const runner = new HubSpotRunner({ gateway, metadata: {} as MetadataCache, config, logger });
      const ids = items.filter((x): x is { id: string } => !!x && typeof x === 'object' && !Array.isArray(x)).map((x) => x.id);
      // one batch read is made whatever ids are asked for; the fake answers it with the page
      const result = await runner.runIds(companiesStream, ids.length ? ids : ['7999'], { store, logger });
      expect(result.complete).toBe(true);
      const q = await quarantined();
      expect(q.every((r) => r.reason.length > 10)).toBe(true);
      expect(result.quarantined).toBe(q.length);
      const stored = await store.records.allIds('account');
      seen.stored += stored.length;
      seen.quarantined += q.length;
      // each item is in exactly one place
      expect(stored.length + q.length).toBe(items.length);
      const quarantinedIds = new Set(q.map((r) => r.externalId));
      for (const id of ids) expect(quarantinedIds.has(id) !== stored.includes(`hubspot:${id}`), `company ${id}`).toBe(true);
      // what is stored is exactly the mapping of the record as received
      for (const id of stored) {
        const item = items.find((x) => (x as { id?: string })?.id === id.slice('hubspot:'.length));
        const mapped = companiesStream.map(RawObject.parse(item), { config, dealStages: new Map(), ownerIdByUserId: new Map() }).find((m) => m.kind === 'account');
        // (through JSON, as stored: -0 is 0)
        expect(await store.records.get('account', id), `company ${id}`).toEqual(JSON.parse(JSON.stringify(mapped?.record)));
      }
    }),
    { numRuns: 60 },
    );
}

async function salesforceProperty(nonObjects: boolean): Promise<void> {
  const runner = new SalesforceRunner({ client: {} as never, reader: {} as never, config, logger, runCache: new Map(), droppedFields: new Map(), countedObjects: [] });
  await fc.assert(
    fc.asyncProperty(page(salesforceBase, null, 'Id', (i) => `001RO00000B${String(i).padStart(4, '0')}AAA`, { nonObjects }), async (items) => {
      await store.wipe();
      const outcome = await runner.storePage(accountsStream, items as Record<string, unknown>[], { store, logger });
      const q = await quarantined();
      expect(q.every((r) => r.reason.length > 10)).toBe(true);
      expect(outcome.quarantined).toBe(q.length);
      const stored = await store.records.allIds('account');
      seen.stored += stored.length;
      seen.quarantined += q.length;
      expect(stored.length + q.length).toBe(items.length);
      const quarantinedIds = new Set(q.map((r) => r.externalId));
      for (const item of items) {
        if (!item || typeof item !== 'object' || Array.isArray(item)) continue;
        const id = (item as { Id: string }).Id;
        expect(quarantinedIds.has(id) !== stored.includes(`salesforce:${id}`), `account ${id}`).toBe(true);
        // what is stored is exactly the mapping of the row as received
        if (stored.includes(`salesforce:${id}`)) expect(await store.records.get('account', `salesforce:${id}`), `account ${id}`).toEqual(JSON.parse(JSON.stringify(mapAccount(AccountRow.parse(item), config))));
      }
    }),
    { numRuns: 60 },
    );
}

describe('HubSpot companies: malformed records are quarantined, never half-stored', () => {
  it('every record (objects of any shape) is stored whole or quarantined with a reason', async () => {
    Object.assign(seen, { stored: 0, quarantined: 0 });
    await hubspotProperty(false);
    expect(seen.stored).toBeGreaterThan(30);
    expect(seen.quarantined).toBeGreaterThan(30);
  });
  it('non-object items (null, numbers, strings, arrays) are quarantined too', () => hubspotProperty(true));
});

describe('Salesforce accounts: malformed rows are quarantined, never half-stored', () => {
  it('every row (objects of any shape) is stored whole or quarantined with a reason', async () => {
    Object.assign(seen, { stored: 0, quarantined: 0 });
    await salesforceProperty(false);
    expect(seen.stored).toBeGreaterThan(30);
    expect(seen.quarantined).toBeGreaterThan(30);
  });
  it('non-object rows (null, numbers, strings, arrays) are quarantined too', () => salesforceProperty(true));
});
