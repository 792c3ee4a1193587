/**
 * Loads the Salesforce part of a SeedOrg: accounts with crm 'salesforce' or 'both' and
 * everything belonging to them; all owners as Users (ManagerId, one UserRole per team under a
 * leadership role); products with a standard price book; quotas as ForecastingQuota on quarter
 * Periods. Opportunities are replayed through their seed history so OpportunityHistory holds
 * one row per change, as Salesforce would have written it.
 */
import type { SeedDeal, SeedOrg, SeedStage } from '../seed/types.js';
import type { SalesforceOrg } from './org.js';
import type { SeedIdIndex } from './seed-ids.js';
import { forecastCategoryApiValue, standardStages } from './schema.js';
import type { SfRecord, SalesforceStore } from './store.js';
import { addDays, dateToMs, parseDatetime } from './values.js';

/** Seed stage -> Salesforce default StageName (ordered like the seed's stages). */
export const stageNameBySeedStage: Record<SeedStage, string> = {
  discovery: 'Prospecting',
  qualified: 'Qualification',
  proposal: 'Proposal/Price Quote',
  negotiation: 'Negotiation/Review',
  contract: 'Contract Sent',
  won: 'Closed Won',
  lost: 'Closed Lost',
};

export const opportunityTypeBySeedType: Record<SeedDeal['type'], string> = {
  new: 'New Business',
  renewal: 'Renewal',
  expansion: 'Existing Customer - Upgrade',
};

export const casePriorityBySeedPriority = { low: 'Low', medium: 'Medium', high: 'High', urgent: 'Critical' } as const;

export const INTEGRATION_USERNAME = 'integration@accountpulse-sandbox.example';

const ms = (iso: string) => {
  const parsed = /T/.test(iso) ? parseDatetime(iso) : dateToMs(iso);
  return Number.isNaN(parsed) ? Date.parse(iso) : parsed;
};

