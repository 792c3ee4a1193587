/** Inbound Salesforce change notices: HMAC over timestamp + raw body, replay window, body contract. */
import { describe, expect, it } from 'vitest';
import { ChangeNoticeError, signChangeNotice, verifyChangeNotice } from '../../src/connectors/salesforce/changeNotices.js';

const secret = 'shared-secret-for-tests';
const now = 1_800_000_000;
const signed = (body: string, ts = now, key = secret) => ({
  rawBody: body,
  headers: { 'X-AccountPulse-Timestamp': String(ts), 'X-AccountPulse-Signature': signChangeNotice(key, ts, body) },
  secret,
  nowSeconds: now,
});

function rejection(fn: () => unknown): ChangeNoticeError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ChangeNoticeError) return err;
    throw err;
  }
  throw new Error('expected a ChangeNoticeError');
}

describe('Salesforce change notices', () => {
  it('turns a signed notice into sync targets per stream, ids deduplicated', () => {
    const body = JSON.stringify([
      { objectType: 'Opportunity', ids: ['006RO00000B1aaaYAB', '006RO00000B1aabYAB'] },
      { objectType: 'task', ids: ['00TRO00000T0001YAB'] },
      { objectType: 'Opportunity', ids: ['006RO00000B1aaaYAB'] },
    ]);
    expect(verifyChangeNotice(signed(body))).toEqual([
      { stream: 'deals', externalIds: ['006RO00000B1aaaYAB', '006RO00000B1aabYAB'] },
      { stream: 'tasks', externalIds: ['00TRO00000T0001YAB'] },
    ]);
  });

  it('matches the documented signature: hex HMAC-SHA256 of "<timestamp>.<body>"', () => {
    expect(signChangeNotice('k', 1700000000, '{"a":1}')).toBe('v1=1b6ad1bc9bf48c52ce01939866d5877c6cc4e87ddad27e16673cb8c4964394a3');
    expect(signChangeNotice('k', '1700000000', Buffer.from('{"a":1}'))).toBe('v1=1b6ad1bc9bf48c52ce01939866d5877c6cc4e87ddad27e16673cb8c4964394a3');
  });

  it('rejects a wrong signature, a stale timestamp and missing headers with 401', () => {
    const body = JSON.stringify({ objectType: 'Account', ids: ['001RO00000A1b2cYAB'] });
    expect(rejection(() => verifyChangeNotice(signed(body, now, 'other-secret')))).toMatchObject({ status: 401, message: expect.stringMatching(/signature does not match/) });
    expect(rejection(() => verifyChangeNotice(signed(body, now - 301)))).toMatchObject({ status: 401, message: expect.stringMatching(/301 s off .* replay/) });
    expect(rejection(() => verifyChangeNotice({ rawBody: body, headers: {}, secret, nowSeconds: now }))).toMatchObject({ status: 401 });
    expect(rejection(() => verifyChangeNotice({ ...signed(body), secret: undefined }))).toMatchObject({ status: 401, message: expect.stringMatching(/SALESFORCE_WEBHOOK_SECRET/) });
    // the body is part of what is signed: one changed byte breaks it
    expect(rejection(() => verifyChangeNotice({ ...signed(body), rawBody: body.replace('001RO00000A1b2cYAB', '001RO00000A1b2dYAB') }))).toMatchObject({ status: 401 });
  });

  it('rejects bodies outside the contract with 400, naming the problem', () => {
    expect(rejection(() => verifyChangeNotice(signed('not json')))).toMatchObject({ status: 400, message: expect.stringMatching(/not JSON/) });
    expect(rejection(() => verifyChangeNotice(signed(JSON.stringify({ objectType: 'Account', ids: ["001' OR Id != '"] }))))).toMatchObject({ status: 400, message: expect.stringMatching(/ids\.0: a 15\/18-character Salesforce id/) });
    expect(rejection(() => verifyChangeNotice(signed(JSON.stringify({ objectType: 'Lead', ids: ['00QRO00000A1b2cYAB'] }))))).toMatchObject({ status: 400, message: expect.stringMatching(/does not sync that object/) });
    expect(rejection(() => verifyChangeNotice(signed(JSON.stringify({ objectType: 'Account', ids: [] }))))).toMatchObject({ status: 400 });
  });
});
