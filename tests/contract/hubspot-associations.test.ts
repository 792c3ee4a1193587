/**
 * HubSpot sandbox, v4 associations through the SDK: per-record list, batch read (≤ 1,000 inputs,
 * per-record paging past one page, 207 for records without associations), batch create (201),
 * default create (200), single create (201), archive (204), labels.
 */
import { Client } from '@hubspot/api-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smallSeedOrg } from '../../src/sandbox/hubspot/fixtures.js';
import { findObjectType } from '../../src/sandbox/hubspot/objectTypes.js';
import { HsRecord } from '../../src/sandbox/hubspot/records.js';
import { startHubSpotSandbox } from '../../src/sandbox/hubspot/server.js';
import { failure } from '../helpers/sdkFailure.js';

type Sandbox = Awaited<ReturnType<typeof startHubSpotSandbox>>;

const BIG = 1_234; // notes linked to one company: more than two 500-entry pages
let sb: Sandbox;
let client: Client;
let bigCompany: string;
let bigNotes: string[];

beforeAll(async () => {
  sb = await startHubSpotSandbox({ seed: smallSeedOrg({ accounts: 10 }) });
  client = new Client({ accessToken: sb.token, basePath: sb.url });
  const portal = sb.hubspot.portal;
  const companies = findObjectType('companies')!;
  const notes = findObjectType('notes')!;
  const company = new HsRecord(portal.allocateId(), { name: 'Chatty Co' }, Date.UTC(2025, 0, 1), Date.UTC(2025, 0, 1));
  portal.insert(companies, company);
  bigCompany = company.id;
  bigNotes = [];
  for (let i = 0; i < BIG; i++) {
    const note = new HsRecord(portal.allocateId(), { hs_note_body: `note ${i}`, hs_timestamp: '2025-01-01T00:00:00.000Z' }, Date.UTC(2025, 0, 1), Date.UTC(2025, 0, 1));
    portal.insert(notes, note);
    portal.associations.add('notes', note.id, 'companies', company.id);
    bigNotes.push(note.id);
  }
});
afterAll(async () => sb.close());

describe('reads', () => {
  it('lists one record\'s associations with their type ids and labels', async () => {
    const res = await client.crm.associations.v4.basicApi.getPage('deals', sb.externalId('deal-0000')!, 'companies');
    expect(res.results).toEqual([{
      toObjectId: Number(sb.externalId('acct-0000')),
      associationTypes: [
        { category: 'HUBSPOT_DEFINED', typeId: 5, label: 'Primary' },
        { category: 'HUBSPOT_DEFINED', typeId: 341, label: null },
      ],
    }]);
    expect(res.paging).toBeUndefined();
  });

  it('pages a single record past 500 entries', async () => {
    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const res = await client.crm.associations.v4.basicApi.getPage('companies', bigCompany, 'notes', after, 500);
      seen.push(...res.results.map((r) => String(r.toObjectId)));
      after = res.paging?.next?.after;
      pages += 1;
    } while (after);
    expect(pages).toBe(3);
    expect(seen).toEqual(bigNotes);
  });

  it('batch-reads many records in one call, paging the one with more than a page', async () => {
    const company = (i: number) => sb.externalId(`acct-000${i}`)!;
    const first = await client.crm.associations.v4.batchApi.getPageWithHttpInfo('companies', 'notes', { inputs: [{ id: company(0) }, { id: bigCompany }, { id: company(1) }] });
    expect(first.httpStatusCode).toBe(200);
    const byId = new Map(first.data.results.map((r) => [r._from.id, r]));
    expect(byId.get(company(0))!.to.map((t) => String(t.toObjectId))).toEqual([sb.externalId('act-0000-1')]);
    expect(byId.get(company(0))!.to[0]!.associationTypes).toEqual([{ category: 'HUBSPOT_DEFINED', typeId: 189, label: null }]);
    expect(byId.get(company(0))!.paging).toBeUndefined();
    const big = byId.get(bigCompany)!;
    expect(big.to).toHaveLength(500);
    const after = big.paging?.next?.after;
    expect(after).toBeDefined();

    const second = await client.crm.associations.v4.batchApi.getPage('companies', 'notes', { inputs: [{ id: bigCompany, after }] });
    expect(second.results[0]!.to.map((t) => String(t.toObjectId))).toEqual(bigNotes.slice(500, 1000));
    expect(second.results[0]!.paging?.next?.after).toBeDefined();
  });

  it('answers 207 with an error for a record without associations', async () => {
    const res = await client.crm.associations.v4.batchApi.getPageWithHttpInfo('products', 'deals', { inputs: [{ id: sb.externalId('prod-1')! }] });
    expect(res.httpStatusCode).toBe(207);
    expect(res.data.results).toEqual([]);
    expect((res.data as { errors?: unknown[] }).errors).toMatchObject([{ status: 'error', category: 'OBJECT_NOT_FOUND' }]);
  });

  it('rejects a batch read of 1,001 inputs with 400', async () => {
    const inputs = Array.from({ length: 1001 }, (_, i) => ({ id: String(i + 1) }));
    const err = await failure(client.crm.associations.v4.batchApi.getPage('companies', 'notes', { inputs }));
    expect(err.code).toBe(400);
    expect(err.body.category).toBe('VALIDATION_ERROR');
  });

  it('serves the labels table for a pair', async () => {
    const res = await client.apiRequest({ method: 'GET', path: '/crm/v4/associations/deals/companies/labels' });
    expect(await res.json()).toEqual({ results: [
      { category: 'HUBSPOT_DEFINED', typeId: 341, label: null },
      { category: 'HUBSPOT_DEFINED', typeId: 5, label: 'Primary' },
    ] });
  });
});

