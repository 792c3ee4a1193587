/**
 * HubSpot sandbox, v3 batch endpoints through the SDK: exact status codes (200/201/204/207),
 * partial failures, the 100-input cap (50 with property history), upsert on a unique property.
 */
import { Client } from '@hubspot/api-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smallSeedOrg } from '../../src/sandbox/hubspot/fixtures.js';
import { startHubSpotSandbox } from '../../src/sandbox/hubspot/server.js';
import { failure } from '../helpers/sdkFailure.js';

type Sandbox = Awaited<ReturnType<typeof startHubSpotSandbox>>;

let sb: Sandbox;
let client: Client;
const deal = (i: number) => sb.externalId(`deal-${String(i).padStart(4, '0')}`)!;

beforeAll(async () => {
  sb = await startHubSpotSandbox({ seed: smallSeedOrg({ accounts: 10 }) });
  client = new Client({ accessToken: sb.token, basePath: sb.url });
});
afterAll(async () => sb.close());

describe('batch read', () => {
  it('returns 200 with every requested record and property', async () => {
    const res = await client.crm.deals.batchApi.read({ inputs: [{ id: deal(0) }, { id: deal(1) }], properties: ['dealname', 'dealstage'], propertiesWithHistory: [] });
    expect(res.status).toBe('COMPLETE');
    expect(res.results.map((r) => [r.id, r.properties.dealname, r.properties.dealstage]).sort()).toEqual([
      [deal(0), 'Deal 0000', 'closedwon'],
      [deal(1), 'Deal 0001', 'presentationscheduled'],
    ].sort());
    expect('errors' in res).toBe(false);
  });

  it('returns 207 with OBJECT_NOT_FOUND errors for unknown ids and the found records', async () => {
    const { httpStatusCode, data } = await client.crm.deals.batchApi.readWithHttpInfo({ inputs: [{ id: deal(0) }, { id: '424242' }], properties: ['dealname'], propertiesWithHistory: [] });
    expect(httpStatusCode).toBe(207);
    expect(data.results.map((r) => r.id)).toEqual([deal(0)]);
    expect((data as { errors?: unknown[] }).errors).toMatchObject([{ status: 'error', category: 'OBJECT_NOT_FOUND', context: { ids: ['424242'] } }]);
  });

  it('reads by a unique property (contacts by email)', async () => {
    const res = await client.crm.contacts.batchApi.read({ idProperty: 'email', inputs: [{ id: 'contact1@account-0002.example.com' }], properties: ['firstname'], propertiesWithHistory: [] });
    expect(res.results.map((r) => r.id)).toEqual([sb.externalId('cont-0002-1')]);
  });

  it('rejects 101 inputs, and 51 inputs with property history, with 400 VALIDATION_ERROR', async () => {
    const ids = (n: number) => Array.from({ length: n }, (_, i) => ({ id: String(1_000_000 + i) }));
    const over = await failure(client.crm.deals.batchApi.read({ inputs: ids(101), properties: [], propertiesWithHistory: [] }));
    expect(over.code).toBe(400);
    expect(over.body).toMatchObject({ status: 'error', category: 'VALIDATION_ERROR' });
    const history = await failure(client.crm.deals.batchApi.read({ inputs: ids(51), properties: [], propertiesWithHistory: ['dealstage'] }));
    expect(history.code).toBe(400);
    expect(history.body.message).toMatch(/^The maximum number of inputs supported in a batch request for property histories is 50\./);
    const fifty = await client.crm.deals.batchApi.read({ inputs: [{ id: deal(0) }, ...ids(49)], properties: [], propertiesWithHistory: ['dealstage'] });
    expect(fifty.results[0]!.propertiesWithHistory?.dealstage?.[0]?.value).toBe('closedwon');
  });
});

