/**
 * The Salesforce sandbox's columnar store: a RecordTable gives back exactly what was written
 * (nulls, booleans, ids, values that do not fit a column's encoding), keeps write order, grows
 * columns for custom fields; the store's undo log restores exact previous values and order.
 */
import { describe, expect, it } from 'vitest';
import { IdCodec, IdFactory, keyPrefixes } from '../../src/sandbox/salesforce/ids.js';
import { RecordTable } from '../../src/sandbox/salesforce/record-table.js';
import { SalesforceSchema } from '../../src/sandbox/salesforce/schema.js';
import { SalesforceStore, type SfRecord } from '../../src/sandbox/salesforce/store.js';

const T0 = Date.UTC(2026, 10, 1, 9, 0, 0);

function accountTable() {
  const schema = new SalesforceSchema();
  const object = schema.object('Account')!;
  const ids = new IdFactory();
  const table = new RecordTable({ object, codec: new IdCodec() });
  const account = (values: SfRecord = {}): SfRecord => ({
    Id: ids.next(keyPrefixes.Account), IsDeleted: false, CreatedDate: T0, CreatedById: '0055g0000000001AAA', LastModifiedDate: T0,
    LastModifiedById: '0055g0000000001AAA', SystemModstamp: T0, Name: 'Acme', ...values,
  });
  return { schema, object, table, account, ids };
}