export function loadSeed(org: SalesforceOrg, seed: SeedOrg | null): void {
  const { store } = org;
  const origin = seed ? ms(seed.asOf) - 2 * 365 * 86_400_000 : org.now();
  const integration = store.insert('User', { Username: INTEGRATION_USERNAME, FirstName: 'Integration', LastName: 'User', Alias: 'integ', Email: INTEGRATION_USERNAME, IsActive: true }, { userId: '', at: origin });
  store.load('User', { ...integration, CreatedById: integration.Id as string, LastModifiedById: integration.Id as string });
  org.integrationUserId = integration.Id as string;
  const system = { userId: org.integrationUserId, at: origin };

  for (const stage of standardStageRows(store)) {
    store.load('OpportunityStage', { ...stage, CreatedById: system.userId, LastModifiedById: system.userId, CreatedDate: origin, LastModifiedDate: origin, SystemModstamp: origin });
  }
  const forecastingType = store.insert('ForecastingType', { DeveloperName: 'OpportunityRevenue', MasterLabel: 'Opportunity Revenue', IsActive: true, IsAmount: true, IsQuantity: false, RoleType: 'R' }, system);
  const pricebook = store.insert('Pricebook2', { Name: 'Standard Price Book', IsActive: true, IsStandard: true }, system);
  org.seedIds.set('pricebook:standard', pricebook.Id as string);
  org.seedIds.set('forecastingType:OpportunityRevenue', forecastingType.Id as string);
  if (!seed) return;

  const ids = org.seedIds;
  const idOf = (key: string | null) => (key ? (ids.get(key) ?? null) : null);

  // Users and roles
  const leadership = store.insert('UserRole', { Name: 'Sales Leadership', DeveloperName: 'Sales_Leadership' }, system);
  for (const team of seed.teams) {
    const role = store.insert('UserRole', { Name: team.name, DeveloperName: team.name.replace(/\W+/g, '_'), ParentRoleId: leadership.Id as string }, system);
    ids.set(team.key, role.Id as string);
  }
  for (const owner of seed.owners) {
    const user = store.insert('User', {
      Username: owner.email, FirstName: owner.firstName, LastName: owner.lastName, Alias: (owner.firstName[0] ?? '') + owner.lastName.slice(0, 4),
      Email: owner.email, IsActive: owner.active, UserRoleId: owner.teamKey ? (idOf(owner.teamKey) ?? leadership.Id as string) : leadership.Id as string,
    }, system);
    ids.set(owner.key, user.Id as string);
  }
  for (const owner of seed.owners) {
    if (owner.managerKey) store.load('User', { ...store.get('User', ids.get(owner.key)!)!, ManagerId: idOf(owner.managerKey) });
  }
  for (const team of seed.teams) {
    store.load('UserRole', { ...store.get('UserRole', ids.get(team.key)!)!, ForecastUserId: idOf(team.managerKey) });
  }

  // Products and the standard price book
  const entryByProduct = new Map<string, SfRecord>();
  for (const product of seed.products) {
    const p = store.insert('Product2', { Name: product.name, ProductCode: product.sku, Family: product.family, IsActive: true }, system);
    ids.set(product.key, p.Id as string);
    entryByProduct.set(product.key, store.insert('PricebookEntry', { Pricebook2Id: pricebook.Id as string, Product2Id: p.Id as string, UnitPrice: product.price, IsActive: true, UseStandardPrice: false }, system));
  }

  // Quotas on quarter periods
  const periods = new Map<string, string>();
  for (const quota of seed.quotas) {
    if (!periods.has(quota.periodStart)) {
      const month = Number(quota.periodStart.slice(5, 7));
      const quarter = Math.floor((month - 1) / 3) + 1;
      const period = store.insert('Period', { Type: 'Quarter', StartDate: quota.periodStart, EndDate: quota.periodEnd, Number: quarter, FullyQualifiedLabel: `Q${quarter} FY${quota.periodStart.slice(0, 4)}`, IsForecastPeriod: true }, system);
      periods.set(quota.periodStart, period.Id as string);
    }
    const owner = idOf(quota.ownerKey);
    if (!owner) continue;
    const q = store.insert('ForecastingQuota', { QuotaOwnerId: owner, QuotaAmount: quota.amount, StartDate: quota.periodStart, ForecastingTypeId: forecastingType.Id as string, IsAmount: true, IsQuantity: false, CurrencyIsoCode: 'USD' }, system);
    ids.set(`quota:${quota.ownerKey}:${quota.periodStart}`, q.Id as string);
  }

  // Accounts and what belongs to them
  const accountOwner = new Map<string, string>();
  for (const account of seed.accounts) {
    if (account.crm !== 'salesforce' && account.crm !== 'both') continue;
    const owner = idOf(account.ownerKey) ?? org.integrationUserId;
    const record = store.insert('Account', {
      Name: account.name, OwnerId: owner, Industry: account.industry, AnnualRevenue: account.annualRevenue, NumberOfEmployees: account.employees,
      Website: account.domain, Type: 'Customer - Direct', Renewal_Date__c: account.renewalDate,
      Usage_Index__c: account.usage.length ? account.usage[account.usage.length - 1]! : null, Usage_Trend__c: account.usage.join(','),
    }, { userId: system.userId, at: ms(account.createdAt) });
    ids.set(account.key, record.Id as string);
    accountOwner.set(account.key, owner);
  }
  for (const contact of seed.contacts) {
    const accountId = idOf(contact.accountKey);
    if (!accountId) continue;
    const record = store.insert('Contact', {
      FirstName: contact.firstName, LastName: contact.lastName, Email: contact.email, Title: contact.title, AccountId: accountId,
      OwnerId: accountOwner.get(contact.accountKey)!, HasOptedOutOfEmail: !contact.active,
    }, { userId: system.userId, at: ms(contact.createdAt) });
    ids.set(contact.key, record.Id as string);
  }
  for (const deal of seed.deals) {
    const accountId = idOf(deal.accountKey);
    if (!accountId) continue;
    loadDeal(store, ids, deal, accountId, idOf(deal.ownerKey) ?? accountOwner.get(deal.accountKey)!, pricebook.Id as string, entryByProduct, system.userId);
  }
  for (const activity of seed.activities) {
    const accountId = idOf(activity.accountKey);
    if (!accountId) continue;
    const at = ms(activity.at);
    const ctx = { userId: system.userId, at };
    const common = {
      Subject: activity.subject, Description: activity.body, WhatId: idOf(activity.dealKey) ?? accountId, WhoId: idOf(activity.contactKey),
      OwnerId: idOf(activity.ownerKey) ?? accountOwner.get(activity.accountKey)!,
    };
    let record: SfRecord;
    if (activity.type === 'meeting') {
      record = store.insert('Event', { ...common, StartDateTime: at, EndDateTime: at + 30 * 60_000, Type: 'Meeting' }, ctx);
    } else {
      const subtype = activity.type === 'call' ? 'Call' : activity.type === 'email' ? 'Email' : 'Task';
      record = store.insert('Task', {
        ...common,
        TaskSubtype: subtype,
        Type: activity.type === 'call' ? 'Call' : activity.type === 'email' ? 'Email' : 'Other',
        CallType: activity.type === 'call' && activity.direction ? (activity.direction === 'inbound' ? 'Inbound' : 'Outbound') : null,
        Status: activity.type === 'task' && !activity.completed ? 'Not Started' : 'Completed',
        Priority: 'Normal',
        ActivityDate: activity.at.slice(0, 10),
      }, ctx);
    }
    ids.set(activity.key, record.Id as string);
  }
  for (const ticket of seed.tickets) {
    const accountId = idOf(ticket.accountKey);
    if (!accountId) continue;
    const record = store.insert('Case', {
      Subject: ticket.subject, AccountId: accountId, OwnerId: accountOwner.get(ticket.accountKey)!, Origin: 'Email',
      Priority: casePriorityBySeedPriority[ticket.priority], Status: ticket.status === 'closed' ? 'Closed' : ticket.escalated ? 'Escalated' : 'New',
      IsEscalated: ticket.escalated, ...(ticket.closedAt ? { ClosedDate: ms(ticket.closedAt) } : {}),
    }, { userId: system.userId, at: ms(ticket.createdAt) });
    if (ticket.closedAt && ticket.status === 'closed') store.load('Case', { ...record, LastModifiedDate: ms(ticket.closedAt), SystemModstamp: ms(ticket.closedAt) });
    ids.set(ticket.key, record.Id as string);
  }
  // incremental queries then find each table already sorted
  store.sortByModstamp();
}

