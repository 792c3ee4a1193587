import jsforce, { type Connection } from 'jsforce';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { tinySeedOrg } from '../../src/sandbox/salesforce/fixtures.js';
import { startSalesforceSandbox, type RunningSalesforceSandbox } from '../../src/sandbox/salesforce/server.js';

let sb: RunningSalesforceSandbox;
let conn: Connection;

beforeAll(async () => {
  sb = await startSalesforceSandbox({ seed: tinySeedOrg(), now: () => new Date('2026-11-15T12:00:00Z') });
  conn = new jsforce.Connection({ instanceUrl: sb.url, accessToken: sb.token, version: '62.0' });
});
afterAll(() => sb.close());
beforeEach(() => sb.stats.reset());

const countAccounts = async () => (await conn.query('SELECT COUNT() FROM Account')).totalSize;

describe('sObject Collections', () => {
  it('creates up to 200 records in one call with one SaveResult each', async () => {
    const before = await countAccounts();
    const records = Array.from({ length: 200 }, (_, i) => ({ Name: `Collection ${i}` }));
    const results = await conn.sobject('Account').create(records);
    expect(results).toHaveLength(200);
    expect(results.every((r) => r.success && /^001/.test(r.id!))).toBe(true);
    expect(await countAccounts()).toBe(before + 200);
    expect(sb.stats.snapshot().calls.byRoute['POST /services/data/vXX/composite/sobjects']).toBe(1);
    expect(sb.stats.snapshot().records.written).toBe(200);
  });

  it('rejects more than 200 records with a 400 and writes nothing', async () => {
    const before = await countAccounts();
    const records = Array.from({ length: 201 }, (_, i) => ({ Name: `Too many ${i}` }));
    await expect(conn.sobject('Account').create(records)).rejects.toMatchObject({ errorCode: 'EXCEEDED_ID_LIMIT' });
    expect(await countAccounts()).toBe(before);
  });

  it('reports partial failure per record with allOrNone false', async () => {
    const results = await conn.sobject('Contact').create([
      { LastName: 'Good', AccountId: sb.externalId('acct-1') },
      { FirstName: 'NoLastName' },
      { LastName: 'Bad', Nope__c: 'x' },
    ]);
    expect(results[0]).toMatchObject({ success: true, errors: [] });
    expect(results[1]).toEqual({ success: false, errors: [{ statusCode: 'REQUIRED_FIELD_MISSING', message: 'Required fields are missing: [LastName]', fields: ['LastName'] }] });
    expect(results[2]).toMatchObject({ success: false, errors: [{ statusCode: 'INVALID_FIELD', fields: ['Nope__c'] }] });
    const kept = await conn.query(`SELECT Id FROM Contact WHERE Id = '${results[0]!.id}'`);
    expect(kept.totalSize).toBe(1);
  });

  it('rolls everything back with allOrNone true', async () => {
    const before = await countAccounts();
    const results = await conn.sobject('Account').create([{ Name: 'Kept?' }, { Industry: 'No name' }], { allOrNone: true });
    expect(results).toEqual([
      { success: false, errors: [{ statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK', message: 'Record rolled back because not all records were valid and the request was using AllOrNone header', fields: [] }] },
      { success: false, errors: [{ statusCode: 'REQUIRED_FIELD_MISSING', message: 'Required fields are missing: [Name]', fields: ['Name'] }] },
    ]);
    expect(await countAccounts()).toBe(before);
    expect(sb.stats.snapshot().records.written).toBe(0);
  });

  it('updates, upserts, retrieves and deletes in batches', async () => {
    const created = await conn.sobject('Account').create([{ Name: 'U1' }, { Name: 'U2' }]);
    const ids = created.map((r) => r.id!);
    const updated = await conn.sobject('Account').update([{ Id: ids[0]!, Industry: 'Media' }, { Id: ids[1]!, Industry: 'Energy' }, { Id: '001000000000000AAA', Industry: 'x' }]);
    expect(updated.map((r) => r.success)).toEqual([true, true, false]);
    const upserted = await conn.sobject('Account').upsert([{ External_Key__c: 'K-1', Name: 'Up One' }, { External_Key__c: 'K-1', Name: 'Up One again' }], 'External_Key__c');
    expect(upserted.map((r) => [r.success, (r as { created?: boolean }).created])).toEqual([[true, true], [true, false]]);
    const retrieved = await conn.sobject('Account').retrieve([...ids, '001000000000000AAA'], { fields: ['Name', 'Industry'] });
    expect(retrieved.map((r) => (r ? [r.Name, r.Industry] : null))).toEqual([['U1', 'Media'], ['U2', 'Energy'], null]);
    const removed = await conn.sobject('Account').destroy(ids);
    expect(removed.map((r) => [r.id, r.success])).toEqual([[ids[0], true], [ids[1], true]]);
    const snapshot = sb.stats.snapshot().calls.byRoute;
    expect(snapshot).toMatchObject({
      'PATCH /services/data/vXX/composite/sobjects': 1,
      'PATCH /services/data/vXX/composite/sobjects/Account/External_Key__c': 1,
      'POST /services/data/vXX/composite/sobjects/Account': 1,
      'DELETE /services/data/vXX/composite/sobjects': 1,
    });
  });
});

describe('Composite', () => {
  it('runs subrequests with @{ref} substitution as one API call', async () => {
    const response = await conn.requestPost<{ compositeResponse: Array<{ body: any; httpStatusCode: number; referenceId: string }> }>('/composite', {
      allOrNone: true,
      compositeRequest: [
        { method: 'POST', url: '/services/data/v62.0/sobjects/Account', referenceId: 'newAccount', body: { Name: 'Composite Co' } },
        { method: 'GET', url: "/services/data/v62.0/query?q=SELECT+Id+FROM+User+WHERE+Email='rita.rep@example.com'", referenceId: 'rep' },
        { method: 'POST', url: '/services/data/v62.0/sobjects/Task', referenceId: 'task', body: { Subject: 'Call Composite Co', WhatId: '@{newAccount.id}', OwnerId: '@{rep.records[0].Id}' } },
        { method: 'GET', url: '/services/data/v62.0/sobjects/Task/@{task.id}?fields=Subject,AccountId,OwnerId', referenceId: 'readBack' },
      ],
    });
    expect(response.compositeResponse.map((r) => [r.referenceId, r.httpStatusCode])).toEqual([['newAccount', 201], ['rep', 200], ['task', 201], ['readBack', 200]]);
    const [account, rep, , readBack] = response.compositeResponse;
    expect(readBack!.body).toMatchObject({ Subject: 'Call Composite Co', AccountId: account!.body.id, OwnerId: rep!.body.records[0].Id });
    expect(sb.stats.snapshot().calls).toEqual({ total: 1, byRoute: { 'POST /services/data/vXX/composite': 1 } });
  });

  it('rolls back and halts the rest with allOrNone when a subrequest fails', async () => {
    const before = await countAccounts();
    const response = await conn.requestPost<{ compositeResponse: Array<{ body: any; httpStatusCode: number }> }>('/composite', {
      allOrNone: true,
      compositeRequest: [
        { method: 'POST', url: '/services/data/v62.0/sobjects/Account', referenceId: 'a', body: { Name: 'Rolled back' } },
        { method: 'POST', url: '/services/data/v62.0/sobjects/Account', referenceId: 'b', body: { Industry: 'no name' } },
        { method: 'POST', url: '/services/data/v62.0/sobjects/Contact', referenceId: 'c', body: { LastName: 'X', AccountId: '@{a.id}' } },
      ],
    });
    expect(response.compositeResponse.map((r) => [r.httpStatusCode, r.body[0].errorCode])).toEqual([
      [400, 'PROCESSING_HALTED'], [400, 'REQUIRED_FIELD_MISSING'], [400, 'PROCESSING_HALTED'],
    ]);
    expect(await countAccounts()).toBe(before);
  });

  it('halts dependents of a failed subrequest without allOrNone', async () => {
    const response = await conn.requestPost<{ compositeResponse: Array<{ body: any; httpStatusCode: number }> }>('/composite', {
      compositeRequest: [
        { method: 'POST', url: '/services/data/v62.0/sobjects/Account', referenceId: 'bad', body: { Industry: 'no name' } },
        { method: 'POST', url: '/services/data/v62.0/sobjects/Contact', referenceId: 'dependent', body: { LastName: 'X', AccountId: '@{bad.id}' } },
        { method: 'POST', url: '/services/data/v62.0/sobjects/Account', referenceId: 'independent', body: { Name: 'Independent Co' } },
      ],
    });
    expect(response.compositeResponse.map((r) => r.httpStatusCode)).toEqual([400, 400, 201]);
    expect(response.compositeResponse[1]!.body[0].errorCode).toBe('PROCESSING_HALTED');
  });

  it('rejects more than 25 subrequests or more than 5 query/collection subrequests', async () => {
    const many = Array.from({ length: 26 }, (_, i) => ({ method: 'GET', url: '/services/data/v62.0/limits', referenceId: `r${i}` }));
    await expect(conn.requestPost('/composite', { compositeRequest: many })).rejects.toMatchObject({ errorCode: 'INVALID_BATCH_REQUEST' });
    const queries = Array.from({ length: 6 }, (_, i) => ({ method: 'GET', url: '/services/data/v62.0/query?q=SELECT+Id+FROM+User', referenceId: `q${i}` }));
    await expect(conn.requestPost('/composite', { compositeRequest: queries })).rejects.toMatchObject({ errorCode: 'INVALID_BATCH_REQUEST' });
  });
});
