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

const twoTo32 = 2 ** 32;
const base62Value = new Int8Array(128).fill(-1);
for (let i = 0; i < base62.length; i++) base62Value[base62.charCodeAt(i)] = i;

/**
 * Ids as numbers, for columnar storage: an id the IdFactory issued (18 characters, "5g" pod,
 * base-62 counter) encodes as prefixIndex * 2^32 + counter, 8 bytes instead of a ~32-byte
 * string. Anything else (hand-written ids, '' placeholders) does not encode: `encode` gives NaN
 * and the caller keeps the text. Prefixes are numbered in the order first seen.
 */
export class IdCodec {
  private prefixes: string[] = [];
  /** the 3 prefix characters packed in one integer -> prefix number */
  private prefixIndexes = new Map<number, number>();

  /** The code of a factory-shaped 18-character id, or NaN. Allocates nothing (it runs for every id written). */
  encode(id: string): number {
    if (id.length !== 18 || id.charCodeAt(3) !== 53 /* 5 */ || id.charCodeAt(4) !== 103 /* g */) return Number.NaN;
    // the suffix must be the one toId18 computes from the first 15 characters
    for (let chunk = 0; chunk < 3; chunk++) {
      let bits = 0;
      for (let i = 0; i < 5; i++) {
        const c = id.charCodeAt(chunk * 5 + i);
        if (c >= 65 && c <= 90) bits |= 1 << i;
      }
      if (id.charCodeAt(15 + chunk) !== suffixAlphabet.charCodeAt(bits)) return Number.NaN;
    }
    let counter = 0;
    for (let i = 5; i < 15; i++) {
      const c = id.charCodeAt(i);
      const digit = c < 128 ? base62Value[c]! : -1;
      if (digit < 0) return Number.NaN;
      counter = counter * 62 + digit;
    }
    if (counter >= twoTo32) return Number.NaN;
    const packed = (id.charCodeAt(0) << 16) | (id.charCodeAt(1) << 8) | id.charCodeAt(2);
    const index = id.charCodeAt(0) < 256 && id.charCodeAt(1) < 256 && id.charCodeAt(2) < 256 ? this.prefixIndexes.get(packed) : undefined;
    return (index ?? this.prefixNumber(id.slice(0, 3))) * twoTo32 + counter;
  }

  /** The number of a key prefix (assigned on first use). */
  prefixNumber(prefix: string): number {
    const packed = (prefix.charCodeAt(0) << 16) | (prefix.charCodeAt(1) << 8) | prefix.charCodeAt(2);
    let index = this.prefixIndexes.get(packed);
    if (index === undefined || this.prefixes[index] !== prefix) {
      index = this.prefixes.indexOf(prefix);
      if (index < 0) {
        index = this.prefixes.length;
        this.prefixes.push(prefix);
      }
      if (!this.prefixIndexes.has(packed)) this.prefixIndexes.set(packed, index);
    }
    return index;
  }

  /** The 18-character id of a code `encode` returned. */
  decode(code: number): string {
    const index = Math.floor(code / twoTo32);
    let rest = code - index * twoTo32;
    let digits = '';
    while (rest > 0) {
      digits = base62[rest % 62] + digits;
      rest = Math.floor(rest / 62);
    }
    return toId18(this.prefixes[index]! + '5g' + digits.padStart(10, '0'));
  }

  /** The counter part of a code (the id's sequence number within its key prefix). */
  static counterOf(code: number): number {
    return code % twoTo32;
  }

  /** The key prefix number of a code. */
  static prefixOf(code: number): number {
    return Math.floor(code / twoTo32);
  }
}
