/**
 * HubSpot sandbox, v3 objects through the unmodified SDK: list paging over every page, inline
 * associations, single-record CRUD with exact status codes, property history, goal targets, and
 * the error bodies for bad input.
 */
import { Client } from '@hubspot/api-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smallSeedOrg } from '../../src/sandbox/hubspot/fixtures.js';
import { findObjectType } from '../../src/sandbox/hubspot/objectTypes.js';
import { HsRecord } from '../../src/sandbox/hubspot/records.js';
import { startHubSpotSandbox } from '../../src/sandbox/hubspot/server.js';
import { failure } from '../helpers/sdkFailure.js';

type Sandbox = Awaited<ReturnType<typeof startHubSpotSandbox>>;

// 25 seed accounts: 20 live in HubSpot (i % 5 !== 3), each with 2 contacts, 1 deal, 1 line item, 1 call, 1 note.
const seed = smallSeedOrg({ accounts: 25 });
let sb: Sandbox;
let client: Client;

beforeAll(async () => {
  sb = await startHubSpotSandbox({ seed });
  client = new Client({ accessToken: sb.token, basePath: sb.url });
});
afterAll(async () => sb.close());

describe('list', () => {
  it('pages through every company: 7 per page, opaque after, no paging on the last page', async () => {
    const pages: { count: number; after: string | undefined }[] = [];
    const ids: string[] = [];
    let after: string | undefined;
    do {
      const page = await client.crm.companies.basicApi.getPage(7, after, ['name', 'domain']);
      ids.push(...page.results.map((r) => r.id));
      after = page.paging?.next?.after;
      pages.push({ count: page.results.length, after });
    } while (after);
    expect(pages.map((p) => p.count)).toEqual([7, 7, 6]);
    expect(pages[2]!.after).toBeUndefined();
    expect(pages[0]!.after).not.toMatch(/^\d+$/);
    const expected = seed.accounts.filter((a) => a.crm !== 'salesforce').map((a) => sb.externalId(a.key));
    expect(ids).toEqual(expected);
  });

  it('getAll walks 100-record pages and returns every record of each type, counts equal to the seed', async () => {
    const hubspotAccounts = new Set(seed.accounts.filter((a) => a.crm !== 'salesforce').map((a) => a.key));
    expect((await client.crm.companies.getAll()).length).toBe(20);
    expect((await client.crm.contacts.getAll()).length).toBe(seed.contacts.filter((c) => hubspotAccounts.has(c.accountKey)).length);
    expect((await client.crm.deals.getAll()).length).toBe(20);
    expect((await client.crm.lineItems.getAll()).length).toBe(20);
    expect((await client.crm.tickets.getAll()).length).toBe(seed.tickets.filter((t) => hubspotAccounts.has(t.accountKey)).length);
    expect((await client.crm.products.getAll()).length).toBe(2);
  });

  it('defaults to 10 per page and to the default properties plus the three system ones', async () => {
    const page = await client.crm.companies.basicApi.getPage();
    expect(page.results).toHaveLength(10);
    expect(Object.keys(page.results[0]!.properties).sort()).toEqual(['createdate', 'domain', 'hs_lastmodifieddate', 'hs_object_id', 'name']);
    expect(page.results[0]!.properties.name).toBe('Account 0000');
  });

  it('serves every property value as a string, null for requested but unset ones', async () => {
    const page = await client.crm.companies.basicApi.getPage(1, undefined, ['numberofemployees', 'annualrevenue', 'phone', 'renewal_date']);
    expect(page.results[0]!.properties).toMatchObject({ numberofemployees: '100', annualrevenue: '1000000', phone: null, renewal_date: '2027-01-31' });
  });

  it('inlines associations: companies listed twice (labelled and unlabelled), line items under "line items"', async () => {
    const page = await client.crm.deals.basicApi.getPage(1, undefined, ['dealname'], undefined, ['companies', 'line_items', 'notes']);
    const deal = page.results[0]!;
    const company = sb.externalId('acct-0000');
    expect(deal.associations?.companies?.results).toEqual([
      { id: company, type: 'deal_to_company' },
      { id: company, type: 'deal_to_company_unlabeled' },
    ]);
    expect(deal.associations?.['line items']?.results).toEqual([{ id: sb.externalId('li-0000'), type: 'deal_to_line_item' }]);
    expect(deal.associations?.notes?.results).toEqual([{ id: sb.externalId('act-0000-1'), type: 'deal_to_note' }]);
  });

  it('accepts comma-separated properties/associations and type ids in the path', async () => {
    const res = await client.apiRequest({ method: 'GET', path: '/crm/v3/objects/0-3?limit=2&properties=dealname,amount&associations=companies,contacts' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json;charset=utf-8');
    const body = (await res.json()) as { results: { properties: Record<string, string>; associations?: Record<string, unknown> }[] };
    expect(body.results).toHaveLength(2);
    expect(Object.keys(body.results[0]!.properties).sort()).toEqual(['amount', 'createdate', 'dealname', 'hs_lastmodifieddate', 'hs_object_id']);
    expect(Object.keys(body.results[0]!.associations ?? {})).toEqual(['companies']);
  });

  it('returns 400 for limit above 100 and for an unknown object type', async () => {
    const tooMany = await failure(client.crm.companies.basicApi.getPage(101));
    expect(tooMany.code).toBe(400);
    expect(tooMany.body).toMatchObject({ status: 'error', category: 'VALIDATION_ERROR' });
    const unknown = await failure(client.crm.objects.basicApi.getPage('widgets', 10));
    expect(unknown.code).toBe(400);
    expect(unknown.body).toMatchObject({ status: 'error', category: 'VALIDATION_ERROR', message: 'Unable to infer object type from: widgets' });
    expect(typeof unknown.body.correlationId).toBe('string');
  });

  it('serves at most 50 records per list page when property history is requested', async () => {
    const portal = sb.hubspot.portal;
    const tasks = findObjectType('tasks')!;
    for (let i = 0; i < 60; i++) portal.insert(tasks, new HsRecord(portal.allocateId(), { hs_task_subject: `t${i}` }, Date.UTC(2025, 0, 1), Date.UTC(2025, 0, 1)));
    const page = await client.crm.objects.tasks.basicApi.getPage(100, undefined, ['hs_task_subject'], ['hs_task_subject']);
    expect(page.results).toHaveLength(50);
    expect(page.results[0]!.propertiesWithHistory?.hs_task_subject?.[0]?.value).toBe('t0');
    expect(page.paging?.next?.after).toBeDefined();
    const plain = await client.crm.objects.tasks.basicApi.getPage(100);
    expect(plain.results).toHaveLength(60);
  });

  it('serves deal history for dealstage, closedate and amount, newest first', async () => {
    const id = sb.externalId('deal-0000')!;
    const deal = await client.crm.deals.basicApi.getById(id, ['dealstage'], ['dealstage', 'closedate', 'amount']);
    expect(deal.propertiesWithHistory?.dealstage?.map((h) => [h.value, h.timestamp.toISOString()])).toEqual([
      ['closedwon', '2026-09-01T09:00:00.000Z'],
      ['presentationscheduled', '2026-07-01T09:00:00.000Z'],
      ['appointmentscheduled', '2026-06-01T09:00:00.000Z'],
    ]);
    expect(deal.propertiesWithHistory?.closedate?.map((h) => h.value)).toEqual(['2026-12-15T00:00:00.000Z', '2026-11-30T00:00:00.000Z']);
    expect(deal.propertiesWithHistory?.amount?.map((h) => h.value)).toEqual(['10000']);
  });

  it('serves quotas as goal_targets', async () => {
    const goals = await client.crm.objects.goals.basicApi.getPage(10, undefined, ['hs_goal_name', 'hs_target_amount', 'hs_start_datetime', 'hs_end_datetime', 'hubspot_owner_id', 'hs_assignee_user_id']);
    expect(goals.results).toHaveLength(2);
    expect(goals.results[0]!.properties).toMatchObject({
      hs_target_amount: '500000',
      hs_start_datetime: '2026-10-01T00:00:00.000Z',
      hs_end_datetime: '2026-12-31T23:59:59.999Z',
      hubspot_owner_id: sb.externalId('own-1'),
      hs_assignee_user_id: '9000001',
    });
  });

  it('maps seeded activities to engagement objects with their properties and associations', async () => {
    const call = await client.crm.objects.calls.basicApi.getById(sb.externalId('act-0001-0')!, ['hs_call_direction', 'hs_timestamp', 'hs_call_title', 'hubspot_owner_id'], undefined, ['companies', 'contacts']);
    expect(call.properties).toMatchObject({ hs_call_direction: 'OUTBOUND', hs_timestamp: '2026-10-01T12:00:00.000Z', hs_call_title: 'call 0001', hubspot_owner_id: sb.externalId('own-2') });
    expect(call.associations?.companies?.results).toEqual([{ id: sb.externalId('acct-0001'), type: 'call_to_company' }]);
    expect(call.associations?.contacts?.results).toEqual([{ id: sb.externalId('cont-0001-0'), type: 'call_to_contact' }]);
  });
});

describe('single record', () => {
  it('creates (201), reads, updates (200) and archives (204) a company, keeping hs_lastmodifieddate current', async () => {
    const created = await client.crm.companies.basicApi.create({ properties: { name: 'Initech', domain: 'initech.example', numberofemployees: 50 as unknown as string }, associations: [] });
    expect(created.properties).toMatchObject({ name: 'Initech', domain: 'initech.example', numberofemployees: '50', hs_object_id: created.id });
    expect(created.createdAt.getTime()).toBe(created.updatedAt.getTime());

    await new Promise((r) => setTimeout(r, 5));
    const updated = await client.crm.companies.basicApi.update(created.id, { properties: { name: 'Initech Corp', domain: '' } });
    expect(updated.properties.name).toBe('Initech Corp');
    expect(updated.updatedAt.getTime()).toBeGreaterThan(created.updatedAt.getTime());
    expect(updated.properties.hs_lastmodifieddate).toBe(updated.updatedAt.toISOString());

    const read = await client.crm.companies.basicApi.getById(created.id, ['name', 'domain', 'numberofemployees']);
    expect(read.properties).toMatchObject({ name: 'Initech Corp', domain: null, numberofemployees: '50' });

    await client.crm.companies.basicApi.archive(created.id);
    expect((await failure(client.crm.companies.basicApi.getById(created.id))).code).toBe(404);
    const archived = await client.crm.companies.basicApi.getById(created.id, undefined, undefined, undefined, true);
    expect(archived.archived).toBe(true);
    const archivedList = await client.crm.companies.basicApi.getPage(100, undefined, undefined, undefined, undefined, true);
    expect(archivedList.results.map((r) => r.id)).toEqual([created.id]);
  });

  it('maintains lastmodifieddate (not hs_lastmodifieddate) on contacts', async () => {
    const c = await client.crm.contacts.basicApi.create({ properties: { email: 'new.person@example.com', firstname: 'New' }, associations: [] });
    expect(c.properties.lastmodifieddate).toBe(c.updatedAt.toISOString());
    expect(c.properties.hs_lastmodifieddate).toBeUndefined();
  });

  it('creates with inline associations', async () => {
    const company = sb.externalId('acct-0002')!;
    const task = await client.crm.objects.tasks.basicApi.create({
      properties: { hs_task_subject: 'Call back', hs_timestamp: '1790000000000', hs_task_status: 'NOT_STARTED' },
      associations: [{ to: { id: company }, types: [{ associationCategory: 'HUBSPOT_DEFINED' as never, associationTypeId: 192 }] }],
    });
    expect(task.properties.hs_timestamp).toBe(new Date(1790000000000).toISOString());
    const read = await client.crm.objects.tasks.basicApi.getById(task.id, undefined, undefined, ['companies']);
    expect(read.associations?.companies?.results).toEqual([{ id: company, type: 'task_to_company' }]);
  });

  it('rejects an unknown property with HubSpot\'s PROPERTY_DOESNT_EXIST body and writes nothing', async () => {
    const before = (await client.crm.companies.getAll()).length;
    const err = await failure(client.crm.companies.basicApi.create({ properties: { name: 'X', no_such_prop: 'y' }, associations: [] }));
    expect(err.code).toBe(400);
    expect(err.body.category).toBe('VALIDATION_ERROR');
    expect(err.body.message).toMatch(/^Property values were not valid: \[/);
    const detail = JSON.parse(String(err.body.message).replace('Property values were not valid: ', '')) as { error: string; name: string }[];
    expect(detail).toMatchObject([{ isValid: false, error: 'PROPERTY_DOESNT_EXIST', name: 'no_such_prop', message: 'Property "no_such_prop" does not exist' }]);
    expect((await client.crm.companies.getAll()).length).toBe(before);
  });

  it('rejects a non-number for a number property, and a write to a read-only property', async () => {
    const id = sb.externalId('deal-0001')!;
    const bad = await failure(client.crm.deals.basicApi.update(id, { properties: { amount: 'lots' } }));
    expect(bad.code).toBe(400);
    expect(bad.body.message).toContain('INVALID_FLOAT');
    const ro = await failure(client.crm.deals.basicApi.update(id, { properties: { hs_object_id: '5' } }));
    expect(ro.code).toBe(400);
    expect(ro.body.message).toContain('READ_ONLY_VALUE');
  });

  it('returns 404 OBJECT_NOT_FOUND for an unknown id and 400 for malformed JSON, without crashing', async () => {
    const missing = await failure(client.crm.deals.basicApi.getById('999999999'));
    expect(missing.code).toBe(404);
    expect(missing.body).toMatchObject({ status: 'error', category: 'OBJECT_NOT_FOUND' });
    const res = await fetch(`${sb.url}/crm/v3/objects/deals`, {
      method: 'POST', headers: { Authorization: `Bearer ${sb.token}`, 'Content-Type': 'application/json' }, body: '{"properties": {',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/json;charset=utf-8');
    expect(await res.json()).toMatchObject({ status: 'error', category: 'VALIDATION_ERROR' });
    const wrongType = await fetch(`${sb.url}/crm/v3/objects/deals`, {
      method: 'POST', headers: { Authorization: `Bearer ${sb.token}`, 'Content-Type': 'application/json' }, body: '{"properties": [1,2]}',
    });
    expect(wrongType.status).toBe(400);
    const stillUp = await client.crm.deals.basicApi.getPage(1);
    expect(stillUp.results).toHaveLength(1);
  });
});
