/**
 * Salesforce record ids: 15 case-sensitive characters (3-character key prefix + pod/instance +
 * counter) plus a 3-character suffix that encodes the case of the first 15, giving the
 * case-insensitive 18-character form the API returns.
 */

/** Standard key prefixes of the objects the sandbox simulates. */
export const keyPrefixes = {
  Organization: '00D',
  Account: '001',
  Contact: '003',
  User: '005',
  UserRole: '00E',
  Profile: '00e',
  Opportunity: '006',
  OpportunityHistory: '008',
  OpportunityStage: '01J',
  OpportunityLineItem: '00k',
  Product2: '01t',
  Pricebook2: '01s',
  PricebookEntry: '01u',
  Task: '00T',
  Event: '00U',
  Case: '500',
  ForecastingQuota: '0J9',
  ForecastingType: '0Db',
  Period: '026',
  CustomField: '00N',
  QueryLocator: '01g',
  BulkJob: '750',
} as const;

const suffixAlphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
const base62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** The 18-character form of a 15-character id (idempotent on 18-character ids). */
export function toId18(id15: string): string {
  if (id15.length === 18) return id15;
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const c = id15.charCodeAt(chunk * 5 + i);
      if (c >= 65 && c <= 90) bits |= 1 << i;
    }
    suffix += suffixAlphabet[bits];
  }
  return id15 + suffix;
}

const idShape = /^[a-zA-Z0-9]{15}(?:[A-Z0-5]{3})?$/;

/** True when `value` has the shape of a 15- or 18-character id (checksum verified for 18). */
export function isIdShaped(value: string): boolean {
  if (!idShape.test(value)) return false;
  return value.length === 15 || toId18(value.slice(0, 15)) === value;
}

/** Normalizes a 15- or 18-character id to the 18-character form, or null when it is not one. */
export function normalizeId(value: string): string | null {
  return isIdShaped(value) ? toId18(value.slice(0, 15)) : null;
}

/** Issues ids per key prefix: prefix + "5g" (sandbox pod) + a base-62 counter padded to 10. */
export class IdFactory {
  private counters = new Map<string, number>();

  next(prefix: string): string {
    const n = (this.counters.get(prefix) ?? 0) + 1;
    this.counters.set(prefix, n);
    let digits = '';
    let rest = n;
    while (rest > 0) {
      digits = base62[rest % 62] + digits;
      rest = Math.floor(rest / 62);
    }
    return toId18(prefix + '5g' + digits.padStart(10, '0'));
  }
}
