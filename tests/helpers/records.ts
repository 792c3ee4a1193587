/**
 * Model records for tests, complete and valid, with only what a test cares about given: the id
 * says the source and external id ("salesforce:001A"), everything else has a neutral default.
 */
import type { Account, CrmSource } from '../../src/domain/model.js';

export function accountRecord(id: string, over: Partial<Account> = {}): Account {
  const [source, externalId] = id.includes(':') ? (id.split(':') as [CrmSource, string]) : (['salesforce', id] as [CrmSource, string]);
  return {
    id,
    source,
    externalId,
    updatedAt: '2026-06-30T00:00:00.000Z',
    name: id,
    domain: null,
    industry: null,
    employees: null,
    annualRevenue: null,
    ownerId: null,
    parentId: null,
    renewalDate: null,
    churned: null,
    createdAt: '2024-01-01T00:00:00.000Z',
    fields: {},
    ...over,
  };
}
