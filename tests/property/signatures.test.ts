/**
 * The three signature verifiers (HubSpot v3 webhooks, Salesforce change notices, outbound alert
 * signatures) against arbitrary input: never accept anything not signed with the secret, never
 * throw anything but their declared errors, and accept what is correctly signed and fresh.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseHubSpotEvents, signV3, verifyHubSpotSignature } from '../../src/connectors/hubspot/webhooks.js';
import { ChangeNoticeError, signChangeNotice, verifyChangeNotice } from '../../src/connectors/salesforce/changeNotices.js';
import { signBody, verifySignature } from '../../src/delivery/signing.js';

const SECRET = 'property-secret-5b1d';
const NOW_MS = Date.UTC(2026, 10, 28, 9, 0, 0);
const NOW_S = Math.floor(NOW_MS / 1000);
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeAll(() => {
  process.on('unhandledRejection', onUnhandled);
});
afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
  expect(unhandled).toEqual([]);
});

const header = fc.option(fc.oneof(fc.string(), fc.base64String(), fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), maxLength: 64 }).map((h) => `v1=${h}`), fc.integer().map(String)), { nil: undefined });
const timestampMs = fc.oneof(fc.constant(NOW_MS), fc.integer({ min: NOW_MS - 10 * 60_000, max: NOW_MS + 10 * 60_000 }), fc.integer()).map(String);
const body = fc.oneof(fc.string(), fc.json(), fc.jsonValue().map((v) => JSON.stringify(v) ?? 'null'));

describe('HubSpot v3 verifier', () => {
  it('never accepts a signature that is not the HMAC of the request with the secret, and never throws', () => {
    fc.assert(
      fc.property(fc.constantFrom('POST', 'GET', 'post'), fc.webUrl(), body, header, fc.option(timestampMs, { nil: undefined }), (method, url, rawBody, signature, timestamp) => {
        const verdict = verifyHubSpotSignature(SECRET, { method, url, rawBody, signature, timestamp }, NOW_MS);
        const genuine = timestamp !== undefined && signature === signV3(SECRET, method, url, rawBody, timestamp);
        if (verdict.ok) expect(genuine).toBe(true);
        else expect(verdict.reason.length).toBeGreaterThan(10);
      }),
      { numRuns: 300 },
    );
  });

  it('accepts a correct signature within 5 minutes and refuses it after any change to method, URL, body or timestamp', () => {
    fc.assert(
      fc.property(fc.webUrl(), body, fc.integer({ min: -299_000, max: 299_000 }), fc.string({ minLength: 1 }), (url, rawBody, skew, extra) => {
        const timestamp = String(NOW_MS - skew);
        const signature = signV3(SECRET, 'POST', url, rawBody, timestamp);
        expect(verifyHubSpotSignature(SECRET, { method: 'POST', url, rawBody, signature, timestamp }, NOW_MS)).toEqual({ ok: true });
        expect(verifyHubSpotSignature(SECRET, { method: 'POST', url, rawBody: rawBody + extra, signature, timestamp }, NOW_MS).ok).toBe(false);
        expect(verifyHubSpotSignature(SECRET, { method: 'PUT', url, rawBody, signature, timestamp }, NOW_MS).ok).toBe(false);
        expect(verifyHubSpotSignature(`${SECRET}x`, { method: 'POST', url, rawBody, signature, timestamp }, NOW_MS).ok).toBe(false);
        expect(verifyHubSpotSignature(SECRET, { method: 'POST', url, rawBody, signature, timestamp: String(NOW_MS - skew + 1) }, NOW_MS).ok).toBe(false);
        expect(verifyHubSpotSignature(SECRET, { method: 'POST', url, rawBody, signature, timestamp }, NOW_MS + 301_000 + Math.max(0, -skew)).ok).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it('event parsing of any JSON never throws: every event is a target or skipped with a reason', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.array(fc.record({ objectId: fc.oneof(fc.integer(), fc.string(), fc.jsonValue()), subscriptionType: fc.option(fc.string(), { nil: undefined }), objectTypeId: fc.option(fc.constantFrom('0-1', '0-2', '0-3', '0-999', 'x'), { nil: undefined }) }, { requiredKeys: [] }))), (json) => {
        const { targets, skipped } = parseHubSpotEvents(json);
        if (!Array.isArray(json)) expect(skipped).toEqual([{ index: -1, reason: 'body is not a JSON array of HubSpot events' }]);
        else expect(targets.length + skipped.length).toBeLessThanOrEqual(json.length);
        for (const t of targets) expect(typeof t.objectId).toBe('string');
        for (const s of skipped) expect(s.reason.length).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });
});

describe('Salesforce change-notice verifier', () => {
  const headers = fc.dictionary(fc.constantFrom('x-accountpulse-timestamp', 'x-accountpulse-signature', 'X-AccountPulse-Timestamp', 'content-type', 'other'), fc.oneof(fc.string(), fc.array(fc.string(), { maxLength: 2 }), fc.integer({ min: NOW_S - 1000, max: NOW_S + 1000 }).map(String)));

  it('never accepts an unsigned or wrongly signed notice, and throws only ChangeNoticeError', () => {
    fc.assert(
      fc.property(body, headers, (rawBody, hdrs) => {
        try {
          verifyChangeNotice({ rawBody, headers: hdrs, secret: SECRET, nowSeconds: NOW_S });
        } catch (err) {
          expect(err).toBeInstanceOf(ChangeNoticeError);
          expect([400, 401]).toContain((err as ChangeNoticeError).status);
          return;
        }
        throw new Error(`accepted an arbitrary notice: ${JSON.stringify({ rawBody, hdrs })}`);
      }),
      { numRuns: 300 },
    );
  });

  it('a correctly signed fresh body is authenticated (then accepted or refused with 400 for its content, never 401)', () => {
    fc.assert(
      fc.property(body, fc.integer({ min: -300, max: 300 }), (rawBody, skew) => {
        const ts = String(NOW_S - skew);
        const hdrs = { 'x-accountpulse-timestamp': ts, 'x-accountpulse-signature': signChangeNotice(SECRET, ts, rawBody) };
        try {
          const targets = verifyChangeNotice({ rawBody, headers: hdrs, secret: SECRET, nowSeconds: NOW_S });
          expect(targets.length).toBeGreaterThan(0);
        } catch (err) {
          expect(err).toBeInstanceOf(ChangeNoticeError);
          expect((err as ChangeNoticeError).status).toBe(400);
        }
        // the same signature on another body, or with another secret, is a 401
        for (const [b, s] of [[`${rawBody} `, SECRET], [rawBody, `${SECRET}x`]] as const) {
          const error = (() => {
            try {
              verifyChangeNotice({ rawBody: b, headers: hdrs, secret: s, nowSeconds: NOW_S });
              return null;
            } catch (e) {
              return e;
            }
          })();
          expect(error).toBeInstanceOf(ChangeNoticeError);
          expect((error as ChangeNoticeError).status).toBe(401);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('alert signature verifier', () => {
  it('never accepts anything but the signature of the body and timestamp with the secret, within 5 minutes; never throws', () => {
    fc.assert(
      fc.property(fc.option(fc.oneof(fc.string(), fc.integer({ min: NOW_S - 600, max: NOW_S + 600 }).map(String)), { nil: undefined }), body, header, (timestamp, raw, signature) => {
        const ok = verifySignature(SECRET, timestamp, raw, signature, NOW_S);
        const genuine = timestamp !== undefined && /^\d+$/.test(timestamp) && Math.abs(NOW_S - Number(timestamp)) <= 300 && signature === signBody(SECRET, Number(timestamp), raw);
        expect(ok).toBe(genuine);
      }),
      { numRuns: 300 },
    );
  });

  it('accepts its own signatures when fresh, and refuses them on any other body, secret or stale time', () => {
    fc.assert(
      fc.property(body, fc.integer({ min: -300, max: 300 }), (raw, skew) => {
        const ts = NOW_S - skew;
        const sig = signBody(SECRET, ts, raw);
        expect(verifySignature(SECRET, String(ts), raw, sig, NOW_S)).toBe(true);
        expect(verifySignature(SECRET, String(ts), `${raw}x`, sig, NOW_S)).toBe(false);
        expect(verifySignature(`${SECRET}x`, String(ts), raw, sig, NOW_S)).toBe(false);
        expect(verifySignature(SECRET, String(ts), raw, sig, ts + 301)).toBe(false);
      }),
      { numRuns: 200 },
    );
  });
});
