/**
 * HubSpot sandbox, metadata through the SDK: properties and groups (CRUD, batch, 409 on duplicates,
 * custom properties usable at once), pipelines with string stage metadata, owners with teams on
 * the trailing-slash path the SDK uses.
 */
import { Client } from '@hubspot/api-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smallSeedOrg } from '../../src/sandbox/hubspot/fixtures.js';
import { startHubSpotSandbox } from '../../src/sandbox/hubspot/server.js';
import { failure } from '../helpers/sdkFailure.js';

type Sandbox = Awaited<ReturnType<typeof startHubSpotSandbox>>;

let sb: Sandbox;
let client: Client;

beforeAll(async () => {
  sb = await startHubSpotSandbox({ seed: smallSeedOrg({ accounts: 5 }) });
  client = new Client({ accessToken: sb.token, basePath: sb.url });
});
afterAll(async () => sb.close());

describe('properties and groups', () => {
  it('lists HubSpot-defined and seed custom properties', async () => {
    const all = await client.crm.properties.coreApi.getAll('companies');
    const byName = new Map(all.results.map((p) => [p.name, p]));
    expect(byName.get('name')).toMatchObject({ type: 'string', fieldType: 'text', hubspotDefined: true, groupName: 'companyinformation' });
    expect(byName.get('renewal_date')).toMatchObject({ type: 'date', hubspotDefined: false });
    expect(byName.get('hs_lastmodifieddate')?.modificationMetadata?.readOnlyValue).toBe(true);
  });

  it('creates a group (201) and a property in it (201), 409 on a duplicate, and the property is usable at once', async () => {
    const group = await client.crm.properties.groupsApi.createWithHttpInfo('companies', { name: 'accountpulse', label: 'AccountPulse', displayOrder: 1 });
    expect(group.httpStatusCode).toBe(201);
    expect((await failure(client.crm.properties.groupsApi.create('companies', { name: 'accountpulse', label: 'again' }))).code).toBe(409);

    const spec = { name: 'churn_risk_score', label: 'Churn risk score', type: 'number' as never, fieldType: 'number' as never, groupName: 'accountpulse', description: 'AccountPulse churn risk' };
    const created = await client.crm.properties.coreApi.createWithHttpInfo('companies', spec);
    expect(created.httpStatusCode).toBe(201);
    expect(created.data).toMatchObject({ name: 'churn_risk_score', type: 'number', groupName: 'accountpulse', hubspotDefined: false });
    const dup = await failure(client.crm.properties.coreApi.create('companies', spec));
    expect(dup.code).toBe(409);
    expect(dup.body).toMatchObject({ status: 'error', category: 'OBJECT_ALREADY_EXISTS' });

    const id = sb.externalId('acct-0000')!;
    await client.crm.companies.batchApi.update({ inputs: [{ id, properties: { churn_risk_score: '78' } }] });
    const read = await client.crm.companies.basicApi.getById(id, ['churn_risk_score']);
    expect(read.properties.churn_risk_score).toBe('78');
    const search = await client.crm.companies.searchApi.doSearch({ filterGroups: [{ filters: [{ propertyName: 'churn_risk_score', operator: 'GT' as never, value: '50' }] }], sorts: [], properties: [], limit: 10, after: '0' });
    expect(search.results.map((r) => r.id)).toEqual([id]);
  });

  it('rejects a property in a group that does not exist', async () => {
    const err = await failure(client.crm.properties.coreApi.create('deals', { name: 'x_prop', label: 'X', type: 'string' as never, fieldType: 'text' as never, groupName: 'nope' }));
    expect(err.code).toBe(400);
  });

  it('gets (200), updates (200) and archives (204) a property; archived ones show with archived=true', async () => {
    await client.crm.properties.coreApi.create('deals', { name: 'risk_band', label: 'Risk band', type: 'enumeration' as never, fieldType: 'select' as never, groupName: 'dealinformation', options: [{ label: 'Red', value: 'red', displayOrder: 0, hidden: false }] });
    expect((await client.crm.properties.coreApi.getByName('deals', 'risk_band')).options.map((o) => o.value)).toEqual(['red']);
    const updated = await client.crm.properties.coreApi.update('deals', 'risk_band', { label: 'Risk', options: [{ label: 'Red', value: 'red', displayOrder: 0, hidden: false }, { label: 'Green', value: 'green', displayOrder: 1, hidden: false }] });
    expect(updated.label).toBe('Risk');
    const badOption = await failure(client.crm.deals.basicApi.update(sb.externalId('deal-0000')!, { properties: { risk_band: 'blue' } }));
    expect(badOption.code).toBe(400);
    await client.crm.deals.basicApi.update(sb.externalId('deal-0000')!, { properties: { risk_band: 'green' } });
    const res = await client.crm.properties.coreApi.archiveWithHttpInfo('deals', 'risk_band');
    expect(res.httpStatusCode).toBe(204);
    expect((await failure(client.crm.properties.coreApi.getByName('deals', 'risk_band'))).code).toBe(404);
    expect((await client.crm.properties.coreApi.getByName('deals', 'risk_band', true)).archived).toBe(true);
  });

  it('batch-creates (201, or 207 with the duplicates as errors) and batch-reads (200/207)', async () => {
    const p = (name: string) => ({ name, label: name, type: 'string' as never, fieldType: 'text' as never, groupName: 'contactinformation' });
    const created = await client.crm.properties.batchApi.createWithHttpInfo('contacts', { inputs: [p('ap_a'), p('ap_b')] });
    expect(created.httpStatusCode).toBe(201);
    expect(created.data.results.map((r) => r.name)).toEqual(['ap_a', 'ap_b']);
    const partial = await client.crm.properties.batchApi.createWithHttpInfo('contacts', { inputs: [p('ap_a'), p('ap_c')] });
    expect(partial.httpStatusCode).toBe(207);
    expect(partial.data.results.map((r) => r.name)).toEqual(['ap_c']);
    const read = await client.crm.properties.batchApi.readWithHttpInfo('contacts', { archived: false, inputs: [{ name: 'ap_a' }, { name: 'email' }] });
    expect(read.httpStatusCode).toBe(200);
    expect(read.data.results.map((r) => r.name).sort()).toEqual(['ap_a', 'email']);
  });

  it('lists groups', async () => {
    const groups = await client.crm.properties.groupsApi.getAll('deals');
    expect(groups.results.map((g) => g.name)).toContain('dealinformation');
  });
});

