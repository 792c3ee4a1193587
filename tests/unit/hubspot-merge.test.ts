/**
 * HubSpot merges, the pure parts: which ids a survivor's hs_merged_object_ids names (own id left
 * out, junk skipped and counted), and which targeted re-reads and deletions a merge webhook asks for.
 */
import { describe, expect, it } from 'vitest';
import { mergedIdsOf, RawObject } from '../../src/connectors/hubspot/raw.js';
import { parseHubSpotEvents } from '../../src/connectors/hubspot/webhooks.js';

function survivor(id: string, merged: string | null | undefined) {
  const properties: Record<string, string | null> = { name: 'Survivor' };
  if (merged !== undefined) properties.hs_merged_object_ids = merged;
  return RawObject.parse({ id, properties });
}

describe('mergedIdsOf (hs_merged_object_ids)', () => {
  it('lists every merged id in order, without the record’s own id or repeats', () => {
    expect(mergedIdsOf(survivor('100', '200;100;300;200'))).toEqual({ ids: ['200', '300'], junk: 0 });
  });
  it('skips and counts parts that are not numeric ids, keeping the ids beside them', () => {
    expect(mergedIdsOf(survivor('100', ' 200 ;abc;;-5;3.5;400;'))).toEqual({ ids: ['200', '400'], junk: 3 });
  });
  it('a record with no merges (property null, empty or absent) names none', () => {
    expect(mergedIdsOf(survivor('100', null))).toEqual({ ids: [], junk: 0 });
    expect(mergedIdsOf(survivor('100', ''))).toEqual({ ids: [], junk: 0 });
    expect(mergedIdsOf(survivor('100', undefined))).toEqual({ ids: [], junk: 0 });
  });
  it('a value the SDK turned into a number still parses', () => {
    expect(mergedIdsOf(RawObject.parse({ id: 7, properties: { hs_merged_object_ids: 42 } }))).toEqual({ ids: ['42'], junk: 0 });
  });
});

describe('parseHubSpotEvents: merge events', () => {
  it('re-reads the primary and deletes each merged id (company.merge)', () => {
    const { targets, skipped } = parseHubSpotEvents([
      { eventId: 1, subscriptionType: 'company.merge', objectId: 100, primaryObjectId: 100, mergedObjectIds: [200, 300], newObjectId: 100, numberOfPropertiesMoved: 3 },
    ]);
    expect(skipped).toEqual([]);
    expect(targets).toEqual([
      { objectType: 'companies', objectId: '100', changeType: 'merge' },
      { objectType: 'companies', objectId: '200', changeType: 'deletion' },
      { objectType: 'companies', objectId: '300', changeType: 'deletion' },
    ]);
  });
  it('generic object.merge with objectTypeId; a new record named by newObjectId is re-read too', () => {
    const { targets } = parseHubSpotEvents([
      { eventId: 2, subscriptionType: 'object.merge', objectTypeId: '0-3', objectId: '512', primaryObjectId: '512', mergedObjectIds: ['513'], newObjectId: '900' },
    ]);
    expect(targets).toEqual([
      { objectType: 'deals', objectId: '512', changeType: 'merge' },
      { objectType: 'deals', objectId: '900', changeType: 'merge' },
      { objectType: 'deals', objectId: '513', changeType: 'deletion' },
    ]);
  });
  it('a merged id that an earlier event re-reads ends as a deletion; other events keep their behaviour', () => {
    const { targets } = parseHubSpotEvents([
      { eventId: 3, subscriptionType: 'contact.propertyChange', objectId: 20, propertyName: 'email' },
      { eventId: 4, subscriptionType: 'contact.merge', objectId: 10, primaryObjectId: 10, mergedObjectIds: [20] },
      { eventId: 5, subscriptionType: 'contact.creation', objectId: 30 },
    ]);
    expect(targets).toEqual([
      { objectType: 'contacts', objectId: '20', changeType: 'deletion' },
      { objectType: 'contacts', objectId: '10', changeType: 'merge' },
      { objectType: 'contacts', objectId: '30', changeType: 'creation' },
    ]);
  });
  it('a merge event without primaryObjectId re-reads objectId; a non-numeric merged id skips the event', () => {
    expect(parseHubSpotEvents([{ subscriptionType: 'ticket.merge', objectId: 5, mergedObjectIds: [6] }]).targets).toEqual([
      { objectType: 'tickets', objectId: '5', changeType: 'merge' },
      { objectType: 'tickets', objectId: '6', changeType: 'deletion' },
    ]);
    const bad = parseHubSpotEvents([{ subscriptionType: 'ticket.merge', objectId: 5, mergedObjectIds: ['x6'] }]);
    expect(bad.targets).toEqual([]);
    expect(bad.skipped).toEqual([{ index: 0, reason: expect.stringContaining('mergedObjectIds.0') }]);
  });
});
