/**
 * Streamed seed loading: `streamSeedOrg` yields exactly one CRM's part of the org, in chunks of whole
 * accounts, with the whole org's totals and the quotas once consumed; a portal loaded from the stream
 * holds the same records (values, timestamps, history, links, by seed key) as one loaded from the
 * part in one go, though ids are allocated in another order.
 */
import { describe, expect, it } from 'vitest';
import { objectTypes } from '../../src/sandbox/hubspot/objectTypes.js';
import { HubSpotPortal } from '../../src/sandbox/hubspot/portal.js';
import { loadSeed, loadSeedStream } from '../../src/sandbox/hubspot/seed.js';
import { generateSeedOrg, generateSeedOrgFor, generateSeedOrgsByCrm, streamSeedOrg } from '../../src/sandbox/seed/generate.js';

const OPTIONS = { seed: 5, accounts: 120, asOf: '2026-11-28' };
const isHubSpot = (a: { crm: string }): boolean => a.crm !== 'salesforce';

describe('streamSeedOrg', () => {
  it('yields the HubSpot part in chunks of whole accounts, then the quotas, with the whole org totals', () => {
    const { hubspot } = generateSeedOrgsByCrm(OPTIONS);
    const stream = streamSeedOrg(OPTIONS, isHubSpot, 25);
    expect(stream.head.quotas).toEqual([]);
    const chunks = [...stream.chunks];
    expect(chunks.map((c) => c.accounts.length)).toEqual(chunkSizes(hubspot.accounts.length, 25));
    for (const chunk of chunks) {
      const keys = new Set(chunk.accounts.map((a) => a.key));
      for (const rows of [chunk.contacts, chunk.deals, chunk.activities, chunk.tickets]) expect(rows.every((r) => keys.has(r.accountKey))).toBe(true);
    }
    expect(chunks.flatMap((c) => c.accounts)).toEqual(hubspot.accounts);
    expect(chunks.flatMap((c) => c.contacts)).toEqual(hubspot.contacts);
    expect(chunks.flatMap((c) => c.deals)).toEqual(hubspot.deals);
    expect(chunks.flatMap((c) => c.activities)).toEqual(hubspot.activities);
    expect(chunks.flatMap((c) => c.tickets)).toEqual(hubspot.tickets);
    const { accounts, contacts, deals, activities, tickets, ...rest } = hubspot;
    const { accounts: a2, contacts: c2, deals: d2, activities: x2, tickets: t2, ...head } = stream.head;
    expect([a2, c2, d2, x2, t2]).toEqual([[], [], [], [], []]);
    expect(head).toEqual(rest);

    const whole = generateSeedOrg(OPTIONS);
    expect(stream.totals).toEqual({
      accounts: 120,
      inHubSpot: whole.accounts.filter(isHubSpot).length,
      inSalesforce: whole.accounts.filter((a) => a.crm !== 'hubspot').length,
      contacts: whole.contacts.length,
      deals: whole.deals.length,
      lineItems: whole.deals.reduce((n, d) => n + d.lineItems.length, 0),
      activities: whole.activities.length,
      tickets: whole.tickets.length,
    });
    expect([accounts.length, contacts.length, deals.length, activities.length, tickets.length].every((n) => n > 0)).toBe(true);
    expect(stream.generationMs).toBeGreaterThan(0);
  });

  it('generateSeedOrgFor gives the same part as generateSeedOrgsByCrm', () => {
    expect(generateSeedOrgFor('salesforce', OPTIONS)).toEqual(generateSeedOrgsByCrm(OPTIONS).salesforce);
  });
});

describe('loadSeedStream', () => {
  it('loads the same records as loadSeed of the whole part', () => {
    const whole = new HubSpotPortal({ now: () => new Date('2026-11-28T00:00:00Z') });
    const wholeCounts = loadSeed(whole, generateSeedOrgsByCrm(OPTIONS).hubspot).counts;
    const streamed = new HubSpotPortal({ now: () => new Date('2026-11-28T00:00:00Z') });
    const streamedCounts = loadSeedStream(streamed, streamSeedOrg(OPTIONS, isHubSpot, 7)).counts;
    expect(streamedCounts).toEqual(wholeCounts);
    expect(streamed.seedIds.size).toBe(whole.seedIds.size);
    const a = bySeedKey(whole);
    const b = bySeedKey(streamed);
    expect(a.size).toBeGreaterThan(1000);
    expect(b.size).toBe(a.size);
    for (const [key, record] of a) expect(b.get(key), key).toEqual(record);
    const goals = (p: HubSpotPortal) => p.store(objectTypes.find((t) => t.name === 'goal_targets')!).all().map((r) => r.props);
    expect(goals(streamed)).toEqual(goals(whole));
  });
});

function chunkSizes(total: number, size: number): number[] {
  const sizes: number[] = [];
  for (let left = total; left > 0; left -= size) sizes.push(Math.min(size, left));
  return sizes;
}

/** Every seeded record by seed key, with its links as seed keys (ids differ between load orders). */
function bySeedKey(portal: HubSpotPortal): Map<string, unknown> {
  const keyOf = new Map<string, string>();
  for (const [key, id] of portal.seedIds) keyOf.set(id, key);
  const out = new Map<string, unknown>();
  for (const type of objectTypes) {
    for (const r of portal.store(type).all()) {
      const key = keyOf.get(r.id);
      if (key === undefined) continue;
      const props = r.props;
      const links = Object.fromEntries(
        objectTypes.map((to): [string, string[]] => [to.name, portal.associations.targets(type.name, r.id, to.name).map((id) => keyOf.get(id) ?? id)]).filter(([, ids]) => ids.length > 0),
      );
      const history = Object.fromEntries(Object.keys(props).map((name) => [name, r.historyOf(name)]));
      const ownIds = ['associatedcompanyid', 'hs_product_id'].filter((name) => props[name] !== undefined);
      for (const name of ownIds) props[name] = keyOf.get(props[name]!) ?? props[name]!;
      out.set(key, { type: type.name, props, history, links, createdAt: r.createdAt, updatedAt: r.updatedAt, archived: r.archived });
    }
  }
  return out;
}
