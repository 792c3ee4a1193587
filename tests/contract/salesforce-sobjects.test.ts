import jsforce, { type Connection } from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tinySeedOrg } from '../../src/sandbox/salesforce/fixtures.js';
import { startSalesforceSandbox, type RunningSalesforceSandbox } from '../../src/sandbox/salesforce/server.js';

let clock = new Date('2026-11-15T12:00:00Z');
const tick = (ms: number) => (clock = new Date(clock.getTime() + ms));
let sb: RunningSalesforceSandbox;
let conn: Connection;

beforeAll(async () => {
  sb = await startSalesforceSandbox({ seed: tinySeedOrg(), now: () => clock });
  conn = new jsforce.Connection({ instanceUrl: sb.url, accessToken: sb.token, version: '62.0' });
});
afterAll(() => sb.close());

const raw = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${sb.url}/services/data/v62.0${path}`, {
    method,
    headers: { Authorization: `Bearer ${sb.token}`, 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
};

describe('single-record CRUD', () => {
  it('creates (201), reads with ?fields=, updates (204) and deletes (204)', async () => {
    const createdRes = await raw('POST', '/sobjects/Account', { Name: 'Woodgrove Bank', Industry: 'Banking', NumberOfEmployees: 42 });
    expect(createdRes.status).toBe(201);
    expect(createdRes.body).toEqual({ id: expect.stringMatching(/^001\w{15}$/), success: true, errors: [] });
    const id: string = createdRes.body.id;

    const fetched = await conn.sobject('Account').retrieve(id);
    expect(fetched).toMatchObject({ attributes: { type: 'Account' }, Id: id, Name: 'Woodgrove Bank', Industry: 'Banking', NumberOfEmployees: 42, IsDeleted: false });
    expect(fetched.CreatedDate).toBe('2026-11-15T12:00:00.000+0000');

    const some = await raw('GET', `/sobjects/Account/${id}?fields=Name,OwnerId`);
    expect(some.body).toEqual({ attributes: { type: 'Account', url: `/services/data/v62.0/sobjects/Account/${id}` }, Name: 'Woodgrove Bank', OwnerId: expect.stringMatching(/^005/) });

    tick(60_000);
    const patch = await raw('PATCH', `/sobjects/Account/${id}`, { Industry: 'Finance' });
    expect(patch.status).toBe(204);
    const updated = await conn.sobject('Account').retrieve(id);
    expect(updated.Industry).toBe('Finance');
    expect(updated.LastModifiedDate).toBe('2026-11-15T12:01:00.000+0000');
    expect(updated.SystemModstamp).toBe('2026-11-15T12:01:00.000+0000');

    const del = await raw('DELETE', `/sobjects/Account/${id}`);
    expect(del.status).toBe(204);
    expect(await raw('GET', `/sobjects/Account/${id}`)).toMatchObject({ status: 404, body: [{ errorCode: 'NOT_FOUND' }] });
  });

  it('reports field errors per record: unknown, required, wrong type, read-only, bad picklist', async () => {
    expect(await raw('POST', '/sobjects/Account', { Name: 'X', Bogus__c: 1 })).toMatchObject({ status: 400, body: [{ errorCode: 'INVALID_FIELD', fields: ['Bogus__c'] }] });
    expect(await raw('POST', '/sobjects/Opportunity', { Name: 'No stage' })).toMatchObject({
      status: 400, body: [{ errorCode: 'REQUIRED_FIELD_MISSING', message: 'Required fields are missing: [StageName, CloseDate]', fields: ['StageName', 'CloseDate'] }],
    });
    expect(await raw('POST', '/sobjects/Account', { Name: 'X', NumberOfEmployees: 'many' })).toMatchObject({ status: 400, body: [{ errorCode: 'INVALID_TYPE_ON_FIELD_IN_RECORD', fields: ['NumberOfEmployees'] }] });
    expect(await raw('POST', '/sobjects/Opportunity', { Name: 'X', StageName: 'Prospecting', CloseDate: '2026-12-01', IsWon: true })).toMatchObject({
      status: 400, body: [{ errorCode: 'INVALID_FIELD_FOR_INSERT_UPDATE', fields: ['IsWon'] }],
    });
    expect(await raw('POST', '/sobjects/Opportunity', { Name: 'X', StageName: 'Dreaming', CloseDate: '2026-12-01' })).toMatchObject({
      status: 400, body: [{ errorCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST' }],
    });
    expect(await raw('POST', '/sobjects/Contact', { LastName: 'X', AccountId: 'notanid' })).toMatchObject({ status: 400, body: [{ errorCode: 'MALFORMED_ID' }] });
    expect(await raw('POST', '/sobjects/Account', '{"Name": ')).toMatchObject({ status: 400, body: [{ errorCode: 'JSON_PARSER_ERROR' }] });
    expect(await raw('POST', '/sobjects/Widget', { Name: 'X' })).toMatchObject({ status: 404, body: [{ errorCode: 'NOT_FOUND' }] });
    await expect(conn.sobject('Account').create({ Name: 'X', Nope: 1 })).rejects.toMatchObject({ errorCode: 'INVALID_FIELD' });
  });

  it('upserts by external id: 201 created, then 200 updated', async () => {
    const first = await raw('PATCH', '/sobjects/Account/External_Key__c/EXT-1', { Name: 'Upserted Co' });
    expect(first).toMatchObject({ status: 201, body: { success: true, created: true, errors: [] } });
    const second = await raw('PATCH', '/sobjects/Account/External_Key__c/EXT-1', { Name: 'Upserted Co 2' });
    expect(second).toMatchObject({ status: 200, body: { id: first.body.id, success: true, created: false } });
    const viaJsforce = await conn.sobject('Account').upsert({ External_Key__c: 'EXT-1', Industry: 'Energy' }, 'External_Key__c');
    expect(viaJsforce).toMatchObject({ id: first.body.id, success: true });
    const record = (await conn.sobject('Account').retrieve(first.body.id as string)) as Record<string, unknown>;
    expect([record.Name, record.Industry, record.External_Key__c]).toEqual(['Upserted Co 2', 'Energy', 'EXT-1']);
  });
});

describe('describe', () => {
  it('lists sObjects and describes fields and child relationships', async () => {
    const global = await conn.describeGlobal();
    expect(global.sobjects.map((s) => s.name)).toEqual(expect.arrayContaining([
      'Account', 'Contact', 'User', 'UserRole', 'Opportunity', 'OpportunityStage', 'OpportunityHistory', 'OpportunityLineItem',
      'Product2', 'Pricebook2', 'PricebookEntry', 'Task', 'Event', 'Case', 'ForecastingQuota', 'ForecastingType', 'Period',
    ]));
    const opp = await conn.sobject('Opportunity').describe();
    const field = (name: string) => opp.fields.find((f) => f.name === name);
    expect(field('AccountId')).toMatchObject({ type: 'reference', relationshipName: 'Account', referenceTo: ['Account'], updateable: true, custom: false });
    expect(field('IsWon')).toMatchObject({ type: 'boolean', updateable: false, createable: false });
    expect(field('External_Key__c')).toMatchObject({ custom: true, externalId: true });
    expect(opp.childRelationships).toEqual(expect.arrayContaining([
      expect.objectContaining({ childSObject: 'OpportunityLineItem', field: 'OpportunityId', relationshipName: 'OpportunityLineItems' }),
      expect.objectContaining({ childSObject: 'OpportunityHistory', field: 'OpportunityId', relationshipName: 'OpportunityHistories' }),
      expect.objectContaining({ childSObject: 'Task', field: 'WhatId', relationshipName: 'Tasks' }),
    ]));
    const task = await conn.sobject('Task').describe();
    expect(task.fields.find((f) => f.name === 'TaskSubtype')?.picklistValues?.map((p) => p.value)).toEqual(expect.arrayContaining(['Call', 'Email', 'Task']));
    const kase = await conn.sobject('Case').describe();
    expect(kase.fields.find((f) => f.name === 'Priority')?.picklistValues?.map((p) => p.value)).toEqual(['High', 'Medium', 'Low', 'Critical']);
  });
});

describe('seeded data', () => {
  it('loads users with managers and roles, stages, quotas, activities and cases', async () => {
    const users = await conn.query<any>('SELECT Name, Email, IsActive, Manager.Email, UserRole.Name FROM User ORDER BY Name');
    expect(users.records.map((u) => [u.Name, u.IsActive, u.Manager?.Email ?? null, u.UserRole?.Name ?? null])).toEqual([
      ['Hana Head', true, null, 'Sales Leadership'],
      ['Integration User', true, null, null],
      ['Milo Manager', true, 'hana.head@example.com', 'East'],
      ['Rita Rep', true, 'milo.manager@example.com', 'East'],
      ['Sam Seller', false, 'milo.manager@example.com', 'West'],
    ]);
    const stages = await conn.query<any>('SELECT MasterLabel, DefaultProbability, IsClosed, IsWon, ForecastCategoryName FROM OpportunityStage ORDER BY SortOrder');
    // the 10 standard stages plus the org's custom Commit stage before Closed Won
    expect(stages.records).toHaveLength(11);
    expect(stages.records[8]).toMatchObject({ MasterLabel: 'Contract Sent', DefaultProbability: 95, IsClosed: false, IsWon: false, ForecastCategoryName: 'Commit' });
    expect(stages.records[9]).toMatchObject({ MasterLabel: 'Closed Won', DefaultProbability: 100, IsClosed: true, IsWon: true, ForecastCategoryName: 'Closed' });
    const quotas = await conn.query<any>('SELECT QuotaOwner.Email, QuotaAmount, StartDate, Period.Type, Period.EndDate, ForecastingType.DeveloperName FROM ForecastingQuota ORDER BY StartDate, QuotaAmount');
    expect(quotas.records.map((q) => [q.QuotaOwner.Email, q.QuotaAmount, q.StartDate, q.Period.Type, q.Period.EndDate, q.ForecastingType.DeveloperName])).toEqual([
      ['rita.rep@example.com', 100000, '2026-07-01', 'Quarter', '2026-09-30', 'OpportunityRevenue'],
      ['sam.seller@example.com', 90000, '2026-10-01', 'Quarter', '2026-12-31', 'OpportunityRevenue'],
      ['rita.rep@example.com', 120000, '2026-10-01', 'Quarter', '2026-12-31', 'OpportunityRevenue'],
    ]);
    const tasks = await conn.query<any>('SELECT Subject, TaskSubtype, CallType, Status, IsClosed, ActivityDate, What.Name, Who.Email, AccountId FROM Task ORDER BY ActivityDate');
    expect(tasks.records.map((t) => [t.Subject, t.TaskSubtype, t.CallType, t.Status, t.IsClosed, t.ActivityDate, t.What.Name, t.Who?.Email ?? null])).toEqual([
      ['Note', 'Task', null, 'Completed', true, '2026-09-01', 'Contoso Retail', 'cy@contoso-retail.com'],
      ['Pricing call', 'Call', 'Outbound', 'Completed', true, '2026-11-10', 'Northwind expansion', 'ada@northwind-logistics.com'],
      ['Re: onboarding', 'Email', null, 'Completed', true, '2026-11-12', 'Northwind Logistics', 'ben@northwind-logistics.com'],
      ['Follow up on renewal', 'Task', null, 'Not Started', false, '2026-11-20', 'Contoso Retail', null],
    ]);
    expect(tasks.records.every((t) => t.AccountId === sb.externalId('acct-1') || t.AccountId === sb.externalId('acct-2'))).toBe(true);
    const events = await conn.query<any>('SELECT Subject, StartDateTime, DurationInMinutes, AccountId FROM Event');
    expect(events.records.map((e) => [e.Subject, e.StartDateTime, e.DurationInMinutes, e.AccountId])).toEqual([['QBR', '2026-11-05T14:00:00.000+0000', 30, sb.externalId('acct-1')]]);
    const cases = await conn.query<any>('SELECT Subject, Priority, Status, IsClosed, IsEscalated, ClosedDate FROM Case ORDER BY CreatedDate');
    expect(cases.records.map((c) => [c.Subject, c.Priority, c.Status, c.IsClosed, c.IsEscalated, c.ClosedDate])).toEqual([
      ['Invoice question', 'Low', 'Closed', true, false, '2026-10-03T07:00:00.000+0000'],
      ['Outage in EU region', 'Critical', 'Escalated', false, true, null],
      ['SSO setup', 'Medium', 'New', false, false, null],
    ]);
    expect(sb.externalId('acct-4')).toBeUndefined();
    expect(sb.externalId('acct-5')).toMatch(/^001/);
  });
});

describe('Opportunity rules', () => {
  it('derives IsClosed/IsWon/Probability/ForecastCategoryName from the stage and writes OpportunityHistory on changes', async () => {
    const accountId = sb.externalId('acct-3')!;
    tick(60_000);
    const created = await conn.sobject('Opportunity').create({ Name: 'History test', AccountId: accountId, StageName: 'Qualification', CloseDate: '2026-12-31', Amount: 1000 });
    const id = created.id!;
    tick(60_000);
    await conn.sobject('Opportunity').update({ Id: id, StageName: 'Proposal/Price Quote' });
    tick(60_000);
    await conn.sobject('Opportunity').update({ Id: id, Amount: 1500, CloseDate: '2027-01-15' });
    tick(60_000);
    await conn.sobject('Opportunity').update({ Id: id, Description: 'not a tracked field' });
    tick(60_000);
    await conn.sobject('Opportunity').update({ Id: id, StageName: 'Closed Won' });

    const opp = await conn.sobject('Opportunity').retrieve(id);
    expect(opp).toMatchObject({ IsClosed: true, IsWon: true, Probability: 100, ForecastCategoryName: 'Closed', ForecastCategory: 'Closed', ExpectedRevenue: 1500, FiscalYear: 2027, FiscalQuarter: 1 });
    const history = await conn.query<any>(`SELECT StageName, Amount, PrevAmount, CloseDate, PrevCloseDate, Probability, ForecastCategory FROM OpportunityHistory WHERE OpportunityId = '${id}' ORDER BY CreatedDate`);
    expect(history.records.map(({ attributes: _a, ...rest }) => rest)).toEqual([
      { StageName: 'Qualification', Amount: 1000, PrevAmount: null, CloseDate: '2026-12-31', PrevCloseDate: null, Probability: 10, ForecastCategory: 'Pipeline' },
      { StageName: 'Proposal/Price Quote', Amount: 1000, PrevAmount: 1000, CloseDate: '2026-12-31', PrevCloseDate: '2026-12-31', Probability: 75, ForecastCategory: 'Pipeline' },
      { StageName: 'Proposal/Price Quote', Amount: 1500, PrevAmount: 1000, CloseDate: '2027-01-15', PrevCloseDate: '2026-12-31', Probability: 75, ForecastCategory: 'Pipeline' },
      { StageName: 'Closed Won', Amount: 1500, PrevAmount: 1500, CloseDate: '2027-01-15', PrevCloseDate: '2027-01-15', Probability: 100, ForecastCategory: 'Closed' },
    ]);
    const seeded = await conn.query<any>(`SELECT StageName, Amount FROM OpportunityHistory WHERE OpportunityId = '${sb.externalId('deal-1')}' ORDER BY CreatedDate`);
    expect(seeded.records.map((h) => [h.StageName, h.Amount])).toEqual([
      ['Prospecting', 1000], ['Proposal/Price Quote', 1000], ['Proposal/Price Quote', 1500], ['Negotiation/Review', 1500],
    ]);
  });

  it('rolls line items up into Amount', async () => {
    const oppId = sb.externalId('deal-3')!;
    const entries = await conn.query<any>("SELECT Id, UnitPrice FROM PricebookEntry WHERE ProductCode = 'ANL-1'");
    const entry = entries.records[0];
    const li = await conn.sobject('OpportunityLineItem').create({ OpportunityId: oppId, PricebookEntryId: entry.Id, Quantity: 4 });
    expect(li.success).toBe(true);
    const opp = await conn.sobject('Opportunity').retrieve(oppId);
    expect([opp.Amount, opp.HasOpportunityLineItem]).toEqual([1000, true]);
  });
});

describe('replication: updated and deleted', () => {
  it('lists ids changed and deleted in a window, with and without trailing slash', async () => {
    const start = new Date(clock.getTime() + 60_000);
    clock = new Date(start.getTime() + 30_000);
    const a = await conn.sobject('Contact').create({ LastName: 'Window', AccountId: sb.externalId('acct-1') });
    const b = await conn.sobject('Contact').create({ LastName: 'Gone', AccountId: sb.externalId('acct-1') });
    await conn.sobject('Contact').destroy(b.id!);
    const end = new Date(start.getTime() + 5 * 60_000);
    clock = new Date(end.getTime() + 60_000);

    const updated = await conn.sobject('Contact').updated(start.toISOString(), end.toISOString());
    expect(updated.ids).toEqual([a.id]);
    expect(updated.latestDateCovered).toBe(end.toISOString().replace('Z', '+0000'));
    const deleted = await conn.sobject('Contact').deleted(start.toISOString(), end.toISOString());
    expect(deleted.deletedRecords).toEqual([{ id: b.id, deletedDate: start.toISOString().replace(':00.000Z', ':30.000+0000') }]);

    const q = `start=${encodeURIComponent(start.toISOString().replace('.000Z', '+00:00'))}&end=${encodeURIComponent(end.toISOString().replace('.000Z', '+00:00'))}`;
    const slash = await raw('GET', `/sobjects/Contact/updated/?${q}`);
    expect(slash).toMatchObject({ status: 200, body: { ids: [a.id] } });
    const tooOld = await raw('GET', `/sobjects/Contact/updated/?start=2026-01-01T00:00:00%2B00:00&end=2026-01-02T00:00:00%2B00:00`);
    expect(tooOld).toMatchObject({ status: 400, body: [{ errorCode: 'INVALID_REPLICATION_DATE' }] });
  });
});

describe('Tooling CustomField', () => {
  it('adds a field to describe and makes it writable and queryable', async () => {
    const created = await conn.tooling.sobject('CustomField').create({
      FullName: 'Account.Churn_Risk_Score__c',
      Metadata: { label: 'Churn Risk Score', type: 'Number', precision: 5, scale: 2 },
    });
    expect(created).toMatchObject({ success: true, id: expect.stringMatching(/^00N/) });
    const described = await conn.sobject('Account').describe();
    expect(described.fields.find((f) => f.name === 'Churn_Risk_Score__c')).toMatchObject({ type: 'double', custom: true, updateable: true, label: 'Churn Risk Score' });
    const id = sb.externalId('acct-1')!;
    await conn.sobject('Account').update({ Id: id, Churn_Risk_Score__c: 78.5 });
    const rows = await conn.query<any>(`SELECT Churn_Risk_Score__c FROM Account WHERE Id = '${id}'`);
    expect(rows.records[0].Churn_Risk_Score__c).toBe(78.5);
    const again = await raw('POST', '/tooling/sobjects/CustomField', { FullName: 'Account.Churn_Risk_Score__c', Metadata: { label: 'x', type: 'Number' } });
    expect(again).toMatchObject({ status: 400, body: [{ errorCode: 'DUPLICATE_DEVELOPER_NAME' }] });
  });
});