describe('RecordTable', () => {
  it('reads back every field exactly, in schema order, with null for fields not written', () => {
    const { table, object, account } = accountTable();
    const written = account({ OwnerId: '0055g0000000002AAA', Type: 'Customer - Direct', AnnualRevenue: 1250000.5, NumberOfEmployees: 0, Renewal_Date__c: '2027-01-31', Usage_Index__c: -3.25, Usage_Trend__c: '50,52' });
    table.write(written.Id as string, written);
    const read = table.get(written.Id as string)!;
    expect(Object.keys(read)).toEqual(object.fields.map((f) => f.name));
    expect(read).toEqual({
      Id: written.Id, IsDeleted: false, CreatedDate: T0, CreatedById: '0055g0000000001AAA', LastModifiedDate: T0, LastModifiedById: '0055g0000000001AAA',
      SystemModstamp: T0, Name: 'Acme', OwnerId: '0055g0000000002AAA', ParentId: null, Type: 'Customer - Direct', Industry: null, AnnualRevenue: 1250000.5,
      NumberOfEmployees: 0, Website: null, Phone: null, BillingCountry: null, Description: null, Renewal_Date__c: '2027-01-31', Usage_Index__c: -3.25,
      Usage_Trend__c: '50,52', External_Key__c: null,
    });
  });

  it('keeps booleans true, false and null apart, and values that do not fit a column as they were written', () => {
    const { schema, table, account } = accountTable();
    const flags = schema.addCustomField(schema.object('Account')!, 'Flag__c', 'boolean');
    expect(flags.name).toBe('Flag__c');
    const handTyped = '001000000000001';
    const a = account({ IsDeleted: true, Flag__c: null, ParentId: handTyped, NumberOfEmployees: 'many' as unknown as number, Usage_Index__c: Number.NaN, Industry: 7 as unknown as string });
    const b = account({ IsDeleted: false, Flag__c: true, ParentId: '', CreatedById: 'not-an-id' });
    table.write(a.Id as string, a);
    table.write(b.Id as string, b);
    expect(table.get(a.Id as string)).toMatchObject({ IsDeleted: true, Flag__c: null, ParentId: handTyped, NumberOfEmployees: 'many', Industry: 7 });
    expect(table.get(a.Id as string)!.Usage_Index__c).toBeNaN();
    expect(table.get(b.Id as string)).toMatchObject({ IsDeleted: false, Flag__c: true, ParentId: '', CreatedById: 'not-an-id' });
    // an exception is cleared when the row is written again with a value that fits
    table.write(a.Id as string, { ...a, NumberOfEmployees: 12, ParentId: b.Id as string, Flag__c: false });
    expect(table.get(a.Id as string)).toMatchObject({ NumberOfEmployees: 12, ParentId: b.Id, Flag__c: false });
    expect(table.isDeleted(table.rowOf(a.Id as string))).toBe(true);
    expect(table.isDeleted(table.rowOf(b.Id as string))).toBe(false);
  });

  it('stores records under ids of any shape, found by rowOf / has / get', () => {
    const { table, account } = accountTable();
    const other = account({ Id: '001xx000003DGb2AAG' });
    const far = account({ Id: '0015g00zzzzzzzzAAA'.slice(0, 15) });
    table.write(other.Id as string, other);
    table.write(far.Id as string, far);
    expect(table.size).toBe(2);
    expect(table.get('001xx000003DGb2AAG')?.Id).toBe('001xx000003DGb2AAG');
    expect(table.get(far.Id as string)?.Id).toBe(far.Id);
    expect(table.has('0015g0000000009AAA')).toBe(false);
    expect(table.rowOf('nonsense')).toBe(-1);
  });

  it('iterates in write order: a rewrite moves a record to the end; size counts records, not writes', () => {
    const { table, account } = accountTable();
    const [a, b, c] = [account({ Name: 'A' }), account({ Name: 'B' }), account({ Name: 'C' })];
    for (const r of [a, b, c]) table.write(r.Id as string, r);
    table.write(a.Id as string, { ...a, Name: 'A2' });
    expect([...table.values()].map((r) => r.Name)).toEqual(['B', 'C', 'A2']);
    expect([...table.keys()]).toEqual([b.Id, c.Id, a.Id]);
    expect([...table].map(([id, r]) => [id, r.Name])).toEqual([[b.Id, 'B'], [c.Id, 'C'], [a.Id, 'A2']]);
    expect(table.size).toBe(3);
    table.remove(b.Id as string);
    expect([...table.values()].map((r) => r.Name)).toEqual(['C', 'A2']);
    expect(table.size).toBe(2);
    expect(table.get(b.Id as string)).toBeUndefined();
  });

  it('keeps write order through many rewrites (stale order entries compacted away)', () => {
    const { table, account } = accountTable();
    const records = Array.from({ length: 50 }, (_, i) => account({ NumberOfEmployees: i }));
    for (const r of records) table.write(r.Id as string, r);
    // 3,000 rewrites, cycling through the first ten records
    for (let i = 0; i < 3000; i++) {
      const r = records[i % 10]!;
      table.write(r.Id as string, { ...r, NumberOfEmployees: 1000 + i });
    }
    const read = [...table.values()];
    expect(read).toHaveLength(50);
    expect(read.slice(0, 40).map((r) => r.NumberOfEmployees)).toEqual(Array.from({ length: 40 }, (_, i) => i + 10));
    expect(read.slice(40).map((r) => r.NumberOfEmployees)).toEqual(Array.from({ length: 10 }, (_, i) => 1000 + 2990 + i));
  });

  it('grows a column for a custom field added at run time: existing rows read null, new writes keep the value', () => {
    const { schema, object, table, account } = accountTable();
    const old = account();
    table.write(old.Id as string, old);
    schema.addCustomField(object, 'Churn_Risk__c', 'double');
    schema.addCustomField(object, 'Risk_Band__c', 'picklist');
    expect(table.get(old.Id as string)).toMatchObject({ Churn_Risk__c: null, Risk_Band__c: null });
    table.write(old.Id as string, { ...old, Churn_Risk__c: 78, Risk_Band__c: 'red' });
    const fresh = account({ Churn_Risk__c: 12.5, Risk_Band__c: 'green' });
    table.write(fresh.Id as string, fresh);
    expect([...table.values()].map((r) => [r.Churn_Risk__c, r.Risk_Band__c])).toEqual([[78, 'red'], [12.5, 'green']]);
    expect(Object.keys(table.get(fresh.Id as string)!).slice(-2)).toEqual(['Churn_Risk__c', 'Risk_Band__c']);
  });

  it('holds tens of thousands of rows across storage chunks', () => {
    const { table, account } = accountTable();
    const ids: string[] = [];
    for (let i = 0; i < 33_000; i++) {
      const r = account({ NumberOfEmployees: i, Renewal_Date__c: `2027-01-${String((i % 28) + 1).padStart(2, '0')}`, SystemModstamp: T0 + i });
      ids.push(r.Id as string);
      table.write(r.Id as string, r);
    }
    expect(table.size).toBe(33_000);
    for (const i of [0, 16_383, 16_384, 32_768, 32_999]) {
      expect(table.get(ids[i]!)).toMatchObject({ Id: ids[i], NumberOfEmployees: i, SystemModstamp: T0 + i, Renewal_Date__c: `2027-01-${String((i % 28) + 1).padStart(2, '0')}` });
    }
    expect(table.value(table.rowOf(ids[20_000]!), 'NumberOfEmployees')).toBe(20_000);
  });
});

