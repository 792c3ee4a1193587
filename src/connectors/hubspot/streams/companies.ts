/**
 * companies → Account; custom properties mapped by config.hubspot (accountFields, renewal, churn, usage).
 * hs_merged_object_ids is read too: the runner deletes the companies merged away into a record.
 */
import { recordId, type Account, type MappedValue } from '../../../domain/model.js';
import type { Config } from '../../../config/schema.js';
import { MERGED_IDS_PROPERTY } from '../raw.js';
import type { ObjectStreamSpec } from './spec.js';
import { bool, date, instant, int, modifiedAt, normalizeDomain, num, text, typed } from '../values.js';

function mappedProperties(config: Config): string[] {
  const hs = config.hubspot;
  return [...hs.accountFields.map((f) => f.from), hs.renewalDateField, hs.churnLabelField, hs.usageField].filter((v): v is string => !!v);
}

const standard = ['name', 'domain', 'industry', 'numberofemployees', 'annualrevenue', 'hubspot_owner_id', 'hs_parent_company_id', 'createdate', 'hs_lastmodifieddate', MERGED_IDS_PROPERTY];

export const companiesStream: ObjectStreamSpec = {
  name: 'companies',
  objectType: 'companies',
  kind: 'account',
  modifiedProperty: 'hs_lastmodifieddate',
  scope: 'crm.objects.companies.read',
  associations: [],
  properties: (config) => [...new Set([...standard, ...mappedProperties(config)])],
  mappedProperties,
  map: (raw, ctx) => {
    const p = raw.properties;
    const hs = ctx.config.hubspot;
    const fields: Record<string, MappedValue> = {};
    for (const f of hs.accountFields) fields[f.to] = typed(p, f.from, f.type);
    if (hs.usageField) fields.usage = num(p, hs.usageField);
    const owner = text(p, 'hubspot_owner_id');
    const parent = text(p, 'hs_parent_company_id');
    const account: Account = {
      id: recordId('hubspot', raw.id),
      source: 'hubspot',
      externalId: raw.id,
      updatedAt: modifiedAt(raw, 'hs_lastmodifieddate'),
      name: text(p, 'name') ?? normalizeDomain(text(p, 'domain')) ?? `Company ${raw.id}`,
      domain: normalizeDomain(text(p, 'domain')),
      industry: text(p, 'industry'),
      employees: (() => {
        const n = int(p, 'numberofemployees');
        return n === null || n < 0 ? null : n;
      })(),
      annualRevenue: num(p, 'annualrevenue'),
      ownerId: owner ? recordId('hubspot', owner) : null,
      parentId: parent ? recordId('hubspot', parent) : null,
      renewalDate: hs.renewalDateField ? date(p, hs.renewalDateField) : null,
      churned: hs.churnLabelField ? bool(p, hs.churnLabelField) : null,
      createdAt: instant(p, 'createdate') ?? raw.createdAt ?? null,
      fields,
    };
    return [{ kind: 'account', record: account }];
  },
  // the usage field is also a usage metric, dated by the company's last change
  usageOf: (record, ctx) => {
    const account = record as Account;
    const value = account.fields.usage;
    if (!ctx.config.hubspot.usageField || typeof value !== 'number') return null;
    return { accountId: account.id, metric: 'usage', date: account.updatedAt.slice(0, 10), value, source: 'crm_field' };
  },
};