/** The org's OpportunityStage rows: Salesforce's standard stages, in their sort order. */
function standardStageRows(store: SalesforceStore): SfRecord[] {
  const prefix = store.schema.object('OpportunityStage')!.keyPrefix;
  return standardStages.map((stage, i) => ({
    Id: store.ids.next(prefix), IsDeleted: false, MasterLabel: stage.name, ApiName: stage.name, IsActive: true, SortOrder: i + 1,
    IsClosed: stage.isClosed, IsWon: stage.isWon, ForecastCategoryName: stage.forecastCategoryName,
    ForecastCategory: forecastCategoryApiValue[stage.forecastCategoryName], DefaultProbability: stage.probability, Description: null,
  }));
}

/** Inserts a deal with its first values, then replays each change so OpportunityHistory has a row per change. */
function loadDeal(store: SalesforceStore, ids: SeedIdIndex, deal: SeedDeal, accountId: string, ownerId: string, pricebookId: string, entryByProduct: Map<string, SfRecord>, userId: string): void {
  const createdAt = ms(deal.createdAt);
  const first = (field: 'stage' | 'amount' | 'closeDate') => deal.history.find((c) => c.field === field)?.from ?? null;
  const stageOf = (s: string | null) => (s && s in stageNameBySeedStage ? stageNameBySeedStage[s as SeedStage] : null);
  const initialStage = stageOf(first('stage')) ?? stageNameBySeedStage[deal.stage];
  const initialAmount = first('amount');
  const initial: SfRecord = {
    Name: deal.name, AccountId: accountId, OwnerId: ownerId, StageName: initialStage,
    Amount: deal.history.some((c) => c.field === 'amount') ? (initialAmount === null ? null : Number(initialAmount)) : deal.amount,
    CloseDate: first('closeDate') ?? deal.closeDate, Type: opportunityTypeBySeedType[deal.type],
    Pricebook2Id: deal.lineItems.length ? pricebookId : null,
  };
  const opportunity = store.insert('Opportunity', initial, { userId, at: createdAt });
  const id = opportunity.Id as string;
  ids.set(deal.key, id);

  const changesByTime = new Map<number, SfRecord>();
  for (const change of deal.history) {
    const at = Math.max(createdAt, ms(change.at));
    const changes = changesByTime.get(at) ?? {};
    if (change.field === 'stage') changes.StageName = stageOf(change.to) ?? initialStage;
    else if (change.field === 'amount') changes.Amount = Number(change.to);
    else changes.CloseDate = change.to;
    changesByTime.set(at, changes);
  }
  let lastAt = createdAt;
  for (const [at, changes] of [...changesByTime].sort(([a], [b]) => a - b)) {
    store.update('Opportunity', id, changes, { userId, at });
    lastAt = at;
  }
  // the current values win if the history does not end on them
  const current = store.get('Opportunity', id)!;
  const final: SfRecord = {};
  if (current.StageName !== stageNameBySeedStage[deal.stage]) final.StageName = stageNameBySeedStage[deal.stage];
  if ((current.Amount ?? null) !== deal.amount) final.Amount = deal.amount;
  if (current.CloseDate !== deal.closeDate) final.CloseDate = deal.closeDate;
  if (Object.keys(final).length) store.update('Opportunity', id, final, { userId, at: lastAt });

  // line items as loaded rows: the seed's amount stands (no roll-up on load)
  for (const item of deal.lineItems) {
    const entry = entryByProduct.get(item.productKey);
    const li = store.insert('OpportunityLineItem', {
      OpportunityId: id, PricebookEntryId: (entry?.Id as string | undefined) ?? null, Quantity: item.quantity, UnitPrice: item.unitPrice,
      ServiceDate: addDays(deal.closeDate, 0),
    }, { userId, at: createdAt, rollUp: false });
    ids.set(item.key, li.Id as string);
  }
  if (deal.lineItems.length) {
    const opp = store.get('Opportunity', id)!;
    store.load('Opportunity', { ...opp, HasOpportunityLineItem: true });
  }
}