describe('writes', () => {
  it('batch-creates with 201 and the links show in both directions and inline', async () => {
    const task = await client.crm.objects.tasks.basicApi.create({ properties: { hs_task_subject: 'Follow up', hs_timestamp: '2026-11-20T00:00:00Z' }, associations: [] });
    const deal = sb.externalId('deal-0002')!;
    const res = await client.crm.associations.v4.batchApi.createWithHttpInfo('tasks', 'deals', {
      inputs: [{ _from: { id: task.id }, to: { id: deal }, types: [{ associationCategory: 'HUBSPOT_DEFINED' as never, associationTypeId: 216 }] }],
    });
    expect(res.httpStatusCode).toBe(201);
    expect(res.data.results).toMatchObject([{ fromObjectTypeId: '0-27', fromObjectId: Number(task.id), toObjectTypeId: '0-3', toObjectId: Number(deal), labels: [] }]);
    const back = await client.crm.associations.v4.basicApi.getPage('deals', deal, 'tasks');
    expect(back.results).toEqual([{ toObjectId: Number(task.id), associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 215, label: null }] }]);
    const inline = await client.crm.deals.basicApi.getById(deal, undefined, undefined, ['tasks']);
    expect(inline.associations?.tasks?.results).toEqual([{ id: task.id, type: 'deal_to_task' }]);
  });

  it('rejects a HUBSPOT_DEFINED type id that does not belong to the pair', async () => {
    const err = await failure(client.crm.associations.v4.batchApi.create('tasks', 'deals', {
      inputs: [{ _from: { id: sb.externalId('deal-0001')! }, to: { id: sb.externalId('deal-0002')! }, types: [{ associationCategory: 'HUBSPOT_DEFINED' as never, associationTypeId: 341 }] }],
    }));
    expect(err.code).toBe(400);
  });

  it('creates default associations (200) and labelled ones (201), then archives (204)', async () => {
    // account 4 is the planted 'both' account: loaded into HubSpot
    const contact = sb.externalId('cont-0004-0')!;
    const deal = sb.externalId('deal-0004')!;
    const def = await client.crm.associations.v4.basicApi.createDefaultWithHttpInfo('contacts', contact, 'deals', deal);
    expect(def.httpStatusCode).toBe(200);
    expect(def.data.results).toMatchObject([{ _from: { id: contact }, to: { id: deal }, associationSpec: { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 4 } }]);

    const company = sb.externalId('acct-0001')!;
    const labelled = await client.crm.associations.v4.basicApi.createWithHttpInfo('deals', deal, 'companies', company, [
      { associationCategory: 'HUBSPOT_DEFINED' as never, associationTypeId: 341 },
    ]);
    expect(labelled.httpStatusCode).toBe(201);
    expect(labelled.data).toMatchObject({ fromObjectTypeId: '0-3', toObjectTypeId: '0-2', toObjectId: Number(company), labels: [] });

    const batchDefault = await client.crm.associations.v4.batchApi.createDefaultWithHttpInfo('notes', 'contacts', { inputs: [{ _from: { id: bigNotes[0]! }, to: { id: contact } }] });
    expect(batchDefault.httpStatusCode).toBe(200);

    const archived = await client.crm.associations.v4.basicApi.archiveWithHttpInfo('contacts', contact, 'deals', deal);
    expect(archived.httpStatusCode).toBe(204);
    const after = await client.crm.associations.v4.basicApi.getPage('contacts', contact, 'deals');
    expect(after.results).toEqual([]);

    const batchArchive = await client.crm.associations.v4.batchApi.archiveWithHttpInfo('deals', 'companies', { inputs: [{ _from: { id: deal }, to: [{ id: company }] }] });
    expect(batchArchive.httpStatusCode).toBe(204);
    const companies = await client.crm.associations.v4.basicApi.getPage('deals', deal, 'companies');
    expect(companies.results.map((r) => String(r.toObjectId))).not.toContain(company);
  });

  it('counts v4 calls under route keys with the object types kept and ids replaced', async () => {
    await client.apiRequest({ method: 'POST', path: '/__sandbox/reset' });
    await client.crm.associations.v4.batchApi.getPage('deals', 'companies', { inputs: [{ id: sb.externalId('deal-0000')! }] });
    await client.crm.associations.v4.basicApi.getPage('deals', sb.externalId('deal-0000')!, 'companies');
    expect(sb.stats.snapshot().calls.byRoute).toEqual({
      'GET /crm/v4/objects/deals/{id}/associations/companies': 1,
      'POST /crm/v4/associations/deals/companies/batch/read': 1,
    });
  });
});
