/** HubSpot v3 webhook signatures and event parsing. */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseHubSpotEvents, verifyHubSpotSignature } from '../../src/connectors/hubspot/webhooks.js';

const secret = 'app-client-secret-123';
const now = Date.parse('2026-11-28T07:00:00.000Z');
const body = JSON.stringify([{ eventId: 1, subscriptionType: 'company.propertyChange', objectId: 5001, propertyName: 'name', occurredAt: now }]);
const url = 'https://ap.example.com/webhooks/hubspot';

// HubSpot's recipe, written out independently of the code under test
function sign(method: string, uri: string, raw: string, ts: string): string {
  return createHmac('sha256', secret).update(method + uri + raw + ts).digest('base64');
}

describe('verifyHubSpotSignature (v3)', () => {
  const ts = String(now - 1_000);
  const good = { method: 'POST', url, rawBody: body, timestamp: ts, signature: sign('POST', url, body, ts) };

  it('accepts a correctly signed, fresh request', () => {
    expect(verifyHubSpotSignature(secret, good, now)).toEqual({ ok: true });
  });
  it('rejects a changed body, a wrong secret, a missing signature', () => {
    expect(verifyHubSpotSignature(secret, { ...good, rawBody: body.replace('5001', '5002') }, now)).toMatchObject({ ok: false, reason: expect.stringContaining('signature does not match') });
    expect(verifyHubSpotSignature('other-secret', good, now)).toMatchObject({ ok: false });
    expect(verifyHubSpotSignature(secret, { ...good, signature: undefined }, now)).toEqual({ ok: false, reason: 'missing X-HubSpot-Signature-v3 header' });
  });
  it('rejects requests older than 5 minutes even when correctly signed', () => {
    const old = String(now - 5 * 60_000 - 1);
    const r = verifyHubSpotSignature(secret, { ...good, timestamp: old, signature: sign('POST', url, body, old) }, now);
    expect(r).toEqual({ ok: false, reason: 'request timestamp is 300 s old (limit 300 s): rejected as a possible replay' });
  });
  it('decodes the percent-escapes HubSpot decodes before signing', () => {
    const encoded = 'https://ap.example.com/webhooks/hubspot?portal%3A1';
    const sig = sign('POST', 'https://ap.example.com/webhooks/hubspot?portal:1', body, ts);
    expect(verifyHubSpotSignature(secret, { ...good, url: encoded, signature: sig }, now)).toEqual({ ok: true });
  });
});

describe('parseHubSpotEvents', () => {
  it('turns events into deduped targets (deletion wins), skipping what it cannot read', () => {
    const { targets, skipped } = parseHubSpotEvents([
      { eventId: 1, subscriptionType: 'company.propertyChange', objectId: 5001, propertyName: 'name' },
      { eventId: 2, subscriptionType: 'company.deletion', objectId: 5001 },
      { eventId: 3, subscriptionType: 'deal.creation', objectId: '512' },
      { eventId: 4, subscriptionType: 'object.propertyChange', objectTypeId: '0-48', objectId: 7001 },
      { eventId: 5, subscriptionType: 'form.submission', objectId: 1 },
      { eventId: 6, subscriptionType: 'deal.creation' },
    ]);
    expect(targets).toEqual([
      { objectType: 'companies', objectId: '5001', changeType: 'deletion' },
      { objectType: 'deals', objectId: '512', changeType: 'creation' },
      { objectType: 'calls', objectId: '7001', changeType: 'change' },
    ]);
    expect(skipped.map((s) => s.index)).toEqual([4, 5]);
    expect(skipped[0]!.reason).toBe('unsupported object type form');
  });
  it('a merge event deletes the merged ids and re-reads the primary (details: hubspot-merge.test.ts)', () => {
    expect(parseHubSpotEvents([{ eventId: 7, subscriptionType: 'deal.merge', objectId: 512, primaryObjectId: 512, mergedObjectIds: [513] }]).targets).toEqual([
      { objectType: 'deals', objectId: '512', changeType: 'merge' },
      { objectType: 'deals', objectId: '513', changeType: 'deletion' },
    ]);
  });
  it('a body that is not an array is reported, not thrown', () => {
    expect(parseHubSpotEvents({ objectId: 1 })).toEqual({ targets: [], skipped: [{ index: -1, reason: 'body is not a JSON array of HubSpot events' }] });
  });
});
