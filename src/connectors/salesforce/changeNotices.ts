/**
 * Inbound change notices from Salesforce: the contract for a Flow HTTP callout (or any middleware
 * relaying Change Data Capture / outbound messages) that tells AccountPulse which records changed,
 * so a targeted incremental sync (`syncRecords`) runs at once instead of waiting for the poll.
 *
 * Request: `POST` with a JSON body `{ "objectType": "Opportunity", "ids": ["006…", …] }`
 * (or an array of such objects; at most 2,000 ids per notice) and two headers:
 *   X-AccountPulse-Timestamp: unix time in seconds when the notice was sent
 *   X-AccountPulse-Signature: v1=<hex HMAC-SHA256 of `${timestamp}.${rawBody}` keyed by SALESFORCE_WEBHOOK_SECRET>
 * Notices older (or newer) than 5 minutes are rejected (replays); signatures are compared in
 * constant time. The body must be verified as raw bytes, before JSON parsing.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { streamBySObject } from './streams/index.js';

export const CHANGE_NOTICE_HEADERS = {
  timestamp: 'x-accountpulse-timestamp',
  signature: 'x-accountpulse-signature',
} as const;

export const CHANGE_NOTICE_TOLERANCE_SECONDS = 300;
const MAX_IDS = 2000;

const Notice = z.object({
  objectType: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'an sObject API name'),
  ids: z.array(z.string().regex(/^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/, 'a 15/18-character Salesforce id')).min(1).max(MAX_IDS),
});
const NoticeBody = z.union([Notice, z.array(Notice).min(1).max(100)]);

export interface ChangeNoticeTarget {
  /** our stream name (e.g. "deals") */
  stream: string;
  externalIds: string[];
}

export class ChangeNoticeError extends Error {
  constructor(
    readonly status: 400 | 401,
    message: string,
  ) {
    super(message);
    this.name = 'ChangeNoticeError';
  }
}

/** The signature header value for a body (used by senders and tests). */
export function signChangeNotice(secret: string, timestamp: number | string, rawBody: string | Buffer): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex')}`;
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = headers[name] ?? headers[Object.keys(headers).find((k) => k.toLowerCase() === name) ?? ''];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Verifies a notice and turns it into sync targets, one per stream (Task → tasks, Event → events,
 * Opportunity → deals …). Throws ChangeNoticeError (401: authentication, 400: body) otherwise.
 */
export function verifyChangeNotice(input: {
  rawBody: string | Buffer;
  headers: Record<string, string | string[] | undefined>;
  secret: string | undefined;
  nowSeconds?: number;
}): ChangeNoticeTarget[] {
  if (!input.secret) throw new ChangeNoticeError(401, 'Salesforce change notices are disabled: set SALESFORCE_WEBHOOK_SECRET (shared with the Flow or middleware that sends them)');
  const ts = header(input.headers, CHANGE_NOTICE_HEADERS.timestamp);
  const sig = header(input.headers, CHANGE_NOTICE_HEADERS.signature);
  if (!ts || !sig) throw new ChangeNoticeError(401, `Salesforce change notice without ${CHANGE_NOTICE_HEADERS.timestamp} / ${CHANGE_NOTICE_HEADERS.signature} headers; sign it as documented in changeNotices.ts`);
  if (!/^\d{9,11}$/.test(ts)) throw new ChangeNoticeError(401, `Salesforce change notice: ${CHANGE_NOTICE_HEADERS.timestamp} must be unix seconds`);
  const now = input.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - Number(ts)) > CHANGE_NOTICE_TOLERANCE_SECONDS) {
    throw new ChangeNoticeError(401, `Salesforce change notice timestamp is ${now - Number(ts)} s off (more than ${CHANGE_NOTICE_TOLERANCE_SECONDS} s): rejected as a replay; check the sender's clock`);
  }
  const expected = Buffer.from(signChangeNotice(input.secret, ts, input.rawBody));
  const given = Buffer.from(sig);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    throw new ChangeNoticeError(401, 'Salesforce change notice signature does not match: the sender must use the same SALESFORCE_WEBHOOK_SECRET and sign `${timestamp}.${rawBody}`');
  }
  let json: unknown;
  try {
    json = JSON.parse(input.rawBody.toString());
  } catch {
    throw new ChangeNoticeError(400, 'Salesforce change notice body is not JSON; send {"objectType": "...", "ids": [...]}');
  }
  const parsed = NoticeBody.safeParse(json);
  if (!parsed.success) {
    throw new ChangeNoticeError(400, `Salesforce change notice body is invalid: ${parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ')}`);
  }
  const notices = Array.isArray(parsed.data) ? parsed.data : [parsed.data];
  const byStream = new Map<string, Set<string>>();
  for (const n of notices) {
    const spec = streamBySObject.get(n.objectType.toLowerCase());
    if (!spec) throw new ChangeNoticeError(400, `Salesforce change notice for ${n.objectType}: AccountPulse does not sync that object (it syncs ${[...streamBySObject.values()].map((s) => s.sobject).join(', ')})`);
    const set = byStream.get(spec.name) ?? new Set<string>();
    for (const id of n.ids) set.add(id);
    byStream.set(spec.name, set);
  }
  return [...byStream].map(([stream, ids]) => ({ stream, externalIds: [...ids] }));
}