describe('SalesforceStore on the columnar tables', () => {
  const newStore = () => {
    let clock = T0;
    const store = new SalesforceStore({ now: () => (clock += 1000) });
    const user = store.insert('User', { Username: 'u@example.com', LastName: 'User', Email: 'u@example.com' }, { userId: '' });
    return { store, userId: user.Id as string };
  };

  it('rolls back an allOrNone transaction: exact previous values, removed inserts, child indexes and order restored', () => {
    const { store, userId } = newStore();
    const ctx = { userId };
    const account = store.insert('Account', { Name: 'Acme', NumberOfEmployees: 10 }, ctx);
    const other = store.insert('Account', { Name: 'Other' }, ctx);
    const contact = store.insert('Contact', { LastName: 'Lee', AccountId: account.Id as string }, ctx);
    const before = store.get('Account', account.Id as string);
    const orderBefore = [...store.table('Account').keys()];
    expect(() =>
      store.transaction(() => {
        store.update('Account', account.Id as string, { Name: 'Renamed', NumberOfEmployees: null }, ctx);
        store.update('Contact', contact.Id as string, { AccountId: other.Id as string }, ctx);
        store.insert('Contact', { LastName: 'New', AccountId: account.Id as string }, ctx);
        store.delete('Account', other.Id as string, ctx);
        throw new Error('a later record failed');
      }),
    ).toThrow('a later record failed');
    expect(store.get('Account', account.Id as string)).toEqual(before);
    expect(store.get('Account', other.Id as string)!.IsDeleted).toBe(false);
    expect(store.count('Contact')).toBe(1);
    expect(store.children('Contact', 'AccountId', account.Id as string)).toEqual([contact.Id]);
    expect(store.children('Contact', 'AccountId', other.Id as string)).toEqual([]);
    // the undo writes move records like any write; every record is there once
    expect(new Set(store.table('Account').keys())).toEqual(new Set(orderBefore));
    expect(store.table('Account').size).toBe(2);
  });

  it('writes OpportunityHistory on create and on a stage change, and rolls the line items up into Amount', () => {
    const { store, userId } = newStore();
    const ctx = { userId };
    const account = store.insert('Account', { Name: 'Acme' }, ctx);
    const product = store.insert('Product2', { Name: 'Core', ProductCode: 'CORE', IsActive: true }, ctx);
    const book = store.insert('Pricebook2', { Name: 'Standard', IsActive: true }, ctx);
    const entry = store.insert('PricebookEntry', { Pricebook2Id: book.Id as string, Product2Id: product.Id as string, UnitPrice: 100, IsActive: true }, ctx);
    const opp = store.insert('Opportunity', { Name: 'Deal', AccountId: account.Id as string, StageName: 'Prospecting', CloseDate: '2026-12-31', Amount: 500 }, ctx);
    store.update('Opportunity', opp.Id as string, { StageName: 'Closed Won' }, ctx);
    const item = store.insert('OpportunityLineItem', { OpportunityId: opp.Id as string, PricebookEntryId: entry.Id as string, Quantity: 3 }, ctx);
    expect(store.get('OpportunityLineItem', item.Id as string)).toMatchObject({ Product2Id: product.Id, Name: 'Core', ProductCode: 'CORE', ListPrice: 100, UnitPrice: 100, TotalPrice: 300 });
    expect(store.get('Opportunity', opp.Id as string)).toMatchObject({ Amount: 300, HasOpportunityLineItem: true, IsClosed: true, IsWon: true, Probability: 100, ExpectedRevenue: 300, FiscalYear: 2026, FiscalQuarter: 4 });
    const history = [...store.table('OpportunityHistory').values()].map((h) => [h.StageName, h.Amount, h.PrevAmount, h.Probability, h.ForecastCategory]);
    expect(history).toEqual([
      ['Prospecting', 500, null, 10, 'Pipeline'],
      ['Closed Won', 500, 500, 100, 'Closed'],
      ['Closed Won', 300, 500, 100, 'Closed'],
    ]);
    expect(store.children('OpportunityHistory', 'OpportunityId', opp.Id as string)).toHaveLength(3);
  });

  it('derives Task AccountId through WhatId, and finds records by external id case-insensitively until deleted', () => {
    const { store, userId } = newStore();
    const ctx = { userId };
    const account = store.insert('Account', { Name: 'Acme', External_Key__c: 'ACME-1' }, ctx);
    const opp = store.insert('Opportunity', { Name: 'Deal', AccountId: account.Id as string, StageName: 'Prospecting', CloseDate: '2026-12-31' }, ctx);
    const task = store.insert('Task', { Subject: 'Call', WhatId: opp.Id as string, Status: 'Completed' }, ctx);
    expect(store.get('Task', task.Id as string)).toMatchObject({ AccountId: account.Id, IsClosed: true, CompletedDateTime: task.LastModifiedDate });
    expect(store.children('Task', 'AccountId', account.Id as string)).toEqual([task.Id]);
    expect(store.byExternalId('Account', 'External_Key__c', 'acme-1').map((r) => r.Id)).toEqual([account.Id]);
    store.delete('Account', account.Id as string, ctx);
    expect(store.byExternalId('Account', 'External_Key__c', 'acme-1')).toEqual([]);
    expect(store.get('Account', account.Id as string)!.IsDeleted).toBe(true);
  });

  it('sorts each table by SystemModstamp then Id after seeding', () => {
    const { store, userId } = newStore();
    const late = store.insert('Account', { Name: 'Late' }, { userId, at: T0 + 50_000 });
    const early = store.insert('Account', { Name: 'Early' }, { userId, at: T0 + 10_000 });
    const tie = store.insert('Account', { Name: 'Tie' }, { userId, at: T0 + 10_000 });
    store.sortByModstamp();
    expect([...store.table('Account').keys()]).toEqual([early.Id, tie.Id, late.Id]);
  });
});
