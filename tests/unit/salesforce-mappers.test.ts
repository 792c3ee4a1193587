/** Raw Salesforce rows (fixtures shaped like real REST answers and Bulk CSV) → our model. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../src/config/schema.js';
import { parseCsvRecords, parseCsvRows, toCsv } from '../../src/connectors/salesforce/csv.js';
import { AccountRow, mapAccount, normalizeDomain, usageFromAccount } from '../../src/connectors/salesforce/streams/accounts.js';
import { EventRow, TaskRow, mapEvent, mapTask } from '../../src/connectors/salesforce/streams/activities.js';
import { HistoryRow, mapHistoryRow, type StageTimeline } from '../../src/connectors/salesforce/streams/dealHistory.js';
import { OpportunityRow, StageRow, mapOpportunity, type StageMap } from '../../src/connectors/salesforce/streams/deals.js';
import { LineItemRow, mapLineItem } from '../../src/connectors/salesforce/streams/lineItems.js';
import { UserRow, mapUser } from '../../src/connectors/salesforce/streams/owners.js';
import { ProductRow, mapProduct } from '../../src/connectors/salesforce/streams/products.js';
import { QuotaRow, mapQuota } from '../../src/connectors/salesforce/streams/quotas.js';
import { CaseRow, mapCase } from '../../src/connectors/salesforce/streams/tickets.js';

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../fixtures/salesforce/${name}`, import.meta.url), 'utf8'));
const config = ConfigSchema.parse({
  salesforce: {
    accountFields: [{ from: 'Usage_Index__c', to: 'usageIndex', type: 'number' }],
    renewalDateField: 'Renewal_Date__c',
    churnLabelField: 'Churned__c',
    usageField: 'Usage_Index__c',
  },
});

describe('Salesforce mappers', () => {
  it('maps accounts with configured custom fields, renewal date, churn label and domain', () => {
    const [acme, globex] = fixture('accounts-page1.json').records.map((r: unknown) => AccountRow.parse(r));
    expect(mapAccount(acme, config)).toEqual({
      id: 'salesforce:001RO00000A1b2cYAB',
      source: 'salesforce',
      externalId: '001RO00000A1b2cYAB',
      updatedAt: '2026-11-20T10:15:00.000Z',
      name: 'Acme Corp',
      domain: 'acme.com',
      industry: 'Manufacturing',
      employees: 1200,
      annualRevenue: 50000000,
      ownerId: 'salesforce:005RO000001AbCdYAK',
      parentId: null,
      renewalDate: '2027-01-31',
      churned: false,
      createdAt: '2024-03-01T09:00:00.000Z',
      fields: { usageIndex: 0.82 },
    });
    const g = mapAccount(globex, config);
    expect([g.parentId, g.churned, g.domain, g.renewalDate, g.fields]).toEqual(['salesforce:001RO00000A1b2cYAB', true, null, null, { usageIndex: null }]);
    expect(usageFromAccount(acme, config)).toEqual({ accountId: 'salesforce:001RO00000A1b2cYAB', metric: 'usage', date: '2026-11-20', value: 0.82, source: 'crm_field' });
    expect(usageFromAccount(globex, config)).toBeNull();
  });

  it('normalizes websites to domains', () => {
    expect(['https://www.Acme.com/about', 'initech.example', 'http://umbrella.example:8080/x', '  ', null].map(normalizeDomain)).toEqual(['acme.com', 'initech.example', 'umbrella.example', null, null]);
  });

  it('rejects an account row without a name (quarantined by the runner)', () => {
    const bad = fixture('accounts-page2.json').records[0];
    const parsed = AccountRow.safeParse(bad);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(['Name']);
  });

  it('maps opportunities with stage metadata filling what the opportunity lacks', () => {
    const stages: StageMap = new Map(fixture('opportunity-stages.json').records.map((r: unknown) => {
      const s = StageRow.parse(r);
      return [s.ApiName, s];
    }));
    const [renewal, won, custom] = fixture('opportunities.json').records.map((r: unknown) => mapOpportunity(OpportunityRow.parse(r), stages));
    expect(renewal).toEqual({
      id: 'salesforce:006RO00000B1aaaYAB',
      source: 'salesforce',
      externalId: '006RO00000B1aaaYAB',
      updatedAt: '2026-11-20T11:00:00.000Z',
      name: 'Acme renewal 2027',
      accountId: 'salesforce:001RO00000A1b2cYAB',
      ownerId: 'salesforce:005RO000001AbCdYAK',
      amount: 120000,
      currency: null,
      status: 'open',
      stage: 'Negotiation/Review',
      stageId: 'Negotiation/Review',
      pipeline: null,
      probability: 0.9,
      forecastCategory: 'commit',
      closeDate: '2026-12-20',
      type: 'renewal',
      createdAt: '2026-09-01T09:00:00.000Z',
    });
    expect([won?.status, won?.amount, won?.probability, won?.forecastCategory, won?.type]).toEqual(['won', null, 1, 'closed', 'expansion']);
    expect([custom?.stage, custom?.probability, custom?.forecastCategory, custom?.type]).toEqual(['Custom Discovery', 0.15, 'best_case', 'new']);
  });

  it('turns OpportunityHistory rows into stage, amount and close-date changes', () => {
    const timeline: StageTimeline = new Map();
    const rows = fixture('opportunity-history.json').records.map((r: unknown) => HistoryRow.parse(r));
    const changes = rows.flatMap((r: HistoryRow) => mapHistoryRow(r, timeline)).map((h: { externalId: string; field: string; from: string | null; to: string | null; changedAt: string }) => [h.externalId, h.field, h.from, h.to, h.changedAt]);
    expect(changes).toEqual([
      ['008RO00000H0001YAB:stage', 'stage', null, 'Prospecting', '2026-09-01T09:00:00.000Z'],
      ['008RO00000H0002YAB:amount', 'amount', '100000', '120000', '2026-10-01T09:00:00.000Z'],
      ['008RO00000H0002YAB:closeDate', 'closeDate', '2026-11-30', '2026-12-20', '2026-10-01T09:00:00.000Z'],
      ['008RO00000H0003YAB:stage', 'stage', 'Prospecting', 'Negotiation/Review', '2026-11-20T11:00:00.000Z'],
    ]);
  });

  it('finds the previous stage of a history row from an earlier page (the store)', () => {
    const timeline: StageTimeline = new Map([['salesforce:006RO00000B1aaaYAB', [{ at: '2026-10-01T09:00:00.000Z', stage: 'Value Proposition', rowId: '008RO00000H0002YAB' }]]]);
    const last = HistoryRow.parse(fixture('opportunity-history.json').records[2]);
    expect(mapHistoryRow(last, timeline).map((h) => [h.field, h.from, h.to])).toEqual([['stage', 'Value Proposition', 'Negotiation/Review']]);
  });

  it('maps tasks by subtype, with the account through the opportunity when AccountId is empty', () => {
    const deals = new Map([['salesforce:006RO00000B1aaaYAB', 'salesforce:001RO00000A1b2cYAB']]);
    const [call, todo, email] = fixture('tasks.json').records.map((r: unknown) => mapTask(TaskRow.parse(r), deals));
    expect(call).toEqual({
      id: 'salesforce:00TRO00000T0001YAB',
      source: 'salesforce',
      externalId: '00TRO00000T0001YAB',
      updatedAt: '2026-11-20T15:00:00.000Z',
      type: 'call',
      accountId: 'salesforce:001RO00000A1b2cYAB',
      dealId: null,
      contactId: 'salesforce:003RO00000C0001YAB',
      ownerId: 'salesforce:005RO000001AbCdYAK',
      occurredAt: '2026-11-20T14:30:00.000Z',
      direction: 'outbound',
      subject: 'Call with CFO',
      bodyExcerpt: 'Discussed pricing vs Competitor X',
      completed: null,
    });
    expect([todo?.type, todo?.accountId, todo?.dealId, todo?.occurredAt, todo?.completed]).toEqual(['task', 'salesforce:001RO00000A1b2cYAB', 'salesforce:006RO00000B1aaaYAB', '2026-11-25T00:00:00.000Z', false]);
    expect([email?.type, email?.direction, email?.occurredAt]).toEqual(['email', 'outbound', '2026-11-22T14:00:00.000Z']);
  });

  it('maps users, products, line items, events, cases and quotas', () => {
    const m = fixture('misc-rows.json');
    expect(mapUser(UserRow.parse(m.user))).toEqual({
      id: 'salesforce:005RO000001AbCdYAK', source: 'salesforce', externalId: '005RO000001AbCdYAK', updatedAt: '2026-01-01T00:00:00.000Z',
      name: 'Dana Seller', email: 'dana@acme.example', managerId: 'salesforce:005RO000001AbCfYAK', teamId: 'salesforce:00ERO000000R001YAB', teamName: 'West AE', active: true,
    });
    expect(mapProduct(ProductRow.parse(m.product))).toMatchObject({ name: 'Analytics Pro', sku: 'AN-PRO', family: 'Analytics Pro', price: 1200, active: true });
    expect(mapLineItem(LineItemRow.parse(m.lineItem))).toMatchObject({ dealId: 'salesforce:006RO00000B1aaaYAB', productId: 'salesforce:01tRO00000P0001YAB', quantity: 10, unitPrice: 1200, amount: 12000 });
    expect(mapEvent(EventRow.parse(m.event), new Map())).toMatchObject({ type: 'meeting', occurredAt: '2026-11-24T16:00:00.000Z', accountId: 'salesforce:001RO00000A1b2cYAB', completed: null });
    expect(mapCase(CaseRow.parse(m.case))).toEqual({
      id: 'salesforce:500RO00000S0001YAB', source: 'salesforce', externalId: '500RO00000S0001YAB', updatedAt: '2026-11-20T11:00:00.000Z',
      accountId: 'salesforce:001RO00000A1b2cYAB', subject: 'Case 00001001', priority: 'urgent', status: 'open', escalated: true, createdAt: '2026-11-18T11:00:00.000Z', closedAt: null,
    });
    expect(mapQuota(QuotaRow.parse(m.quota))).toEqual({
      id: 'salesforce:0J9RO00000Q0001YAB', source: 'salesforce', externalId: '0J9RO00000Q0001YAB', updatedAt: '2026-10-01T00:00:00.000Z',
      ownerId: 'salesforce:005RO000001AbCdYAK', periodStart: '2026-10-01', periodEnd: '2026-12-31', amount: 250000, currency: null,
    });
  });

  it('parses Bulk 2.0 CSV rows (strings, empty = null, dotted parents) like REST rows', () => {
    const csv = 'Id,SystemModstamp,Name,Email,IsActive,ManagerId,UserRoleId,UserRole.Name\n005RO000001AbCdYAK,2026-01-01T00:00:00.000Z,Dana Seller,,true,,00ERO000000R001YAB,"West, AE"\n';
    const [row] = parseCsvRecords(csv);
    expect(mapUser(UserRow.parse(row))).toMatchObject({ email: null, managerId: null, teamName: 'West, AE', active: true });
  });
});

describe('CSV', () => {
  it('handles quoted fields with commas, doubled quotes, CRLF and embedded newlines', () => {
    const text = 'Id,Description,Amount\r\n1,"line one\nline ""two"", end",5\r\n2,,\r\n3,plain,7';
    expect(parseCsvRows(text)).toEqual([
      ['Id', 'Description', 'Amount'],
      ['1', 'line one\nline "two", end', '5'],
      ['2', '', ''],
      ['3', 'plain', '7'],
    ]);
    expect(parseCsvRecords(text)[1]).toEqual({ Id: '2', Description: null, Amount: null });
  });

  it('writes ingest CSV: quoting, null as #N/A, undefined left empty', () => {
    expect(toCsv(['Id', 'A', 'B'], [['001', 'x, "y"', null], ['002', undefined, 3]])).toBe('Id,A,B\n001,"x, ""y""",#N/A\n002,,3\n');
  });
});
