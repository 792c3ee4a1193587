/**
 * Account → Account. Custom fields come from configuration (`salesforce.accountFields`, the
 * renewal date, churn label and usage fields); they are optional in the query, so a field deleted
 * in the org (or hidden by field-level security) is dropped with a warning instead of failing
 * the stream. The usage field is also folded into usage metrics.
 */
import { z } from 'zod';
import type { Config } from '../../../config/schema.js';
import { recordId, type Account, type MappedValue, type UsageMetric } from '../../../domain/model.js';
import { modstamp, sfBase, sfDate, sfDateTime, sfIdOrNull, sfNumber, sfString } from '../raw.js';
import { defineStream } from './spec.js';

export const AccountRow = z
  .object({
    ...sfBase,
    Name: z.string().min(1),
    Website: sfString,
    Industry: sfString,
    NumberOfEmployees: sfNumber.refine((v) => v === null || (Number.isInteger(v) && v >= 0), 'employees must be a whole number ≥ 0'),
    AnnualRevenue: sfNumber,
    OwnerId: sfIdOrNull,
    ParentId: sfIdOrNull,
    CreatedDate: sfDateTime,
  })
  .passthrough();
export type AccountRow = z.infer<typeof AccountRow>;

/** example.com from "https://www.Example.com/about". */
export function normalizeDomain(website: string | null): string | null {
  if (!website) return null;
  const host = website.trim().toLowerCase().replace(/^[a-z]+:\/\//, '').split(/[/?#]/)[0]?.replace(/^www\./, '').replace(/:\d+$/, '');
  return host ? host : null;
}

function coerce(value: unknown, type: 'string' | 'number' | 'boolean' | 'date', field: string): MappedValue {
  if (value === null || value === undefined || value === '') return null;
  switch (type) {
    case 'number': {
      const n = typeof value === 'number' ? value : Number(value);
      if (!Number.isFinite(n)) throw new Error(`field ${field}: "${String(value)}" is not a number`);
      return n;
    }
    case 'boolean':
      return value === true || value === 'true';
    case 'date': {
      const d = sfDate.safeParse(value);
      if (!d.success) throw new Error(`field ${field}: "${String(value)}" is not a date`);
      return d.data;
    }
    default:
      return typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
}

/** A churn label: true, "true", "yes", "churned", "1" or a non-zero number mark a churned account. */
export function churnLabel(value: unknown): boolean | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  return /^(true|yes|y|1|churned|lost|cancelled|canceled)$/i.test(String(value).trim());
}

export function configuredAccountFields(config: Config): string[] {
  const c = config.salesforce;
  const names = [...c.accountFields.map((m) => m.from), c.renewalDateField, c.churnLabelField, c.usageField].filter((f): f is string => !!f);
  return [...new Set(names)].filter((f) => !baseFields.includes(f));
}

const baseFields = ['Id', 'SystemModstamp', 'CreatedDate', 'Name', 'Website', 'Industry', 'NumberOfEmployees', 'AnnualRevenue', 'OwnerId', 'ParentId'];

export function mapAccount(row: AccountRow, config: Config): Account {
  const c = config.salesforce;
  const fields: Record<string, MappedValue> = {};
  for (const m of c.accountFields) fields[m.to] = coerce(row[m.from], m.type, m.from);
  const renewal = c.renewalDateField ? coerce(row[c.renewalDateField], 'date', c.renewalDateField) : null;
  return {
    id: recordId('salesforce', row.Id),
    source: 'salesforce',
    externalId: row.Id,
    updatedAt: modstamp(row),
    name: row.Name,
    domain: normalizeDomain(row.Website),
    industry: row.Industry,
    employees: row.NumberOfEmployees,
    annualRevenue: row.AnnualRevenue,
    ownerId: row.OwnerId ? recordId('salesforce', row.OwnerId) : null,
    parentId: row.ParentId ? recordId('salesforce', row.ParentId) : null,
    renewalDate: typeof renewal === 'string' ? renewal : null,
    churned: c.churnLabelField ? churnLabel(row[c.churnLabelField]) : null,
    createdAt: row.CreatedDate,
    fields,
  };
}

/** The usage field's value as a usage metric dated by the row's modstamp (null when unset). */
export function usageFromAccount(row: AccountRow, config: Config): UsageMetric | null {
  const field = config.salesforce.usageField;
  if (!field) return null;
  const v = row[field];
  const n = typeof v === 'number' ? v : typeof v === 'string' && v !== '' ? Number(v) : NaN;
  if (!Number.isFinite(n)) return null;
  return { accountId: recordId('salesforce', row.Id), metric: 'usage', date: modstamp(row).slice(0, 10), value: n, source: 'crm_field' };
}

export const accountsStream = defineStream<AccountRow>({
  name: 'accounts',
  sobject: 'Account',
  kind: 'account',
  bulk: true,
  fields: (config) => [...baseFields, ...configuredAccountFields(config)],
  optionalFields: configuredAccountFields,
  raw: AccountRow,
  map: (row, config) => [mapAccount(row, config)],
  afterPage: async (rows, env) => {
    const metrics = rows.map((r) => usageFromAccount(r, env.config)).filter((m): m is UsageMetric => m !== null);
    if (metrics.length) await env.store.usage.put(metrics);
  },
});
