/**
 * Inbound HubSpot webhooks: v3 signature check and event parsing. The HTTP layer passes the raw
 * body, method, the full URL HubSpot called and the two headers; accepted events become
 * `{ objectType, objectId, changeType }` targets it turns into targeted `syncRecords` calls.
 * A merge event (`<object>.merge` / `object.merge`) becomes a deletion target per id of
 * `mergedObjectIds` (a targeted re-read finds them gone and deletes them, as for a deletion event)
 * and a 'merge' re-read of `primaryObjectId` (and of `newObjectId` when HubSpot says the merge
 * created a new record: a re-read primary that is gone is deleted the same way).
 *
 * v3 signature: base64 HMAC-SHA256, keyed by the app's client secret, over
 * method + URI + body + timestamp (X-HubSpot-Signature-v3, X-HubSpot-Request-Timestamp);
 * requests older than 5 minutes are rejected; the comparison is timing-safe.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

export const MAX_WEBHOOK_AGE_MS = 5 * 60_000;

export interface WebhookRequest {
  method: string;
  /** the full URL HubSpot sent to, e.g. https://ap.example.com/webhooks/hubspot?x=1 */
  url: string;
  /** the raw body exactly as received (not re-serialized JSON) */
  rawBody: string;
  signature: string | undefined;
  timestamp: string | undefined;
}

export type VerifyResult = { ok: true } | { ok: false; reason: string };

// HubSpot decodes these percent-escapes before signing (their v3 validation guide).
const decodedInUri: [string, string][] = [
  ['%3A', ':'], ['%2F', '/'], ['%3F', '?'], ['%40', '@'], ['%21', '!'], ['%24', '$'], ['%27', "'"],
  ['%28', '('], ['%29', ')'], ['%2A', '*'], ['%2C', ','], ['%3B', ';'],
];

function decodeUri(url: string): string {
  let out = url;
  for (const [enc, dec] of decodedInUri) out = out.split(enc).join(dec).split(enc.toLowerCase()).join(dec);
  return out;
}

export function signV3(secret: string, method: string, url: string, rawBody: string, timestamp: string): string {
  return createHmac('sha256', secret).update(`${method.toUpperCase()}${decodeUri(url)}${rawBody}${timestamp}`).digest('base64');
}

export function verifyHubSpotSignature(secret: string, request: WebhookRequest, now: number = Date.now()): VerifyResult {
  if (!secret) return { ok: false, reason: 'HUBSPOT_CLIENT_SECRET is not set: cannot verify HubSpot webhooks; set it to the app client secret' };
  if (!request.signature) return { ok: false, reason: 'missing X-HubSpot-Signature-v3 header' };
  if (!request.timestamp || !/^\d+$/.test(request.timestamp)) return { ok: false, reason: 'missing or malformed X-HubSpot-Request-Timestamp header' };
  const age = now - Number(request.timestamp);
  if (age > MAX_WEBHOOK_AGE_MS) return { ok: false, reason: `request timestamp is ${Math.round(age / 1000)} s old (limit ${MAX_WEBHOOK_AGE_MS / 1000} s): rejected as a possible replay` };
  if (age < -MAX_WEBHOOK_AGE_MS) return { ok: false, reason: 'request timestamp is in the future: check the server clock' };
  const expected = Buffer.from(signV3(secret, request.method, request.url, request.rawBody, request.timestamp));
  const given = Buffer.from(request.signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'signature does not match: wrong client secret, or the body or URL was changed on the way' };
  return { ok: true };
}

const objectTypeIds: Record<string, string> = {
  '0-1': 'contacts', '0-2': 'companies', '0-3': 'deals', '0-5': 'tickets', '0-7': 'products', '0-8': 'line_items',
  '0-27': 'tasks', '0-46': 'notes', '0-47': 'meetings', '0-48': 'calls', '0-49': 'emails', '0-74': 'goal_targets',
};

const EventId = z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/)]).transform(String);

const HubSpotEvent = z
  .object({
    eventId: z.union([z.number(), z.string()]).optional(),
    subscriptionType: z.string().optional(),
    objectTypeId: z.string().optional(),
    objectId: z.union([z.number(), z.string()]).transform(String),
    changeFlag: z.string().optional(),
    changeSource: z.string().optional(),
    propertyName: z.string().optional(),
    occurredAt: z.number().optional(),
    primaryObjectId: EventId.optional(),
    mergedObjectIds: z.array(EventId).optional(),
    newObjectId: EventId.optional(),
  })
  .loose();

export interface WebhookTarget {
  /** HubSpot object type / our stream name ("companies", "deals", …) */
  objectType: string;
  objectId: string;
  changeType: 'creation' | 'change' | 'deletion' | 'association' | 'merge' | 'restore';
}

/**
 * Parses an event array; unknown object types and unreadable events are skipped and reported, so
 * one odd event never drops the others. Targets are deduped per (object, id); deletion wins.
 */
export function parseHubSpotEvents(body: unknown): { targets: WebhookTarget[]; skipped: { index: number; reason: string }[] } {
  const list = z.array(z.unknown()).safeParse(body);
  if (!list.success) return { targets: [], skipped: [{ index: -1, reason: 'body is not a JSON array of HubSpot events' }] };
  const skipped: { index: number; reason: string }[] = [];
  const byKey = new Map<string, WebhookTarget>();
  list.data.forEach((item, index) => {
    const parsed = HubSpotEvent.safeParse(item);
    if (!parsed.success) {
      skipped.push({ index, reason: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
      return;
    }
    const e = parsed.data;
    const [prefix, action] = (e.subscriptionType ?? '').split('.');
    const objectType = (e.objectTypeId && objectTypeIds[e.objectTypeId]) || { contact: 'contacts', company: 'companies', deal: 'deals', ticket: 'tickets', product: 'products', line_item: 'line_items' }[prefix ?? ''];
    if (!objectType) {
      skipped.push({ index, reason: `unsupported object type ${e.objectTypeId ?? prefix ?? '(none)'}` });
      return;
    }
    const changeType: WebhookTarget['changeType'] =
      action === 'creation' ? 'creation'
      : action === 'deletion' || e.changeFlag === 'DELETED' ? 'deletion'
      : action === 'associationChange' ? 'association'
      : action === 'merge' ? 'merge'
      : action === 'restore' ? 'restore'
      : 'change';
    const add = (objectId: string, type: WebhookTarget['changeType']) => {
      const key = `${objectType}:${objectId}`;
      const prev = byKey.get(key);
      if (!prev || type === 'deletion') byKey.set(key, { objectType, objectId, changeType: type });
    };
    if (changeType !== 'merge') {
      add(e.objectId, changeType);
      return;
    }
    // the survivor(s) first, so a merged id that is also named as objectId ends as a deletion
    for (const id of new Set([e.primaryObjectId ?? e.objectId, e.newObjectId ?? e.objectId, e.objectId])) add(id, 'merge');
    for (const id of e.mergedObjectIds ?? []) add(id, 'deletion');
  });
  return { targets: [...byKey.values()], skipped };
}