describe('pipelines', () => {
  it('serves the deal pipeline with stages and string metadata', async () => {
    const all = await client.crm.pipelines.pipelinesApi.getAll('deals');
    expect(all.results).toHaveLength(1);
    const pipeline = all.results[0]!;
    expect(pipeline.id).toBe('default');
    expect(pipeline.stages.map((s) => [s.id, s.metadata?.probability, s.metadata?.isClosed])).toEqual([
      ['appointmentscheduled', '0.2', 'false'],
      ['qualifiedtobuy', '0.4', 'false'],
      ['presentationscheduled', '0.6', 'false'],
      ['decisionmakerboughtin', '0.8', 'false'],
      ['contractsent', '0.9', 'false'],
      ['closedwon', '1.0', 'true'],
      ['closedlost', '0.0', 'true'],
    ]);
    const one = await client.crm.pipelines.pipelinesApi.getById('deals', 'default');
    expect(one.label).toBe('Sales Pipeline');
    expect((await failure(client.crm.pipelines.pipelinesApi.getById('deals', 'nope'))).code).toBe(404);
  });

  it('derives deal probability and closed flags from the stage', async () => {
    const deal = await client.crm.deals.basicApi.getById(sb.externalId('deal-0000')!, ['hs_deal_stage_probability', 'hs_is_closed', 'hs_is_closed_won']);
    expect(deal.properties).toMatchObject({ hs_deal_stage_probability: '1.0', hs_is_closed: 'true', hs_is_closed_won: 'true' });
  });

  it('serves the ticket pipeline', async () => {
    const all = await client.crm.pipelines.pipelinesApi.getAll('tickets');
    expect(all.results[0]!.stages.map((s) => s.id)).toEqual(['1', '2', '3', '4']);
  });
});

describe('owners', () => {
  it('lists active owners with teams through the SDK (GET /crm/v3/owners/)', async () => {
    await client.apiRequest({ method: 'POST', path: '/__sandbox/reset' });
    const page = await client.crm.owners.ownersApi.getPage();
    expect(page.results.map((o) => [o.email, o.firstName, o.teams?.map((t) => t.name)])).toEqual([
      ['grace@example.com', 'Grace', ['East']],
      ['alan@example.com', 'Alan', ['East']],
    ]);
    expect(page.results[0]!.userId).toBe(9000001);
    expect(sb.stats.snapshot().calls.byRoute).toEqual({ 'GET /crm/v3/owners': 1 });
    const archived = await client.crm.owners.ownersApi.getPage(undefined, undefined, 100, true);
    expect(archived.results.map((o) => o.email)).toEqual(['ada@example.com']);
  });

  it('pages owners and filters by email', async () => {
    const first = await client.crm.owners.ownersApi.getPage(undefined, undefined, 1);
    expect(first.results).toHaveLength(1);
    const second = await client.crm.owners.ownersApi.getPage(undefined, first.paging!.next!.after, 1);
    expect(second.results.map((o) => o.email)).toEqual(['alan@example.com']);
    expect(second.paging).toBeUndefined();
    const byEmail = await client.crm.owners.ownersApi.getPage('ALAN@example.com');
    expect(byEmail.results.map((o) => o.id)).toEqual([sb.externalId('own-2')]);
  });

  it('gets one owner by id or by userId, 404 otherwise', async () => {
    const id = sb.externalId('own-2')!;
    expect((await client.crm.owners.ownersApi.getById(Number(id))).email).toBe('alan@example.com');
    expect((await client.crm.owners.ownersApi.getById(9000001, 'userId')).email).toBe('grace@example.com');
    expect((await failure(client.crm.owners.ownersApi.getById(1))).code).toBe(404);
  });
});