describe('batch writes', () => {
  it('creates 100 records with 201, then they are listed', async () => {
    const inputs = Array.from({ length: 100 }, (_, i) => ({ properties: { name: `Batch Co ${i}`, domain: `batch-${i}.example` }, associations: [] }));
    const { httpStatusCode, data } = await client.crm.companies.batchApi.createWithHttpInfo({ inputs });
    expect(httpStatusCode).toBe(201);
    expect(data.results).toHaveLength(100);
    expect(data.results.map((r) => r.properties.name)).toEqual(inputs.map((i) => i.properties.name));
    const all = await client.crm.companies.getAll(undefined, undefined, ['name']);
    expect(all.filter((c) => c.properties.name?.startsWith('Batch Co '))).toHaveLength(100);
  });

  it('fails the whole create batch with 400 when one input has an unknown property', async () => {
    const before = (await client.crm.companies.getAll()).length;
    const err = await failure(client.crm.companies.batchApi.create({ inputs: [
      { properties: { name: 'Good' }, associations: [] },
      { properties: { name: 'Bad', nope: '1' }, associations: [] },
    ] }));
    expect(err.code).toBe(400);
    expect(err.body.message).toContain('PROPERTY_DOESNT_EXIST');
    expect((await client.crm.companies.getAll()).length).toBe(before);
  });

  it('updates with 200, and with 207 + errors when some ids do not exist (the others are applied)', async () => {
    const ok = await client.crm.deals.batchApi.updateWithHttpInfo({ inputs: [{ id: deal(2), properties: { amount: '777' } }] });
    expect(ok.httpStatusCode).toBe(200);
    expect(ok.data.results[0]!.properties.amount).toBe('777');

    const partial = await client.crm.deals.batchApi.updateWithHttpInfo({ inputs: [
      { id: deal(4), properties: { dealstage: 'contractsent' } },
      { id: '31337', properties: { dealstage: 'contractsent' } },
    ] });
    expect(partial.httpStatusCode).toBe(207);
    expect(partial.data.results.map((r) => r.id)).toEqual([deal(4)]);
    expect((partial.data as { numErrors?: number }).numErrors).toBe(1);
    expect((partial.data as { errors?: unknown[] }).errors).toMatchObject([{ category: 'OBJECT_NOT_FOUND', context: { ids: ['31337'] } }]);
    const read = await client.crm.deals.basicApi.getById(deal(4), ['dealstage'], ['dealstage']);
    expect(read.properties.dealstage).toBe('contractsent');
    expect(read.propertiesWithHistory?.dealstage?.[0]?.value).toBe('contractsent');
  });

  it('rejects duplicate ids in one update batch', async () => {
    const err = await failure(client.crm.deals.batchApi.update({ inputs: [{ id: deal(2), properties: { amount: '1' } }, { id: deal(2), properties: { amount: '2' } }] }));
    expect(err.code).toBe(400);
    expect(err.body.message).toContain('Duplicate IDs');
  });

  it('upserts on a unique custom property: new records then updates, with the `new` flag', async () => {
    await client.crm.properties.coreApi.create('companies', {
      name: 'external_id', label: 'External id', type: 'string' as never, fieldType: 'text' as never, groupName: 'companyinformation', hasUniqueValue: true,
    });
    const first = await client.crm.companies.batchApi.upsertWithHttpInfo({ inputs: [
      { idProperty: 'external_id', id: 'EXT-1', properties: { name: 'Upsert One' } },
      { idProperty: 'external_id', id: 'EXT-2', properties: { name: 'Upsert Two' } },
    ] });
    expect(first.httpStatusCode).toBe(200);
    expect(first.data.results.map((r) => [r.properties.external_id, r._new])).toEqual([['EXT-1', true], ['EXT-2', true]]);
    const second = await client.crm.companies.batchApi.upsert({ inputs: [{ idProperty: 'external_id', id: 'EXT-1', properties: { name: 'Upsert One, renamed' } }] });
    expect(second.results.map((r) => [r.id, r._new, r.properties.name])).toEqual([[first.data.results[0]!.id, false, 'Upsert One, renamed']]);
    const bad = await failure(client.crm.companies.batchApi.upsert({ inputs: [{ idProperty: 'name', id: 'x', properties: {} }] }));
    expect(bad.code).toBe(400);
  });

  it('archives with 204; archived records leave the list and appear with archived=true', async () => {
    const res = await client.crm.tickets.batchApi.archiveWithHttpInfo({ inputs: [{ id: sb.externalId('tick-0000')! }, { id: '999999' }] });
    expect(res.httpStatusCode).toBe(204);
    const live = await client.crm.tickets.getAll();
    expect(live.map((t) => t.id)).not.toContain(sb.externalId('tick-0000'));
    const archived = await client.crm.tickets.basicApi.getPage(10, undefined, undefined, undefined, undefined, true);
    expect(archived.results.map((t) => t.id)).toEqual([sb.externalId('tick-0000')]);
  });

  it('counts records written in the stats', async () => {
    await client.apiRequest({ method: 'POST', path: '/__sandbox/reset' });
    await client.crm.deals.batchApi.update({ inputs: [{ id: deal(5), properties: { amount: '5' } }, { id: deal(6), properties: { amount: '6' } }] });
    const stats = sb.stats.snapshot();
    expect(stats.records.written).toBe(2);
    expect(stats.calls.byRoute).toEqual({ 'POST /crm/v3/objects/deals/batch/update': 1 });
  });
});
