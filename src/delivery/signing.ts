/**
 * Signatures of outbound alert webhooks: HMAC-SHA256 over `${timestamp}.${body}` with
 * ALERT_SIGNING_SECRET, hex, sent as `X-AccountPulse-Signature: v1=<hex>` beside
 * `X-AccountPulse-Timestamp` (unix seconds) and `X-AccountPulse-Delivery` (the stable delivery id,
 * also sent as `Idempotency-Key`). Receivers recompute it, compare in constant time and reject
 * timestamps older than 5 minutes (README, "Alert webhooks", has a verification snippet).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'X-AccountPulse-Signature';
export const TIMESTAMP_HEADER = 'X-AccountPulse-Timestamp';
export const DELIVERY_HEADER = 'X-AccountPulse-Delivery';
export const MAX_SKEW_SECONDS = 300;

export function signBody(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export function verifySignature(secret: string, timestamp: string | undefined, body: string, signature: string | undefined, nowSeconds = Math.floor(Date.now() / 1000)): boolean {
  if (!timestamp || !signature || !/^\d+$/.test(timestamp)) return false;
  const ts = Number(timestamp);
  if (Math.abs(nowSeconds - ts) > MAX_SKEW_SECONDS) return false;
  const expected = Buffer.from(signBody(secret, ts, body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
