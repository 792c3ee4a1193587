/**
 * The HubSpot sandbox's columnar record storage: every value comes back as exactly the string that
 * went in (numbers, datetimes and dates are kept as numbers only where that is lossless), columns
 * appear when a property is first written, clears and archives behave as the API shows them, history
 * and links survive moves and clones, and the seed-key index reads like the Map it replaced.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findObjectType } from '../../src/sandbox/hubspot/objectTypes.js';
import { HubSpotPortal } from '../../src/sandbox/hubspot/portal.js';
import { PropertyColumn, decimalCodec, isoDatetimeCodec, isoDayCodec } from '../../src/sandbox/hubspot/propertyColumns.js';
import { HsRecord, RecordStore, type HistorySource } from '../../src/sandbox/hubspot/records.js';
import { SeedKeyIndex } from '../../src/sandbox/hubspot/seedKeys.js';

const companies = findObjectType('companies')!;
const deals = findObjectType('deals')!;
const contacts = findObjectType('contacts')!;
const T0 = Date.UTC(2026, 0, 1);

describe('cell codecs', () => {
  it('encode only strings whose decoded form is the same string', () => {
    expect(decimalCodec.encode('1200.5')).toBe(1200.5);
    expect(decimalCodec.encode('40000001')).toBe(40000001);
    for (const text of ['1200.50', '007', '-0', '1e21', '+5', ' 12', '', '12345678901234567890', '0x10']) expect(decimalCodec.encode(text), text).toBeUndefined();
    expect(isoDatetimeCodec.encode('2026-01-01T00:00:00.000Z')).toBe(T0 / 60_000);
    expect(isoDatetimeCodec.encode('2026-01-01T08:15:30.123Z')).toBe(Date.UTC(2026, 0, 1, 8, 15, 30, 123) + 0.5);
    for (const text of ['2026-01-01T00:00:00Z', '2026-01-01T00:00:00.000+01:00', '2026-02-30T00:00:00.000Z', '2026-01-01']) expect(isoDatetimeCodec.encode(text), text).toBeUndefined();
    expect(isoDayCodec.encode('2026-01-01')).toBe(T0 / 86_400_000);
    for (const text of ['2026-02-30', '2026-1-01', '20260101']) expect(isoDayCodec.encode(text), text).toBeUndefined();
  });

  it('decode back to the exact text', () => {
    expect(decimalCodec.decode(1200.5)).toBe('1200.5');
    expect(isoDatetimeCodec.decode(T0 / 60_000)).toBe('2026-01-01T00:00:00.000Z');
    expect(isoDatetimeCodec.decode(Date.UTC(2026, 0, 1, 8, 15, 30, 123) + 0.5)).toBe('2026-01-01T08:15:30.123Z');
    expect(isoDatetimeCodec.decode(Date.UTC(1969, 11, 31, 23, 59, 59, 999) + 0.5)).toBe('1969-12-31T23:59:59.999Z');
    expect(isoDayCodec.decode(T0 / 86_400_000)).toBe('2026-01-01');
  });
});

describe('PropertyColumn', () => {
  it('keeps numbers and datetimes as numbers where lossless and returns every value exactly', () => {
    const amount = new PropertyColumn('amount');
    const texts = ['1200.5', '1200.50', '42', 'n/a', '2026-01-01T00:00:00.000Z', '-3', '1e21', '0.1'];
    texts.forEach((t, row) => amount.set(row, t));
    // the first codable value fixed the column to decimal: the datetime stays a string
    expect(amount.cells).toEqual([1200.5, '1200.50', 42, 'n/a', '2026-01-01T00:00:00.000Z', -3, '1e21', 0.1]);
    expect(texts.map((_, row) => amount.get(row))).toEqual(texts);

    const closedate = new PropertyColumn('closedate');
    const dates = ['2026-01-01T00:00:00Z', '2026-01-01T00:00:00.000Z', '2026-03-01T10:00:00.250Z', '1200'];
    dates.forEach((t, row) => closedate.set(row, t));
    expect(closedate.cells).toEqual(['2026-01-01T00:00:00Z', T0 / 60_000, Date.UTC(2026, 2, 1, 10, 0, 0, 250) + 0.5, '1200']);
    expect(dates.map((_, row) => closedate.get(row))).toEqual(dates);
  });

  it('returns any string exactly, whatever shapes a column mixes', () => {
    const numberLike = fc.oneof(fc.integer().map(String), fc.double({ noNaN: false }).map(String), fc.string({ unit: fc.constantFrom('0', '1', '9', '.', '-', 'e', '+') }));
    const dateLike = fc.date({ min: new Date(-8e12), max: new Date(8e12), noInvalidDate: true }).map((d) => d.toISOString()).chain((iso) => fc.constantFrom(iso, iso.slice(0, 10), iso.replace('.000Z', 'Z'), iso.slice(0, 19)));
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string(), numberLike, dateLike), { minLength: 1, maxLength: 40 }), (texts) => {
        const column = new PropertyColumn('p');
        texts.forEach((t, row) => column.set(row, t));
        expect(texts.map((_, row) => column.get(row))).toEqual(texts);
      }),
      { numRuns: 300 },
    );
  });
});

describe('RecordStore and HsRecord', () => {
  it('stores rows by column, adds a column for a property first written at run time, and clears values', () => {
    const store = new RecordStore();
    const a = store.add('1000001', { name: 'Acme', annualrevenue: '1200.5', renewal_date: '2026-01-01', empty: '' }, T0, T0);
    const b = store.add('1000002', { name: 'Globex', annualrevenue: '1200.50' }, T0, T0 + 60_000);
    expect(a.props).toEqual({ name: 'Acme', annualrevenue: '1200.5', renewal_date: '2026-01-01' });
    expect(b.props).toEqual({ name: 'Globex', annualrevenue: '1200.50' });
    expect(store.table.columns.list.map((c) => c.name)).toEqual(['name', 'annualrevenue', 'renewal_date']);

    b.set('accountpulse_churn_risk', '78');
    expect(store.table.columns.list.map((c) => c.name)).toEqual(['name', 'annualrevenue', 'renewal_date', 'accountpulse_churn_risk']);
    expect(b.get('accountpulse_churn_risk')).toBe('78');
    expect(a.get('accountpulse_churn_risk')).toBeUndefined();
    expect(a.props).toEqual({ name: 'Acme', annualrevenue: '1200.5', renewal_date: '2026-01-01' });

    a.set('annualrevenue', '');
    a.set('renewal_date', undefined);
    a.set('never_written', undefined);
    expect(a.props).toEqual({ name: 'Acme' });
    expect(store.table.columns.find('never_written')).toBeUndefined();
    expect([a.id, a.createdAt, a.updatedAt, b.updatedAt, a.archived]).toEqual(['1000001', T0, T0, T0 + 60_000, false]);
    expect(store.get('1000002')).toBe(b);
    expect(store.get('1000003')).toBeUndefined();
  });

  it('moves a record built on its own into the store, keeping the handle, values, history and links', () => {
    const store = new RecordStore();
    store.add('1000002', { name: 'second' }, T0, T0);
    const own = new HsRecord('1000001', { name: 'first', amount: '10.25' }, T0, T0 + 1);
    own.addHistory('amount', '10.25', T0 + 1, { sourceType: 'CRM_UI' });
    own.setLinkTargets('contacts', [5, 6]);
    store.insert(own);
    expect(own.isIn(store.table)).toBe(true);
    expect(store.all().map((r) => r.id)).toEqual(['1000001', '1000002']);
    expect(store.get('1000001')).toBe(own);
    expect(own.props).toEqual({ name: 'first', amount: '10.25' });
    expect(own.historyOf('amount')).toEqual([{ value: '10.25', timestamp: T0 + 1, sourceType: 'CRM_UI' }]);
    expect(own.linkTargets('contacts')).toEqual([5, 6]);
    expect(() => new HsRecord('12ab', {}, T0, T0)).toThrow(/not a canonical integer/);
  });

  it('keeps history per property, oldest first, with exact values and times on or off the minute', () => {
    const store = new RecordStore();
    const r = store.add('1000001', { dealstage: 'closedwon', amount: '1200.5' }, T0, T0);
    const rep: HistorySource = { sourceType: 'CRM_UI', sourceId: 'userId:9000001', updatedByUserId: 9000001 };
    r.setHistory([
      { name: 'dealstage', value: 'qualifiedtobuy', timestamp: T0, source: rep },
      { name: 'amount', value: '1000', timestamp: T0, source: rep },
      { name: 'dealstage', value: 'closedwon', timestamp: T0 + 90_000, source: rep },
    ]);
    r.addHistory('amount', '1200.5', T0 + 123, { sourceType: 'INTEGRATION', sourceId: 'sandbox-private-app' });
    r.addHistory('amount', '', T0 + 200, { sourceType: 'INTEGRATION' });
    expect(r.historyOf('dealstage')).toEqual([
      { value: 'qualifiedtobuy', timestamp: T0, sourceType: 'CRM_UI', sourceId: 'userId:9000001', updatedByUserId: 9000001 },
      { value: 'closedwon', timestamp: T0 + 90_000, sourceType: 'CRM_UI', sourceId: 'userId:9000001', updatedByUserId: 9000001 },
    ]);
    expect(r.historyOf('amount')).toEqual([
      { value: '1000', timestamp: T0, sourceType: 'CRM_UI', sourceId: 'userId:9000001', updatedByUserId: 9000001 },
      { value: '1200.5', timestamp: T0 + 123, sourceType: 'INTEGRATION', sourceId: 'sandbox-private-app' },
      { value: '', timestamp: T0 + 200, sourceType: 'INTEGRATION' },
    ]);
    expect(r.historyOf('closedate')).toBeUndefined();
    expect(r.hasHistory).toBe(true);
  });

  it('clones a detached copy that later writes do not change', () => {
    const store = new RecordStore();
    const r = store.add('1000001', { name: 'Acme', amount: '5' }, T0, T0);
    r.addHistory('amount', '5', T0, { sourceType: 'CRM_UI' });
    r.setLinkTargets('deals', 7);
    const copy = r.clone();
    r.set('amount', '6');
    r.addHistory('amount', '6', T0 + 1, { sourceType: 'CRM_UI' });
    r.setLinkTargets('deals', [7, 8]);
    r.archivedAt = T0 + 2;
    expect(copy.props).toEqual({ name: 'Acme', amount: '5' });
    expect(copy.historyOf('amount')).toEqual([{ value: '5', timestamp: T0, sourceType: 'CRM_UI' }]);
    expect(copy.linkTargets('deals')).toBe(7);
    expect([copy.archived, r.archived, copy.id]).toEqual([false, true, '1000001']);
    expect(copy.isIn(store.table)).toBe(false);
  });

  it('pages live and archived records apart and trims without changing anything', () => {
    const store = new RecordStore();
    for (let i = 1; i <= 5; i++) store.add(String(1_000_000 + i), { n: String(i) }, T0, T0);
    store.get('1000002')!.archivedAt = T0 + 5;
    store.trim();
    expect(store.page(undefined, 3, false)).toEqual({ records: [store.get('1000001'), store.get('1000003'), store.get('1000004')], nextId: '1000005' });
    expect(store.page(undefined, 3, true).records.map((r) => [r.id, r.archivedAt, r.get('n')])).toEqual([['1000002', T0 + 5, '2']]);
  });
});

describe('HubSpotPortal over the columnar store', () => {
  it('writes, clears, archives and reads values exactly as the API shows them', () => {
    let now = T0;
    const portal = new HubSpotPortal({ now: () => new Date(now) });
    const deal = portal.createRecord(deals, portal.normalizeWrite(deals, { dealname: 'Big', amount: '1200.50', closedate: '2026-03-01T00:00:00Z', dealstage: 'closedwon' }));
    expect(deal.props).toEqual({ dealname: 'Big', amount: '1200.50', closedate: '2026-03-01T00:00:00.000Z', dealstage: 'closedwon' });
    expect(portal.value(deals, deal, 'hs_is_closed_won')).toBe('true');
    expect(portal.value(deals, deal, 'createdate')).toBe('2026-01-01T00:00:00.000Z');

    now += 61_001;
    expect(portal.updateRecord(deals, deal, portal.normalizeWrite(deals, { amount: 99.5, dealname: null, closedate: '2026-03-01T00:00:00.000Z' }))).toEqual(['amount', 'dealname']);
    expect(deal.props).toEqual({ amount: '99.5', closedate: '2026-03-01T00:00:00.000Z', dealstage: 'closedwon' });
    expect(deal.historyOf('amount')!.map((e) => [e.value, e.timestamp])).toEqual([['1200.50', T0], ['99.5', T0 + 61_001]]);
    expect(deal.historyOf('dealname')!.map((e) => e.value)).toEqual(['Big', '']);
    expect(deal.updatedAt).toBe(T0 + 61_001);

    const contact = portal.createRecord(contacts, portal.normalizeWrite(contacts, { email: 'Ann@Example.com', firstname: 'Ann' }));
    expect(portal.findBy(contacts, 'ann@example.com', 'email')).toBe(contact);
    now += 1;
    expect(portal.archiveRecord(contacts, contact)).toBe(true);
    expect([contact.archived, contact.archivedAt]).toEqual([true, now]);
    expect(portal.find(contacts, contact.id)).toBeUndefined();
    expect(portal.find(contacts, contact.id, true)).toBe(contact);
    expect(portal.findBy(contacts, 'ann@example.com', 'email')).toBeUndefined();
    const again = portal.createRecord(contacts, portal.normalizeWrite(contacts, { email: 'ann@example.com' }));
    expect(again.id).not.toBe(contact.id);
  });

  it('links records both ways with numeric ids and reads them back as id strings', () => {
    const portal = new HubSpotPortal();
    const company = portal.add(companies, portal.allocateId(), { name: 'Acme' }, T0, T0);
    const dealIds = [0, 1, 2].map(() => portal.add(deals, portal.allocateId(), { dealname: 'd' }, T0, T0).id);
    portal.associations.add('deals', dealIds[0]!, 'companies', company.id, { primary: true });
    expect(company.linkTargets('deals')).toBe(Number(dealIds[0]));
    portal.associations.add('deals', dealIds[1]!, 'companies', company.id);
    portal.associations.add('deals', dealIds[2]!, 'companies', company.id);
    expect(portal.associations.targets('companies', company.id, 'deals')).toEqual(dealIds);
    expect(portal.associations.typeIds('deals', dealIds[0]!, 'companies', company.id)).toEqual([5, 341]);
    expect(portal.associations.typeIds('deals', dealIds[1]!, 'companies', company.id)).toEqual([341]);
    expect(portal.associations.remove('deals', dealIds[1]!, 'companies', company.id)).toBe(true);
    expect(portal.associations.remove('companies', company.id, 'deals', dealIds[2]!)).toBe(true);
    expect(company.linkTargets('deals')).toBe(Number(dealIds[0]));
    expect(portal.associations.targets('deals', dealIds[2]!, 'companies')).toEqual([]);
    expect(portal.associations.remove('deals', dealIds[0]!, 'companies', company.id)).toBe(true);
    expect(company.linkTargets('deals')).toBeUndefined();
    expect(portal.associations.typeIds('deals', dealIds[0]!, 'companies', company.id)).toEqual([341]);
  });
});

describe('SeedKeyIndex', () => {
  it('reads like the Map it replaces: get, has, size and [key, id] pairs', () => {
    const index = new SeedKeyIndex();
    index.set('acct-000042', '1000001').set('acct-000007', '1000002').set('deal-0000001', '1000003');
    index.set('owner-mia-hoffmann', '40000001').set('acct-1', 'not-numeric').set('acct-000042', '1000009');
    expect(index.size).toBe(5);
    expect(['acct-000042', 'acct-000007', 'acct-00007', 'deal-0000001', 'owner-mia-hoffmann', 'acct-1', 'nope'].map((k) => index.get(k))).toEqual(['1000009', '1000002', undefined, '1000003', '40000001', 'not-numeric', undefined]);
    expect(index.has('acct-000007')).toBe(true);
    expect(new Map(index)).toEqual(new Map([
      ['acct-000007', '1000002'], ['acct-000042', '1000009'], ['deal-0000001', '1000003'], ['owner-mia-hoffmann', '40000001'], ['acct-1', 'not-numeric'],
    ]));
    index.set('acct-1', '1000010');
    expect([index.get('acct-1'), index.size]).toEqual(['1000010', 5]);
    index.trim();
    expect([...index.entries()].length).toBe(5);
  });
});
